"""Keep every project's hand-set stage as milestones, before the field goes (0010).

The stage is now derived from the milestones (landing.stages). For each project whose stage is
past 签约, the milestones up to it are created: 开工 for 开工; 开工 and 投产 for 投产; 开工, 投产
and 达产 for 达产 (no 注册: the old stage never said). Each milestone's actual date is the day the
project's history first recorded that stage, else the project's last update; a later milestone
never precedes an earlier one (an earlier takes the later's date when the history says
otherwise), and none precedes the signing date. All are unverified: nobody ever checked the old
stage, so they wait in the reviewers' verification queue. Each gets a history record by 系统.
docs/landing.md tells the story; tests/test_milestones.py runs it.
"""

import datetime

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

# What each old stage value means in milestones, in their order.
MILESTONES_OF_STAGE = {
    "started": ["started"],
    "producing": ["started", "producing"],
    "full_production": ["started", "producing", "full_production"],
}
BATCH = 1000
REASON = "由原“项目阶段”迁移"


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def milestone_dates(kinds, first_seen, fallback, signed_on):
    """kind → actual date: first recorded, else `fallback`; never after the next one, never before signing."""
    dates = {kind: first_seen.get(kind, fallback) for kind in kinds}
    for earlier, later in reversed(list(zip(kinds, kinds[1:]))):
        dates[earlier] = min(dates[earlier], dates[later])
    if signed_on is not None:
        dates = {kind: max(day, signed_on) for kind, day in dates.items()}
    return dates


def milestones_from_stage(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    HistoricalProject = apps.get_model("projects", "HistoricalProject")
    Milestone = apps.get_model("landing", "Milestone")
    HistoricalMilestone = apps.get_model("landing", "HistoricalMilestone")
    first_seen: dict[int, dict[str, datetime.date]] = {}
    recorded = HistoricalProject.objects.filter(stage__in=MILESTONES_OF_STAGE).values("id", "stage")
    for row in recorded.annotate(first=Min("history_date")).order_by():
        first_seen.setdefault(row["id"], {})[row["stage"]] = _local_date(row["first"])
    projects = Project.objects.filter(stage__in=MILESTONES_OF_STAGE).exclude(milestones__isnull=False)
    batch = []
    for project in projects.only("pk", "stage", "signed_on", "updated_at").order_by("pk").iterator(chunk_size=BATCH):
        kinds = MILESTONES_OF_STAGE[project.stage]
        dates = milestone_dates(kinds, first_seen.get(project.pk, {}), _local_date(project.updated_at), project.signed_on)
        batch += [Milestone(project_id=project.pk, kind=kind, actual_on=dates[kind], verified=False) for kind in kinds]
        if len(batch) >= BATCH:
            _write(Milestone, HistoricalMilestone, batch)
            batch = []
    _write(Milestone, HistoricalMilestone, batch)


def _write(Milestone, HistoricalMilestone, milestones) -> None:
    if not milestones:
        return
    Milestone.objects.bulk_create(milestones)
    # bulk_create gives ids back on PostgreSQL and SQLite alike (Django 4.0+ on SQLite 3.35+).
    now = timezone.now()
    HistoricalMilestone.objects.bulk_create(
        HistoricalMilestone(
            id=m.pk,
            project_id=m.project_id,
            kind=m.kind,
            actual_on=m.actual_on,
            verified=False,
            updated_at=m.updated_at,
            history_date=now,
            history_type="+",
            history_change_reason=REASON,
        )
        for m in milestones
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_supplementary_agreement"),
        ("landing", "0001_initial"),
    ]

    # Nothing to undo: going back, the stage field comes back (0010 reversed) with its default,
    # and the milestones stay, as any other entered since.
    operations = [migrations.RunPython(milestones_from_stage, migrations.RunPython.noop)]
