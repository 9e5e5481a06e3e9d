from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from lib.sql import MONEY

from . import landing_rules, scoring

RATIO = {"max_digits": 7, "decimal_places": 4}


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, **MONEY, validators=[MinValueValidator(Decimal(0))], **kwargs)


class UnitKind(models.TextChoices):
    PARK = "park", "园区"
    DEPARTMENT = "department", "区级部门"
    OTHER = "other", "其他单位"


class UnitQuerySet(models.QuerySet):
    def assessed(self):
        """Units ranked in the assessment: parks and departments."""
        return self.filter(kind__in=[UnitKind.PARK, UnitKind.DEPARTMENT], is_active=True)

    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(models.Model):
    """A responsible unit (责任单位): a park or a district department."""

    name = models.CharField("单位名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=20, choices=UnitKind.choices)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def as_scoring_unit(self) -> scoring.Unit:
        return scoring.Unit(self.id, self.name, self.kind)


class RuleSetQuerySet(models.QuerySet):
    def get_by_natural_key(self, year):
        return self.get(year=year)


class RuleSet(models.Model):
    """One year's rules (domain.md §2–§5): tier thresholds, weights, score formula."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    major_investment = models.DecimalField("重大项目投资门槛（亿元）", **MONEY)
    major_output = models.DecimalField("重大项目产值门槛（亿元）", **MONEY)
    large_investment = models.DecimalField("较大项目投资门槛（亿元）", **MONEY)
    large_output = models.DecimalField("较大项目产值门槛（亿元）", **MONEY)
    key_investment = models.DecimalField("重点项目投资门槛（亿元）", **MONEY)
    general_industrial_investment = models.DecimalField("一般项目工业投资门槛（亿元）", **MONEY)
    general_non_industrial_investment = models.DecimalField("一般项目非工业投资门槛（亿元）", **MONEY)
    weight_outside_city = models.DecimalField("市外项目权重", **RATIO)
    weight_inside_city = models.DecimalField("区外市内项目权重", **RATIO)
    weight_inside_district = models.DecimalField("区内项目权重", **RATIO)
    lead_share = models.DecimalField("联合招商牵头单位占比", **RATIO)
    score_agreement_capital = models.DecimalField("协议资金分值权重", **RATIO)
    score_arrived_capital = models.DecimalField("到位资金分值权重", **RATIO)
    score_major_projects = models.DecimalField("重大项目分值权重", **RATIO)
    score_large_projects = models.DecimalField("较大项目分值权重", **RATIO)
    score_key_projects = models.DecimalField("重点项目分值权重", **RATIO)
    score_non_industrial = models.DecimalField("非工业协议资金分值权重", **RATIO)
    rate_cap = models.DecimalField("完成率计分上限", **RATIO)
    # Landing (domain.md §9): the start deadline and the colours of a project's follow-up.
    start_limit_days = models.PositiveSmallIntegerField("开工时限（签约后天数）", default=180, validators=[MinValueValidator(1)])
    deadline_warning_days = models.PositiveSmallIntegerField("开工时限临近预警（天）", default=30, validators=[MinValueValidator(1)])
    quiet_yellow_days = models.PositiveSmallIntegerField("无更新黄色预警（天）", default=60, validators=[MinValueValidator(1)])
    quiet_red_days = models.PositiveSmallIntegerField("无更新红色预警（天）", default=90, validators=[MinValueValidator(1)])
    # Leads (domain.md §10): days without an activity before an open lead is stale.
    lead_stale_days_early = models.PositiveSmallIntegerField("线索、接洽阶段无活动转为停滞（天）", default=30, validators=[MinValueValidator(1)])
    lead_stale_days_late = models.PositiveSmallIntegerField("洽谈、拟签约阶段无活动转为停滞（天）", default=21, validators=[MinValueValidator(1)])
    # The weekly activity index (domain.md §11): the weight of each part.
    index_weight_signed = models.DecimalField("活跃指数权重：项目签约", **RATIO, default=Decimal(25))
    index_weight_started = models.DecimalField("活跃指数权重：项目开工", **RATIO, default=Decimal(25))
    index_weight_visits_out = models.DecimalField("活跃指数权重：外出拜访", **RATIO, default=Decimal(15))
    index_weight_visits_in = models.DecimalField("活跃指数权重：企业来访", **RATIO, default=Decimal(15))
    index_weight_events = models.DecimalField("活跃指数权重：招商活动", **RATIO, default=Decimal(10))
    index_weight_publicity = models.DecimalField("活跃指数权重：新闻宣传", **RATIO, default=Decimal(10))

    history = HistoricalRecords()
    objects = RuleSetQuerySet.as_manager()

    INDEX_WEIGHTS = {
        "signed": "index_weight_signed",
        "started": "index_weight_started",
        "visits_out": "index_weight_visits_out",
        "visits_in": "index_weight_visits_in",
        "events": "index_weight_events",
        "publicity": "index_weight_publicity",
    }

    class Meta:
        verbose_name = "年度规则"
        verbose_name_plural = "年度规则"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_outside_city__gte=0, weight_outside_city__lte=1)
                & Q(weight_inside_city__gte=0, weight_inside_city__lte=1)
                & Q(weight_inside_district__gte=0, weight_inside_district__lte=1),
                name="ruleset_origin_weights_between_0_and_1",
            ),
            models.CheckConstraint(condition=Q(lead_share__gt=0, lead_share__lte=1), name="ruleset_lead_share_in_0_1"),
            models.CheckConstraint(
                condition=Q(
                    major_investment__gte=0,
                    major_output__gte=0,
                    large_investment__gte=0,
                    large_output__gte=0,
                    key_investment__gte=0,
                    general_industrial_investment__gte=0,
                    general_non_industrial_investment__gte=0,
                    score_agreement_capital__gte=0,
                    score_arrived_capital__gte=0,
                    score_major_projects__gte=0,
                    score_large_projects__gte=0,
                    score_key_projects__gte=0,
                    score_non_industrial__gte=0,
                    rate_cap__gt=0,
                ),
                name="ruleset_numbers_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    index_weight_signed__gte=0,
                    index_weight_started__gte=0,
                    index_weight_visits_out__gte=0,
                    index_weight_visits_in__gte=0,
                    index_weight_events__gte=0,
                    index_weight_publicity__gte=0,
                ),
                name="ruleset_index_weights_not_negative",
            ),
            models.CheckConstraint(condition=Q(quiet_red_days__gte=F("quiet_yellow_days")), name="ruleset_quiet_red_after_yellow"),
        ]

    def __str__(self):
        return f"{self.year}年规则"

    def natural_key(self):
        return (self.year,)

    def index_weights(self) -> dict[str, Decimal]:
        """The activity index's weight of each part (domain.md §11), keyed as the index names its parts."""
        return {part: getattr(self, field) for part, field in self.INDEX_WEIGHTS.items()}

    def as_landing_rules(self) -> landing_rules.LandingRules:
        """The start deadline and the colours' numbers (domain.md §9)."""
        return landing_rules.LandingRules(
            start_limit_days=self.start_limit_days,
            deadline_warning_days=self.deadline_warning_days,
            quiet_yellow_days=self.quiet_yellow_days,
            quiet_red_days=self.quiet_red_days,
        )

    def as_rules(self) -> scoring.Rules:
        return scoring.Rules(
            year=self.year,
            major_investment=self.major_investment,
            major_output=self.major_output,
            large_investment=self.large_investment,
            large_output=self.large_output,
            key_investment=self.key_investment,
            general_industrial_investment=self.general_industrial_investment,
            general_non_industrial_investment=self.general_non_industrial_investment,
            origin_weights={
                scoring.Origin.OUTSIDE_CITY: self.weight_outside_city,
                scoring.Origin.INSIDE_CITY: self.weight_inside_city,
                scoring.Origin.INSIDE_DISTRICT: self.weight_inside_district,
            },
            lead_share=self.lead_share,
            indicator_weights={
                scoring.Indicator.MAJOR_PROJECTS: self.score_major_projects,
                scoring.Indicator.LARGE_PROJECTS: self.score_large_projects,
                scoring.Indicator.KEY_PROJECTS: self.score_key_projects,
                scoring.Indicator.AGREEMENT_CAPITAL: self.score_agreement_capital,
                scoring.Indicator.NON_INDUSTRIAL_AGREEMENT_CAPITAL: self.score_non_industrial,
                scoring.Indicator.ARRIVED_CAPITAL: self.score_arrived_capital,
            },
            rate_cap=self.rate_cap,
        )


class UnitTargetQuerySet(models.QuerySet):
    def get_by_natural_key(self, year, unit_name):
        return self.get(year=year, unit__name=unit_name)


def positive_or_null(*names: str) -> Q:
    condition = Q()
    for name in names:
        condition &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gt": 0})
    return condition


class UnitTarget(models.Model):
    """A unit's targets for one year. An empty indicator is *no target* (not assessed), not 0."""

    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="targets", verbose_name="责任单位")
    major_projects = models.PositiveSmallIntegerField("重大项目（个）", null=True, blank=True)
    large_projects = models.PositiveSmallIntegerField("较大项目（个）", null=True, blank=True)
    key_projects = models.PositiveSmallIntegerField("重点项目（个）", null=True, blank=True)
    agreement_capital = money_field("协议资金（亿元）", null=True, blank=True)
    non_industrial_agreement_capital = money_field("其中：非工业（亿元）", null=True, blank=True)
    arrived_capital = money_field("到位资金（亿元）", null=True, blank=True)

    history = HistoricalRecords()
    objects = UnitTargetQuerySet.as_manager()

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["year", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="one_target_row_per_unit_and_year"),
            models.CheckConstraint(
                condition=positive_or_null(*(i.value for i in scoring.Indicator)),
                name="target_positive_or_absent",
                violation_error_message="目标值须大于0；不考核的指标请留空。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.unit}"

    def natural_key(self):
        return (self.year, self.unit.name)

    natural_key.dependencies = ["targets.unit"]

    def as_scoring_targets(self) -> dict[scoring.Indicator, Decimal | None]:
        values = {}
        for indicator in scoring.Indicator:
            value = getattr(self, indicator.value)
            values[indicator] = None if value is None else Decimal(value)
        return values


class FiveYearGoalManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class FiveYearGoal(models.Model):
    """The district's five-year goal, e.g. "5311" for 2021–2025 (domain.md §1)."""

    name = models.CharField("名称", max_length=20, unique=True)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    annual_agreement_capital = money_field("每年协议资金（亿元）")
    total_agreement_capital = money_field("累计协议资金（亿元）")
    enterprises_over_100yi = models.PositiveSmallIntegerField("新引进培育产值100亿级企业（个）")
    total_arrived_capital = money_field("累计到位资金（亿元）")

    objects = FiveYearGoalManager()

    class Meta:
        verbose_name = "五年目标"
        verbose_name_plural = "五年目标"
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="goal_years_in_order"),
        ]

    def __str__(self):
        return f"“{self.name}”目标（{self.start_year}–{self.end_year}）"

    def natural_key(self):
        return (self.name,)


class Membership(models.Model):
    """The unit a staff member (单位填报员) enters projects for: exactly one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="membership", verbose_name="用户"
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="memberships", verbose_name="所属单位")

    class Meta:
        verbose_name = "单位填报员"
        verbose_name_plural = "单位填报员"

    def __str__(self):
        return f"{self.user} · {self.unit}"


# --- The organisation using the system ---------------------------------------------------


class Organisation(models.Model):
    """The district the system serves (地区设置): its names, as pages, documents and codes say them.

    One record (id 1, a database constraint), loaded with the district's reference data and
    edited in the admin; none of these names is written in the code. Read it once per request
    through `targets.context.organisation_of`; without the record (a fresh database before
    `loaddata`) `Organisation.current()` answers neutral names.
    """

    ONLY = 1
    CODE_PREFIX = r"[A-Z]{1,6}"

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY, editable=False)
    district = models.CharField("区县名称", max_length=30, help_text="如 某某区；用于通报标题、下载文件名和项目来源说明。")
    city = models.CharField("所属城市", max_length=30, help_text="如 某某市；用于项目来源（市外、区外市内）的说明。")
    issuer = models.CharField("发布单位", max_length=50, help_text="通报的发文单位，如 某某区招商投资局。")
    system_title = models.CharField("系统名称", max_length=50, help_text="页面标题、管理后台和 PDF 属性中的系统名称。")
    code_prefix = models.CharField(
        "项目编号前缀",
        max_length=6,
        validators=[RegexValidator(f"^{CODE_PREFIX}$", "请填写 1 至 6 个大写英文字母。")],
        help_text="自动生成的项目编号为 前缀＋签约年份＋5位序号，如 XM2021-00001。修改后，新编号使用新前缀，已有编号不变。",
    )

    class Meta:
        verbose_name = "地区设置"
        verbose_name_plural = "地区设置"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_organisation")]

    def __str__(self):
        return self.system_title

    @classmethod
    def current(cls) -> "Organisation":
        """The record, or (none loaded yet) an unsaved one with neutral names. One query."""
        return cls.objects.filter(pk=cls.ONLY).first() or cls.neutral()

    @classmethod
    def neutral(cls) -> "Organisation":
        return cls(district="本区", city="本市", issuer="招商投资主管部门", system_title="招商引资目标考核系统", code_prefix="XM")

    def origin_meanings(self) -> dict[scoring.Origin, str]:
        """What each project origin (项目来源) means here, in words."""
        return {
            scoring.Origin.OUTSIDE_CITY: f"{self.city}以外，含境外",
            scoring.Origin.INSIDE_CITY: f"{self.city}内、{self.district}外",
            scoring.Origin.INSIDE_DISTRICT: f"{self.district}内",
        }

    def origin_help(self) -> str:
        """市外（X市以外，含境外）、区外市内（X市内、Y区外）或 区内（Y区内）。"""
        parts = [f"{origin.label}（{meaning}）" for origin, meaning in self.origin_meanings().items()]
        return f"{'、'.join(parts[:-1])}或 {parts[-1]}。"
