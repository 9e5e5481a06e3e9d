"""What the landing figures (figures/landing.py, domain.md §9) read off each project's own row,
so that a unit's 落地跟踪 scans its projects and nothing else: the counted (verified) 开工, 投产 and
达产 dates, and the project's last update (the latest of its own change, a change of one of its
milestones, an arrival entered).

Kept exact by every write, in the write's transaction: a milestone or an arrival saved or deleted
(the receivers below, connected when the app is ready: landing writes milestones without
knowing projects, which sits beside it and reads it), the Excel import's bulk writes (it calls
`refresh` for the projects it touched), and the project's own save (`Project.last_update_at` is
auto_now). Migration 0012 filled them as `refresh_queryset` does; `tests/test_landing_facts.py`
checks them against a recomputation after every kind of write.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from landing.models import COUNTED_MILESTONE, Milestone, MilestoneKind

from .models import Arrival, Project

# Project column ← the milestone kind whose counted actual date it keeps.
DATE_COLUMNS = {
    "started_on": MilestoneKind.STARTED,
    "producing_on": MilestoneKind.PRODUCING,
    "full_production_on": MilestoneKind.FULL_PRODUCTION,
}


def refresh_queryset(projects: QuerySet) -> int:
    """Recompute the columns of `projects` from their milestones and arrivals: one UPDATE."""
    counted = Milestone.objects.filter(COUNTED_MILESTONE, project=OuterRef("pk")).order_by()
    latest_milestone = Milestone.objects.filter(project=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    latest_arrival = Arrival.objects.filter(project=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    dates = {column: Subquery(counted.filter(kind=kind).values("actual_on")[:1]) for column, kind in DATE_COLUMNS.items()}
    return projects.update(
        **dates,
        last_update_at=Greatest(
            F("updated_at"),
            Coalesce(Subquery(latest_milestone, output_field=DateTimeField()), F("updated_at")),
            Coalesce(Subquery(latest_arrival, output_field=DateTimeField()), F("updated_at")),
            output_field=DateTimeField(),
        ),
    )


def refresh(project_ids: Iterable[int]) -> int:
    """Recompute the columns of these projects (one UPDATE)."""
    return refresh_queryset(Project.objects.filter(pk__in=list(project_ids)))


def refresh_all() -> int:
    return refresh_queryset(Project.objects.all())


@receiver(post_save, sender=Milestone, dispatch_uid="project_landing_facts_milestone_saved")
@receiver(post_delete, sender=Milestone, dispatch_uid="project_landing_facts_milestone_deleted")
@receiver(post_save, sender=Arrival, dispatch_uid="project_landing_facts_arrival_saved")
@receiver(post_delete, sender=Arrival, dispatch_uid="project_landing_facts_arrival_deleted")
def _entry_changed(sender, instance, origin=None, **kwargs) -> None:
    if isinstance(origin, Project) or (isinstance(origin, QuerySet) and origin.model is Project):
        return  # deleted with its project: nothing left to refresh
    refresh([instance.project_id])
