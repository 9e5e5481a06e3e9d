"""A project's stage (项目阶段, domain.md §9), derived from its milestones: 签约, then the latest
milestone with an actual date, marked 待核实 while a reviewer has not verified that date.

Nothing stores the stage. A list reads it with `with_stage_code` (one correlated subquery inside
the list's own query: no query per row); one project's page with `stage_of` over its milestones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import MILESTONE_ORDER, Milestone, MilestoneKind


class Stage(models.TextChoices):
    """签约 and the milestones, in their order, with the milestones' own labels."""

    SIGNED = "signed", "签约"
    REGISTERED = MilestoneKind.REGISTERED.value, MilestoneKind.REGISTERED.label
    STARTED = MilestoneKind.STARTED.value, MilestoneKind.STARTED.label
    PRODUCING = MilestoneKind.PRODUCING.value, MilestoneKind.PRODUCING.label
    FULL_PRODUCTION = MilestoneKind.FULL_PRODUCTION.value, MilestoneKind.FULL_PRODUCTION.label


STAGE_ORDER = list(Stage)  # 签约 first: a stage's position is its index
PENDING = "待核实"

# The stage as one integer, for sorting and filtering in SQL: 10 × the stage's position, plus 1
# while its milestone is not verified. 签约 is 0; 开工 verified 20, 开工 待核实 21.
STEP = 10


def _code_of_milestone() -> Case:
    position = Case(
        *(When(kind=kind, then=Value(STEP * STAGE_ORDER.index(Stage(kind.value)))) for kind in MILESTONE_ORDER),
        output_field=IntegerField(),
    )
    return position + Case(When(verified=False, then=Value(1)), default=Value(0), output_field=IntegerField())


def with_stage_code(projects: QuerySet) -> QuerySet:
    """Annotate `stage_code` (see STEP) on a queryset of projects: the code of the project's
    latest milestone with an actual date, 0 (签约) when it has none."""
    latest = (
        Milestone.objects.filter(project=OuterRef("pk"), actual_on__isnull=False)
        .annotate(code=_code_of_milestone())
        .order_by("-code")
        .values("code")[:1]
    )
    return projects.annotate(stage_code=Coalesce(Subquery(latest, output_field=IntegerField()), Value(0)))


def stage_code_condition(stage: str) -> Q:
    """The projects at `stage` (a Stage value), verified or not, on `stage_code`."""
    low = STEP * STAGE_ORDER.index(Stage(stage))
    return Q(stage_code__gte=low, stage_code__lte=low + 1)


@dataclass(frozen=True)
class StageReached:
    stage: Stage
    pending: bool = False  # its milestone's actual date awaits a reviewer (待核实)

    @classmethod
    def from_code(cls, code: int | None) -> StageReached:
        code = code or 0
        return cls(STAGE_ORDER[code // STEP], pending=code % STEP == 1)

    @property
    def label(self) -> str:
        return self.stage.label

    def __str__(self) -> str:
        """As a cell of the export reads it: 开工, or 开工（待核实）."""
        return f"{self.label}（{PENDING}）" if self.pending else self.label


def stage_of(milestones: Iterable[Milestone]) -> StageReached:
    """One project's stage from its milestones (its prefetched ones, or a list already read)."""
    reached = [milestone for milestone in milestones if milestone.actual_on is not None]
    if not reached:
        return StageReached(Stage.SIGNED)
    latest = max(reached, key=lambda milestone: MILESTONE_ORDER.index(MilestoneKind(milestone.kind)))
    return StageReached(Stage(latest.kind), pending=not latest.verified)


@dataclass(frozen=True)
class Timeline:
    """One project's four milestones in order (None where nothing is entered) and its stage."""

    rows: list[tuple[MilestoneKind, Milestone | None]]
    stage: StageReached

    @property
    def by_kind(self) -> dict[str, Milestone]:
        return {kind: milestone for kind, milestone in self.rows if milestone is not None}

    @property
    def pending(self) -> list[Milestone]:
        """The milestones whose actual date awaits a reviewer."""
        return [m for _kind, m in self.rows if m is not None and m.actual_on is not None and not m.verified]


def timeline_of(project) -> Timeline:
    """The project's milestones with who verified them: one query."""
    stored = {m.kind: m for m in Milestone.objects.filter(project_id=project.pk).select_related("verified_by")}
    return Timeline([(kind, stored.get(kind)) for kind in MILESTONE_ORDER], stage_of(stored.values()))
