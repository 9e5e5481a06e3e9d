import uuid
from collections.abc import Iterable
from pathlib import Path
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import BigIntegerField, Case, CharField, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Round
from simple_history.models import HistoricalRecords

from fuling_invest.roles import access_of
from targets import scoring
from targets.models import MONEY, Unit, money_field


class Sector(models.TextChoices):
    INDUSTRIAL = "industrial", "工业"
    NON_INDUSTRIAL = "non_industrial", "非工业"


class Origin(models.TextChoices):
    OUTSIDE_CITY = scoring.Origin.OUTSIDE_CITY.value, "市外"
    INSIDE_CITY = scoring.Origin.INSIDE_CITY.value, "区外市内"
    INSIDE_DISTRICT = scoring.Origin.INSIDE_DISTRICT.value, "区内"


class Stage(models.TextChoices):
    SIGNED = "signed", "签约"
    STARTED = "started", "开工"
    PRODUCING = "producing", "投产"
    FULL_PRODUCTION = "full_production", "达产"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


# --- Money sums that are exact on every database ----------------------------------

TEN_THOUSAND = Value(10000)


def exact_sum(field: str, condition: Q | None = None) -> Sum:
    """Sum money as whole 万元 (1e-4 亿元), over the rows meeting `condition` if given.

    SQLite keeps decimals as floats, so a plain SUM drifts; a sum of integers does not,
    and on PostgreSQL the same SQL is exact numeric arithmetic.
    """
    scaled = models.ExpressionWrapper(F(field) * TEN_THOUSAND, output_field=DecimalField(**MONEY))
    return Sum(Cast(Round(scaled), BigIntegerField()), filter=condition)


def from_ten_thousandths(value) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-4)


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


def grouped(queryset: models.QuerySet, **keys) -> models.QuerySet:
    """`queryset` grouped by `keys`, in the order given; aggregates annotated next go per group.

    The order matters on SQLite: Django groups in the order the keys are annotated, and
    when the unit comes first SQLite's planner walks the unit's foreign-key index, i.e.
    the projects in random order, and the ranking takes 25% longer at 500k projects
    (docs/performance.md). So the unit goes last. A key may be a column of the
    queryset's own model (`origin=F("origin")`); Django groups by those first.
    """
    own = {name for name, key in keys.items() if isinstance(key, F) and key.name == name}
    return queryset.annotate(**{name: key for name, key in keys.items() if name not in own}).values(*keys).order_by()


# --- Projects ------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    def _as_project_filter(self, lookup: str) -> list[Q]:
        """This queryset's own filter, carried to a query from another model ([] when unfiltered)."""
        return [Q(**{lookup: self})] if self.query.has_filters() else []


class ProjectQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status=Status.APPROVED)

    def visible_to(self, user) -> "ProjectQuerySet":
        """What `user` may see: everything for reviewers and leaders; for a unit's staff the
        projects its unit leads or cooperates in; nothing for anyone else."""
        access = access_of(user)
        if access.sees_everything:
            return self
        if access.unit is None:
            return self.none()
        cooperating = Cooperation.objects.filter(unit=access.unit).values("project_id")
        return self.filter(Q(lead_unit=access.unit) | Q(pk__in=cooperating))

    def review_queue(self) -> "ProjectQuerySet":
        """Submitted projects, oldest submission first."""
        return self.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")

    def signing_groups(self, period: scoring.Period, rules: scoring.Rules) -> list[scoring.SigningGroup]:
        """Counted projects signed in the period, summed per unit and kind of credit: 2 queries."""
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
        return [_signing_group(row, lead=True) for row in lead] + [
            _signing_group(row, lead=False) for row in cooperating
        ]

    def scoring_facts(self, period: scoring.Period) -> list[scoring.Project]:
        """Whole projects for the engine, with their arrivals up to the period's end: 3 queries."""
        arrivals = Arrival.objects.filter(arrived_on__lte=period.end).order_by("arrived_on", "pk")
        projects = self.select_related(None).prefetch_related(
            models.Prefetch("arrivals", queryset=arrivals),
            models.Prefetch("cooperations", queryset=Cooperation.objects.order_by("pk")),
        )
        return [project.as_scoring_project() for project in projects]


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
    sector = models.CharField("产业类型", max_length=20, choices=Sector.choices)
    origin = models.CharField("项目来源", max_length=20, choices=Origin.choices)
    agreement_capital = money_field("协议资金（亿元）")
    expected_output = money_field("预计产值（亿元）", null=True, blank=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    stage = models.CharField("项目阶段", max_length=20, choices=Stage.choices, default=Stage.SIGNED)
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

    history = HistoricalRecords(excluded_fields=["cooperating_count"])
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
        "stage",
    )

    # --- Who may do what (fuling_invest/roles.py); views answer 403 when these say no ---

    EDITABLE_BY_STAFF = (Status.DRAFT, Status.RETURNED)

    def led_by_staff(self, user) -> bool:
        return access_of(user).is_staff_of(self.lead_unit_id)

    def can_edit(self, user) -> bool:
        """Staff edit their unit's drafts and returned projects; reviewers any project not withdrawn
        (only they change an approved project's counted facts)."""
        if self.status == Status.WITHDRAWN:
            return False
        return access_of(user).reviews or (self.led_by_staff(user) and self.status in self.EDITABLE_BY_STAFF)

    def can_submit(self, user) -> bool:
        return self.led_by_staff(user) and self.status in self.EDITABLE_BY_STAFF

    def can_withdraw(self, user) -> bool:
        """Staff withdraw what has not been approved yet; reviewers anything not withdrawn."""
        if self.status == Status.WITHDRAWN:
            return False
        return access_of(user).reviews or (self.led_by_staff(user) and self.status != Status.APPROVED)

    def can_review(self, user) -> bool:
        return access_of(user).reviews and self.status == Status.SUBMITTED

    def can_add_arrival(self, user) -> bool:
        return self.status != Status.WITHDRAWN and (access_of(user).reviews or self.led_by_staff(user))

    def can_verify_arrival(self, user) -> bool:
        return access_of(user).reviews

    def can_delete_arrival(self, user, arrival: "Arrival | None" = None) -> bool:
        """A correction of the ledger: staff delete their unit's entries until a reviewer has
        verified them; reviewers any entry. Nothing on a withdrawn project (kept as it was).
        Without `arrival`: whether the user may delete an unverified entry of this project."""
        if self.status == Status.WITHDRAWN or (arrival is not None and arrival.project_id != self.pk):
            return False
        verified = arrival is not None and arrival.verified
        return access_of(user).reviews or (self.led_by_staff(user) and not verified)

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
        """The engine's view; expects `cooperations` and `arrivals` prefetched."""
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
            arrivals=tuple((a.arrived_on, a.amount) for a in self.arrivals.all()),
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


class ArrivalQuerySet(ScopedQuerySet):
    def arrival_groups(self, period: scoring.Period, rules: scoring.Rules) -> list[scoring.ArrivalGroup]:
        """Arrivals in the period of counted projects, summed per unit and kind of credit: 2 queries."""
        counted = counted_condition(rules, period.end, "project__")
        lead = grouped(
            self.filter(counted, arrived_on__range=(period.start, period.end)),
            origin=F("project__origin"),
            n=F("project__cooperating_count"),
            credited_unit=F("project__lead_unit_id"),
        ).annotate(money=exact_sum("amount"))
        cooperating = grouped(
            Cooperation.objects.filter(
                counted,
                *self._as_project_filter("project__arrivals__in"),
                project__arrivals__arrived_on__range=(period.start, period.end),
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

    def __str__(self):
        return f"{self.project.code} {self.arrived_on} {self.amount}"


class ImportBatch(models.Model):
    """An uploaded import file awaiting its uploader's confirmation: nothing is written before."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "已放弃"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField("文件", upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    summary = models.TextField("导入结果", blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

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
