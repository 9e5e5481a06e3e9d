"""Projects, their cooperating units and arrived-capital ledger, with the counting rules as SQL.

One module past 400 lines on purpose: the rules as SQL (tier_conditions, counted_condition) and
the querysets that feed the engine must stay next to the fields they read, and Django wants a
model's manager, constraints and history in one place; splitting would scatter one concept.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from access import permissions
from access.roles import access_of
from landing.stages import StageReached, stage_of
from lib import display
from lib.sql import exact_sum, from_ten_thousandths, grouped
from targets import scoring
from targets.models import MONEY, Unit, UnitTarget, money_field


class Sector(models.TextChoices):
    INDUSTRIAL = "industrial", "工业"
    NON_INDUSTRIAL = "non_industrial", "非工业"


class Origin(models.TextChoices):
    # The engine's origins, with its labels (scoring.ORIGIN_LABELS): one spelling of each.
    OUTSIDE_CITY = scoring.Origin.OUTSIDE_CITY.value, scoring.Origin.OUTSIDE_CITY.label
    INSIDE_CITY = scoring.Origin.INSIDE_CITY.value, scoring.Origin.INSIDE_CITY.label
    INSIDE_DISTRICT = scoring.Origin.INSIDE_DISTRICT.value, scoring.Origin.INSIDE_DISTRICT.label


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


# --- The rules as SQL: the same thresholds as scoring.tier_of ------------------------


def tier_conditions(rules: scoring.Rules, prefix: str = "") -> list[tuple[scoring.Tier, Q]]:
    """Each tier above `below`, highest first, as a condition on the project's columns."""

    def q(name, value):
        return Q(**{f"{prefix}{name}": value})

    return [
        (scoring.Tier.MAJOR, q("agreement_capital__gte", rules.major_investment) | q("expected_output__gte", rules.major_output)),
        (scoring.Tier.LARGE, q("agreement_capital__gte", rules.large_investment) | q("expected_output__gte", rules.large_output)),
        (scoring.Tier.KEY, q("agreement_capital__gte", rules.key_investment)),
        (
            scoring.Tier.GENERAL,
            (q("sector", Sector.INDUSTRIAL) & q("agreement_capital__gte", rules.general_industrial_investment))
            | (q("sector", Sector.NON_INDUSTRIAL) & q("agreement_capital__gte", rules.general_non_industrial_investment)),
        ),
    ]


def tier_case(rules: scoring.Rules, prefix: str = "") -> Case:
    whens = [When(condition, then=Value(tier.value)) for tier, condition in tier_conditions(rules, prefix)]
    return Case(*whens, default=Value(scoring.Tier.BELOW.value), output_field=CharField())


def counted_condition(rules: scoring.Rules, as_of, prefix: str = "") -> Q:
    """Projects that count (scoring.is_counted): approved, signed by `as_of`, weighted, not below."""
    above_threshold = Q()
    for _tier, condition in tier_conditions(rules, prefix):
        above_threshold |= condition
    return (
        Q(**{f"{prefix}status": Status.APPROVED})
        & Q(**{f"{prefix}signed_on__lte": as_of})
        & Q(**{f"{prefix}origin__in": [o.value for o in rules.counted_origins()]})
        & above_threshold
    )


# --- Amounts that need a second look (domain.md §7) -----------------------------------

ZERO_AGREEMENT_CAPITAL = "协议资金不能为 0：请填写协议约定的投资额（单位亿元，如 500 万元填 0.05）。"
UNUSUAL_AMOUNT_ABOVE = Decimal(100)  # 亿元: above this, a typing or unit mistake is likelier than a project
CONFIRM_AMOUNT_ASK = "请核对金额和单位（亿元，不是万元或元）后勾选「金额已核对」。"


def unusual_amount(amount: Decimal | None, *, target: Decimal | None, year: int | None, label: str = "协议资金") -> str:
    """Why `amount` needs a second look, or "": above the lead unit's whole-year `target` for the
    indicator (a single project rarely does a unit's whole year), or above 100 亿元."""
    if amount is None:
        return ""
    figure = f"{label} {display.money(amount)} 亿元"
    if target is not None and amount > target:
        return f"{figure}超过牵头单位{year}年全年{label}目标 {display.money(target)} 亿元。"
    if amount > UNUSUAL_AMOUNT_ABOVE:
        return f"{figure}超过 {UNUSUAL_AMOUNT_ABOVE} 亿元。"
    return ""


# --- Projects ------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    def _as_project_filter(self, lookup: str) -> list[Q]:
        """This queryset's own filter, carried to a query from another model ([] when unfiltered)."""
        return [Q(**{lookup: self})] if self.query.has_filters() else []


class ProjectQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status=Status.APPROVED)

    def visible_to(self, user) -> "ProjectQuerySet":
        """What `user` may see (permissions.sees_project, in SQL): everything for reviewers and
        leaders; for a unit's staff the projects its unit leads or cooperates in; nothing for anyone else."""
        access = access_of(user)
        if permissions.sees_everything(access):
            return self
        unit_id = permissions.staff_unit_id(access)
        if unit_id is None:
            return self.none()
        cooperating = Cooperation.objects.filter(unit_id=unit_id).values("project_id")
        return self.filter(Q(lead_unit_id=unit_id) | Q(pk__in=cooperating))

    def review_queue(self) -> "ProjectQuerySet":
        """Submitted projects, oldest submission first."""
        return self.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")

    def agreement_capital_groups(self, period: scoring.Period, rules: scoring.Rules) -> "AgreementCapitalGroups":
        """Counted projects signed in the period, and the counted supplementary agreements dated in
        it (domain.md §8), summed per unit and kind of credit: 2 queries, one per side (lead,
        cooperating), each a UNION ALL of the projects' sums and the agreements' sums. An agreement's
        row counts no project (0): that is how it is told from a signing's."""
        agreements = SupplementaryAgreement.objects.filter(*self._as_project_filter("project__in"))
        lead, cooperating = self._signing_rows(period, rules)
        rows = [
            (row, True) for row in lead.union(agreements.lead_rows(period, rules), all=True)
        ] + [(row, False) for row in cooperating.union(agreements.cooperating_rows(period, rules), all=True)]
        return AgreementCapitalGroups(
            signings=[_signing_group(row, lead=lead) for row, lead in rows if row["projects"]],
            agreements=[_agreement_group(row, lead=lead) for row, lead in rows if not row["projects"]],
        )

    def _signing_rows(self, period: scoring.Period, rules: scoring.Rules) -> tuple[models.QuerySet, models.QuerySet]:
        """The sums of counted projects signed in the period, per lead unit and per cooperating unit."""
        in_period = counted_condition(rules, period.end) & Q(signed_on__gte=period.start)
        lead = grouped(
            self.filter(in_period),
            origin=F("origin"),
            sector=F("sector"),
            tier=tier_case(rules),
            n=F("cooperating_count"),
            credited_unit=F("lead_unit_id"),
        ).annotate(projects=Count("pk"), money=exact_sum("agreement_capital"))
        in_period = counted_condition(rules, period.end, "project__") & Q(project__signed_on__gte=period.start)
        cooperating = grouped(
            Cooperation.objects.filter(in_period, *self._as_project_filter("project__in")),
            origin=F("project__origin"),
            sector=F("project__sector"),
            tier=tier_case(rules, "project__"),
            n=F("project__cooperating_count"),
            credited_unit=F("unit_id"),
        ).annotate(projects=Count("pk"), money=exact_sum("project__agreement_capital"))
        return lead, cooperating

    def scoring_facts(self, period: scoring.Period) -> list[scoring.Project]:
        """Whole projects for the engine, with their counted arrivals and supplementary agreements
        up to the period's end: 4 queries."""
        arrivals = Arrival.objects.counted().filter(arrived_on__lte=period.end).order_by("arrived_on", "pk")
        agreements = SupplementaryAgreement.objects.counted().filter(signed_on__lte=period.end).order_by("signed_on", "pk")
        projects = self.select_related(None).prefetch_related(
            models.Prefetch("arrivals", queryset=arrivals),
            models.Prefetch("agreements", queryset=agreements),
            models.Prefetch("cooperations", queryset=Cooperation.objects.order_by("pk")),
        )
        return [project.as_scoring_project() for project in projects]


@dataclass(frozen=True)
class AgreementCapitalGroups:
    """What agreement capital a period credits: projects signed in it, supplementary agreements dated in it."""

    signings: list[scoring.SigningGroup]
    agreements: list[scoring.AgreementGroup]


def _agreement_group(row: dict, *, lead: bool) -> scoring.AgreementGroup:
    return scoring.AgreementGroup(
        unit=row["credited_unit"],
        lead=lead,
        cooperating_count=row["n"],
        origin=scoring.Origin(row["origin"]),
        industrial=row["sector"] == Sector.INDUSTRIAL,
        amount=from_ten_thousandths(row["money"]),
    )


def _signing_group(row: dict, *, lead: bool) -> scoring.SigningGroup:
    return scoring.SigningGroup(
        unit=row["credited_unit"],
        lead=lead,
        cooperating_count=row["n"],
        origin=scoring.Origin(row["origin"]),
        industrial=row["sector"] == Sector.INDUSTRIAL,
        tier=scoring.Tier(row["tier"]),
        projects=row["projects"],
        agreement_capital=from_ten_thousandths(row["money"]),
    )


class Project(models.Model):
    """An investment project a unit signed (签约项目)."""

    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    investor = models.CharField("投资方", max_length=200, blank=True)
    lead_unit = models.ForeignKey(Unit, models.PROTECT, related_name="led_projects", verbose_name="牵头单位")
    cooperating_units = models.ManyToManyField(
        Unit, through="Cooperation", related_name="cooperating_projects", blank=True, verbose_name="配合单位"
    )
    group = models.ForeignKey(
        "groups.SpecialGroup", models.PROTECT, null=True, blank=True, related_name="projects", verbose_name="专项招商组"
    )
    chain_link = models.ForeignKey(
        "chains.ChainNode", models.PROTECT, null=True, blank=True, related_name="projects", verbose_name="产业链环节"
    )
    sector = models.CharField("产业类型", max_length=20, choices=Sector.choices)
    origin = models.CharField("项目来源", max_length=20, choices=Origin.choices)
    agreement_capital = money_field("协议资金（亿元）")
    expected_output = money_field("预计产值（亿元）", null=True, blank=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    # The 协议资金 someone ticked 「金额已核对」 for: a changed amount is unconfirmed again by itself.
    confirmed_amount = models.DecimalField("已核对的协议资金（亿元）", **MONEY, null=True, blank=True)
    status = models.CharField("审核状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    return_reason = models.TextField("退回原因", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)
    # Kept by set_cooperating_units: the ranking groups by it instead of counting per row,
    # which made it 3× slower at 500k projects (docs/performance.md).
    cooperating_count = models.PositiveSmallIntegerField("配合单位数", default=0, editable=False)
    # Kept by projects.landing_facts from the milestones and arrivals: 落地跟踪 reads a unit's projects
    # alone, where joining the milestones and finding each project's latest change made one
    # park's page take 9.9 s at 500k projects (docs/performance.md).
    started_on = models.DateField("已核实开工日期", null=True, editable=False)
    producing_on = models.DateField("已核实投产日期", null=True, editable=False)
    full_production_on = models.DateField("已核实达产日期", null=True, editable=False)
    last_update_at = models.DateTimeField("最近更新", auto_now=True)

    LANDING_FACTS = ["started_on", "producing_on", "full_production_on", "last_update_at"]
    history = HistoricalRecords(excluded_fields=["cooperating_count", *LANDING_FACTS])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "招商项目"
        verbose_name_plural = "招商项目"
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(agreement_capital__gte=0), name="project_agreement_capital_not_negative"),
            models.CheckConstraint(
                condition=Q(expected_output__isnull=True) | Q(expected_output__gte=0),
                name="project_expected_output_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.APPROVED) | Q(signed_on__isnull=False),
                name="approved_project_is_signed",
                violation_error_message="已审核的项目必须有签约日期。",
            ),
        ]
        indexes = [
            # The review queue's first page, oldest submission first, read straight off this index:
            # 1.6 ms instead of 40 ms at 526k projects on PostgreSQL (docs/performance.md).
            models.Index(fields=["submitted_at", "id"], condition=Q(status=Status.SUBMITTED), name="project_review_queue"),
            # The chain tree's signed projects per link, counted off this index alone.
            models.Index(fields=["chain_link"], condition=Q(status=Status.APPROVED), name="project_signed_per_link"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    # The facts a user enters (the cooperating units apart): the form's fields, the history's rows.
    FACTS = (
        "code",
        "name",
        "investor",
        "lead_unit",
        "group",
        "sector",
        "origin",
        "agreement_capital",
        "expected_output",
        "signed_on",
    )

    # --- What a project needs before it goes to review (the form, the submit button, the import) ---

    # The facts a draft may lack but a project in review must have, with what to tell the user.
    REQUIRED_TO_SUBMIT = {
        "investor": "投资方必填：提交审核前须填写投资企业的全称。",
        "signed_on": "签约日期必填：项目签约后才能提交审核，请填写签约日期。",
    }

    def missing_to_submit(self) -> dict[str, str]:
        """The facts this project lacks before it may be submitted: field → message (empty when none)."""
        missing = {name: message for name, message in self.REQUIRED_TO_SUBMIT.items() if not getattr(self, name)}
        if self.agreement_capital is not None and self.agreement_capital <= 0:
            missing["agreement_capital"] = ZERO_AGREEMENT_CAPITAL
        return missing

    @property
    def stage(self) -> StageReached:
        """The stage its milestones give (landing.stages; nothing stores it): one query unless
        `milestones` is prefetched. A list reads it for many projects with `with_stage_code`."""
        return stage_of(self.milestones.all())

    @property
    def amount_confirmed(self) -> bool:
        """Whether someone ticked 「金额已核对」 for the agreement capital as it is now."""
        return self.confirmed_amount is not None and self.confirmed_amount == self.agreement_capital

    def agreement_target(self) -> Decimal | None:
        """The lead unit's whole-year 协议资金 target of the signing year (None: none set): one query."""
        if self.signed_on is None or self.lead_unit_id is None:
            return None
        targets = UnitTarget.objects.filter(unit_id=self.lead_unit_id, year=self.signed_on.year)
        return targets.values_list("agreement_capital", flat=True).first()

    def unusual_amount(self, target: Decimal | None) -> str:
        """Why the agreement capital needs a second look (see `unusual_amount`), "" when it does not."""
        year = self.signed_on.year if self.signed_on else None
        return unusual_amount(self.agreement_capital, target=target, year=year)

    def submission_problems(self, *, target: Decimal | None) -> dict[str, str]:
        """Everything that stops a submission: missing facts, and an unusual amount not ticked as checked.

        `target` is `agreement_target()`, passed in so that a caller checking many projects loads them once.
        """
        problems = self.missing_to_submit()
        reason = "" if "agreement_capital" in problems or self.amount_confirmed else self.unusual_amount(target)
        if reason:
            problems["confirm_amount"] = f"{reason}{CONFIRM_AMOUNT_ASK}"
        return problems

    # --- Who may do what: access/permissions.py, over the project's own status vocabulary ---

    Status = Status
    EDITABLE_BY_STAFF = (Status.DRAFT, Status.RETURNED)

    def tier(self, rules: scoring.Rules) -> scoring.Tier:
        return scoring.tier_of(
            agreement_capital=self.agreement_capital,
            expected_output=self.expected_output,
            industrial=self.sector == Sector.INDUSTRIAL,
            rules=rules,
        )

    def set_cooperating_units(self, unit_ids: Iterable[int], *, user=None) -> None:
        """Make these the cooperating units, in this order, and keep `cooperating_count` in step.

        Every new cooperation is validated before anything is written (ValidationError);
        rows are added and removed one by one so the history records each, by `user`.
        """
        wanted = list(dict.fromkeys(unit_ids))
        current = {cooperation.unit_id: cooperation for cooperation in self.cooperations.all()}
        added = [Cooperation(project=self, unit_id=unit_id) for unit_id in wanted if unit_id not in current]
        for cooperation in added:
            cooperation.full_clean()
        for unit_id, cooperation in current.items():
            if unit_id not in wanted:
                cooperation._history_user = user
                cooperation.delete()
        for cooperation in added:
            cooperation._history_user = user
            cooperation.save()
        if self.cooperating_count != len(wanted):
            self.cooperating_count = len(wanted)
            Project.objects.filter(pk=self.pk).update(cooperating_count=len(wanted))

    def as_scoring_project(self) -> scoring.Project:
        """The engine's view; expects `cooperations`, `arrivals` and `agreements` prefetched. Only
        verified arrivals and agreements reach the engine, whatever was prefetched (domain.md §7, §8)."""
        return scoring.Project(
            id=self.pk,
            code=self.code,
            name=self.name,
            lead_unit=self.lead_unit_id,
            cooperating_units=tuple(c.unit_id for c in self.cooperations.all()),
            industrial=self.sector == Sector.INDUSTRIAL,
            origin=scoring.Origin(self.origin),
            agreement_capital=self.agreement_capital,
            expected_output=self.expected_output,
            signed_on=self.signed_on,
            approved=self.status == Status.APPROVED,
            arrivals=tuple((a.arrived_on, a.amount) for a in self.arrivals.all() if a.counts),
            agreements=tuple((a.signed_on, a.amount) for a in self.agreements.all() if a.counts),
        )


class Cooperation(models.Model):
    """A cooperating unit (配合单位) of a joint project (联合招商)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="cooperations", verbose_name="项目")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="cooperations", verbose_name="配合单位")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "配合单位"
        verbose_name_plural = "配合单位"
        constraints = [models.UniqueConstraint(fields=["project", "unit"], name="cooperating_unit_once_per_project")]

    def __str__(self):
        return f"{self.project.code} · {self.unit}"

    def clean(self):
        if self.project_id and self.unit_id and self.unit_id == self.project.lead_unit_id:
            raise ValidationError({"unit": "配合单位不能是牵头单位本身。"})


def arrival_date_problem(arrived_on: datetime.date, signed_on: datetime.date | None) -> str:
    """Why an arrival of `arrived_on` cannot be on a project signed on `signed_on` (domain.md §7), or "".

    A project without a signing date takes no arrival: money arrives under a signed agreement,
    and a date set later could not be checked against entries already made.
    """
    if signed_on is None:
        return "该项目还没有签约日期，不能登记到位资金：请先编辑项目、填写签约日期。"
    if arrived_on < signed_on:
        return f"到位日期 {arrived_on:%Y-%m-%d} 早于项目的签约日期 {signed_on:%Y-%m-%d}：资金在签约之后才能到位，请检查日期。"
    return ""


def signing_date_problem(signed_on: datetime.date | None, earliest_arrival: datetime.date | None) -> str:
    """Why a project whose earliest arrival is `earliest_arrival` cannot take `signed_on`, or ""."""
    if earliest_arrival is None:
        return ""
    if signed_on is None:
        return "该项目已登记到位资金，签约日期不能清空。"
    if signed_on > earliest_arrival:
        return (
            f"签约日期不能晚于已登记的到位资金（最早一笔到位于 {earliest_arrival:%Y-%m-%d}）："
            "请检查签约日期，或先更正到位资金。"
        )
    return ""


# Evidence before credit (domain.md §7): an entry counts anywhere a figure is computed only
# once a reviewer has verified it. The one definition, as a condition and as Arrival.counts.
COUNTED_ARRIVAL = Q(verified=True)


class ArrivalQuerySet(ScopedQuerySet):
    def earliest_per_project(self) -> dict[int, datetime.date]:
        """Each project's earliest arrival date, for the projects these arrivals belong to: one query."""
        rows = self.order_by().values("project_id").annotate(earliest=models.Min("arrived_on"))
        return {row["project_id"]: row["earliest"] for row in rows}

    def counted(self) -> "ArrivalQuerySet":
        """The entries that count: verified ones."""
        return self.filter(COUNTED_ARRIVAL)

    def awaiting_verification(self) -> "ArrivalQuerySet":
        """Entries not verified yet (待核实) of projects not withdrawn: what reviewers have to check."""
        return self.exclude(COUNTED_ARRIVAL).exclude(project__status=Status.WITHDRAWN)

    def verification_queue(self) -> "ArrivalQuerySet":
        """Entries waiting for a reviewer, oldest entry first."""
        return self.awaiting_verification().order_by("created_at", "pk")

    def arrival_groups(self, period: scoring.Period, rules: scoring.Rules) -> list[scoring.ArrivalGroup]:
        """Counted arrivals in the period of counted projects, summed per unit and kind of credit: 2 queries."""
        counted = counted_condition(rules, period.end, "project__")
        lead = grouped(
            self.filter(counted, COUNTED_ARRIVAL, arrived_on__range=(period.start, period.end)),
            origin=F("project__origin"),
            n=F("project__cooperating_count"),
            credited_unit=F("project__lead_unit_id"),
        ).annotate(money=exact_sum("amount"))
        cooperating = grouped(
            Cooperation.objects.filter(
                counted,
                *self._as_project_filter("project__arrivals__in"),
                project__arrivals__arrived_on__range=(period.start, period.end),
                project__arrivals__verified=True,  # COUNTED_ARRIVAL, through the join
            ),
            origin=F("project__origin"),
            n=F("project__cooperating_count"),
            credited_unit=F("unit_id"),
        ).annotate(money=exact_sum("project__arrivals__amount"))
        return [_arrival_group(row, lead=True) for row in lead] + [_arrival_group(row, lead=False) for row in cooperating]


def _arrival_group(row: dict, *, lead: bool) -> scoring.ArrivalGroup:
    return scoring.ArrivalGroup(
        unit=row["credited_unit"],
        lead=lead,
        cooperating_count=row["n"],
        origin=scoring.Origin(row["origin"]),
        amount=from_ten_thousandths(row["money"]),
    )


def evidence_path(arrival: "Arrival", filename: str) -> str:
    """A random stored name: the user's file name is kept in `evidence_name`, never used as a path."""
    extension = Path(filename).suffix.lower()[:10]
    return f"evidence/{arrival.project_id}/{uuid.uuid4().hex}{extension}"


class Arrival(models.Model):
    """One entry of a project's arrived-capital ledger (到位资金)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="arrivals", verbose_name="项目")
    arrived_on = models.DateField("到位日期")
    amount = models.DecimalField("到位金额（亿元）", **MONEY, validators=[MinValueValidator(Decimal("0.0001"))])
    note = models.CharField("备注", max_length=200, blank=True)
    evidence = models.FileField("凭证（如银行回单）", upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField("凭证原文件名", max_length=200, blank=True)
    verified = models.BooleanField("已核实", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="核实人"
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = ArrivalQuerySet.as_manager()

    class Meta:
        verbose_name = "到位资金"
        verbose_name_plural = "到位资金"
        ordering = ["arrived_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="arrival_amount_positive")]
        indexes = [
            # The verification queue, oldest entry first, and the menu's count read off this index:
            # the unverified entries are few beside the whole ledger.
            models.Index(fields=["created_at", "id"], condition=Q(verified=False), name="arrival_verification_queue"),
            # The entries of the last weeks, which keep a project off the staff's 长期未更新 list.
            models.Index(fields=["created_at", "project"], name="arrival_recent"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.arrived_on} {self.amount}"

    @property
    def counts(self) -> bool:
        """Whether the entry enters the figures (COUNTED_ARRIVAL): verified."""
        return self.verified

    def clean(self):
        if self.project_id is not None and isinstance(self.arrived_on, datetime.date):
            problem = arrival_date_problem(self.arrived_on, self.project.signed_on)
            if problem:
                raise ValidationError({"arrived_on": problem})


# --- Supplementary agreements (补充协议 / 增资, domain.md §8) ----------------------------------


def agreement_date_problem(signed_on: datetime.date, project_signed_on: datetime.date | None, *, today: datetime.date) -> str:
    """Why a supplementary agreement of `signed_on` cannot be on a project signed on `project_signed_on`, or ""."""
    if project_signed_on is not None and signed_on < project_signed_on:
        return (
            f"补充协议的签订日期 {signed_on:%Y-%m-%d} 早于项目的签约日期 {project_signed_on:%Y-%m-%d}："
            "补充协议在原协议之后签订，请检查日期。"
        )
    if signed_on > today:
        return f"补充协议的签订日期 {signed_on:%Y-%m-%d} 晚于今天：签订后再登记。"
    return ""


def agreements_problem(
    *, signed_on: datetime.date | None, agreement_capital: Decimal, earliest: datetime.date | None, total: Decimal
) -> dict[str, str]:
    """What a project's new signing date or agreement capital breaks of its supplementary agreements
    (the earliest signed on `earliest`, all of them adding up to `total`): field → message."""
    problems = {}
    if earliest is not None and (signed_on is None or signed_on > earliest):
        problems["signed_on"] = (
            f"签约日期不能晚于已登记的补充协议（最早一份签订于 {earliest:%Y-%m-%d}）：请检查签约日期，或先更正补充协议。"
        )
    if agreement_capital is not None and agreement_capital + total < 0:
        problems["agreement_capital"] = (
            f"协议资金加上已登记的补充协议（合计 {display.money(total)} 亿元）后小于 0：请检查协议资金，或先更正补充协议。"
        )
    return problems


NOT_APPROVED_FOR_AGREEMENT = "只有已审核的项目可以登记补充协议：项目审核通过后，补充协议才有原协议可补充。"


def agreement_total_problem(original: Decimal, others: Decimal, amount: Decimal) -> str:
    """Why an agreement of `amount` would leave the project's agreement capital below 0, or "".

    `original` is the project's own agreement capital, `others` the sum of its other agreements.
    """
    total = original + others + amount
    if total >= 0:
        return ""
    return (
        f"减少后项目的协议资金合计为 {display.money(total)} 亿元，不能小于 0："
        f"原协议 {display.money(original)} 亿元，其他补充协议合计 {display.money(others)} 亿元，"
        f"本次最多减少 {display.money(original + others)} 亿元。"
    )


# Evidence before credit, as for arrivals: an agreement counts only once a reviewer has verified it.
COUNTED_AGREEMENT = Q(verified=True)


class SupplementaryAgreementQuerySet(ScopedQuerySet):
    def counted(self) -> "SupplementaryAgreementQuerySet":
        """The agreements that count: verified ones."""
        return self.filter(COUNTED_AGREEMENT)

    def awaiting_verification(self) -> "SupplementaryAgreementQuerySet":
        """Agreements not verified yet (待核实) of projects not withdrawn: what reviewers have to check."""
        return self.exclude(COUNTED_AGREEMENT).exclude(project__status=Status.WITHDRAWN)

    def verification_queue(self) -> "SupplementaryAgreementQuerySet":
        return self.awaiting_verification().order_by("created_at", "pk")

    def lead_rows(self, period: scoring.Period, rules: scoring.Rules) -> models.QuerySet:
        """Counted agreements in the period of counted projects, summed per lead unit and kind of
        credit, in the columns of the signings' sums (ProjectQuerySet.agreement_capital_groups):
        `projects` is 0, an agreement counts no project."""
        counted = counted_condition(rules, period.end, "project__")
        return grouped(
            self.filter(counted, COUNTED_AGREEMENT, signed_on__range=(period.start, period.end)),
            origin=F("project__origin"),
            sector=F("project__sector"),
            tier=tier_case(rules, "project__"),
            n=F("project__cooperating_count"),
            credited_unit=F("project__lead_unit_id"),
        ).annotate(projects=Value(0), money=exact_sum("amount"))

    def cooperating_rows(self, period: scoring.Period, rules: scoring.Rules) -> models.QuerySet:
        """As lead_rows, per cooperating unit."""
        counted = counted_condition(rules, period.end, "project__")
        return grouped(
            Cooperation.objects.filter(
                counted,
                *self._as_project_filter("project__agreements__in"),
                project__agreements__signed_on__range=(period.start, period.end),
                project__agreements__verified=True,  # COUNTED_AGREEMENT, through the join
            ),
            origin=F("project__origin"),
            sector=F("project__sector"),
            tier=tier_case(rules, "project__"),
            n=F("project__cooperating_count"),
            credited_unit=F("unit_id"),
        ).annotate(projects=Value(0), money=exact_sum("project__agreements__amount"))


class SupplementaryAgreement(models.Model):
    """A later agreement changing a project's agreement capital (补充协议 / 增资, domain.md §8):
    credited in its own date's period with the project's weights, never a new count or tier."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="agreements", verbose_name="项目")
    signed_on = models.DateField("签订日期")
    amount = models.DecimalField(
        "协议资金变化（亿元）", **MONEY, help_text="增资填正数，减资填负数，单位亿元；不能为 0。"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    evidence = models.FileField("凭证（如补充协议扫描件）", upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField("凭证原文件名", max_length=200, blank=True)
    verified = models.BooleanField("已核实", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="核实人"
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = SupplementaryAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "补充协议"
        verbose_name_plural = "补充协议"
        ordering = ["signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="agreement_amount_not_zero", violation_error_message="协议资金变化不能为 0。"
            ),
            models.CheckConstraint(
                condition=Q(verified=False) | Q(verified_at__isnull=False),
                name="verified_agreement_has_time",
                violation_error_message="已核实的补充协议必须有核实时间。",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], condition=Q(verified=False), name="agreement_verification_queue"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.signed_on} {self.amount}"

    @property
    def counts(self) -> bool:
        """Whether the agreement enters the figures (COUNTED_AGREEMENT): verified."""
        return self.verified

    @property
    def is_reduction(self) -> bool:
        return self.amount is not None and self.amount < 0

    def clean(self):
        if self.amount == 0:
            raise ValidationError({"amount": "协议资金变化不能为 0：增资填正数，减资填负数。"})
        if self.project_id is None:
            return
        project = self.project
        if project.status != Status.APPROVED:
            raise ValidationError(NOT_APPROVED_FOR_AGREEMENT)
        if isinstance(self.signed_on, datetime.date):
            problem = agreement_date_problem(self.signed_on, project.signed_on, today=timezone.localdate())
            if problem:
                raise ValidationError({"signed_on": problem})

    def check_total(self) -> None:
        """The project's agreement capital with all its stored agreements and this one may not fall
        below 0 (ValidationError on `amount`): one query. Apart from clean() because it needs every
        agreement of the project: the services ask it on the locked project row, the import keeps
        its own running totals over the file's rows (agreement_total_problem)."""
        if not isinstance(self.amount, Decimal) or self.amount >= 0:
            return
        others = SupplementaryAgreement.objects.filter(project_id=self.project_id).exclude(pk=self.pk)
        total = from_ten_thousandths(others.aggregate(money=exact_sum("amount"))["money"])
        problem = agreement_total_problem(self.project.agreement_capital, total, self.amount)
        if problem:
            raise ValidationError({"amount": problem})


class ImportBatch(models.Model):
    """An uploaded import file awaiting its uploader's confirmation: nothing is written before."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "已放弃"

    class Kind(models.TextChoices):
        PROJECTS = "projects", "项目和到位资金"
        PIPELINE = "pipeline", "目标企业、线索和活动"  # leads.importing

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField("文件", upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    summary = models.TextField("导入结果", blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    kind = models.CharField("导入内容", max_length=20, choices=Kind.choices, default=Kind.PROJECTS)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_state_display()}）"


class CodeSequence(models.Model):
    """The last number given to an automatic project code <prefix><year>-NNNNN (projects.codes).

    Advanced only in a short transaction of its own, so no save ever waits on a long one.
    """

    prefix = models.CharField("编号前缀", max_length=6)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = "项目编号序列"
        verbose_name_plural = "项目编号序列"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_code_sequence_per_prefix_and_year")]

    def __str__(self):
        return f"{self.prefix}{self.year}：{self.last}"
