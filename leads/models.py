"""The pipeline before a signature (domain.md §10, §11): target enterprises, leads, activities,
and the stored weekly activity index."""

import datetime
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from access import permissions
from access.roles import access_of
from groups.models import SpecialGroup
from lib.sql import MONEY
from targets.models import RuleSet, Unit

# --- Target enterprises (目标企业库) -------------------------------------------------------------


class ListName(models.TextChoices):
    GLOBAL_500 = "global_500", "世界500强"
    CHINA_500 = "china_500", "中国500强"
    INDUSTRY_100 = "industry_100", "行业100强"
    LISTED = "listed", "上市公司"
    HIDDEN_CHAMPION = "hidden_champion", "隐形冠军"
    SINGLE_CHAMPION = "single_champion", "单项冠军"
    SPECIALISED = "specialised", "专精特新"


class TargetEnterprise(models.Model):
    """An enterprise the district courts, or one already here (本地企业) that anchors a chain link."""

    name = models.CharField("企业名称", max_length=200, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    province = models.CharField("所在省份", max_length=20, blank=True)
    city = models.CharField("所在城市", max_length=30, blank=True)
    is_local = models.BooleanField("本地企业", default=False, help_text="已在本区落户的企业。")
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="subsidiaries", verbose_name="所属集团总部"
    )
    chain_links = models.ManyToManyField("chains.ChainNode", blank=True, related_name="enterprises", verbose_name="产业链环节")
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    # The unit whose staff added it: they may edit it (access.permissions.can_edit_enterprise).
    created_by_unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入单位"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标企业"
        verbose_name_plural = "目标企业"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="enterprise_credit_code_once"),
        ]
        indexes = [
            models.Index(fields=["province", "city"], name="enterprise_region"),
            # Whether an enterprise is local, read from the index alone: the chain tree counts a
            # link's local and courted enterprises (figures.chains.with_figures) through it.
            models.Index(fields=["id", "is_local"], name="enterprise_local"),
        ]

    def __str__(self):
        return self.name


class ListMembership(models.Model):
    """An enterprise on a list (榜单): 世界500强 2021 第123位, source 财富."""

    enterprise = models.ForeignKey(TargetEnterprise, models.CASCADE, related_name="memberships", verbose_name="企业")
    list_name = models.CharField("榜单", max_length=20, choices=ListName.choices)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "榜单"
        verbose_name_plural = "榜单"
        ordering = ["list_name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "list_name", "year"], name="enterprise_on_a_list_once_a_year"),
        ]
        indexes = [models.Index(fields=["list_name", "enterprise"], name="membership_list")]

    def __str__(self):
        parts = [self.get_list_name_display(), str(self.year or ""), f"第{self.rank}位" if self.rank else ""]
        return " ".join(part for part in parts if part)


# --- Leads (招商线索) --------------------------------------------------------------------------------


class Channel(models.TextChoices):
    LEADERS = "leaders", "领导招商"
    BY_BUSINESS = "by_business", "以商招商"
    VISITS = "visits", "拜访招商"
    FUNDS = "funds", "基金招商"
    ASSOCIATIONS = "associations", "协会商会"
    AGENCIES = "agencies", "中介机构"
    OFFICES = "offices", "驻外招商"
    NEW_MEDIA = "new_media", "新媒体"
    PLATFORMS = "platforms", "平台招商"
    SCENES = "scenes", "场景招商"
    OTHER = "other", "其他"


class LeadStage(models.TextChoices):
    CLUE = "clue", "线索"
    CONTACT = "contact", "接洽"
    NEGOTIATING = "negotiating", "洽谈"
    ABOUT_TO_SIGN = "about_to_sign", "拟签约"
    SIGNED = "signed", "已签约"
    PAUSED = "paused", "暂缓"
    STOPPED = "stopped", "终止"


# Open stages: the lead needs an owner, a person, a next step and its deadline (domain.md §10).
OPEN_STAGES = (LeadStage.CLUE, LeadStage.CONTACT, LeadStage.NEGOTIATING, LeadStage.ABOUT_TO_SIGN)
# Stale after the rule set's lead_stale_days_early / lead_stale_days_late days without an activity.
EARLY_STAGES = (LeadStage.CLUE, LeadStage.CONTACT)
LATE_STAGES = (LeadStage.NEGOTIATING, LeadStage.ABOUT_TO_SIGN)


# What an open lead must have, and what to tell the user when it lacks it (domain.md §10).
REQUIRED_WHEN_OPEN = {
    "responsible_person": "进行中的线索必须有责任人。",
    "next_step": "进行中的线索必须写明下一步工作。",
    "deadline": "进行中的线索必须有下一步的截止日期。",
}
RESUME_DATE_REQUIRED = "暂缓的线索必须填写恢复跟进日期。"
STOP_REASON_REQUIRED = "终止的线索必须填写终止原因。"
SIGNED_ONLY_BY_CONVERSION = "「已签约」只能通过「转为签约项目」设置：请在线索页面点「转为签约项目」。"


# --- Overdue and stale (逾期、停滞): one definition, as SQL and for one lead -----------------------


@dataclass(frozen=True)
class StaleDays:
    """After how many days without an activity an open lead is stale, by stage group (rule-set data)."""

    early: int  # 线索、接洽
    late: int  # 洽谈、拟签约

    @classmethod
    def of(cls, rule_set: RuleSet) -> "StaleDays":
        return cls(early=rule_set.lead_stale_days_early, late=rule_set.lead_stale_days_late)

    @classmethod
    def for_day(cls, today: datetime.date) -> "StaleDays":
        """The rule set of `today`'s year, else the latest one, else the model's defaults: one query."""
        this_year_first = Case(When(year=today.year, then=Value(0)), default=Value(1))
        rule_set = RuleSet.objects.order_by(this_year_first, "-year").first() or RuleSet()
        return cls.of(rule_set)


def overdue_condition(today: datetime.date) -> Q:
    """Open and past its deadline: the deadline day itself is not overdue, the day after is."""
    return Q(stage__in=OPEN_STAGES, deadline__lt=today)


def _quiet_since(cut: datetime.date) -> Q:
    """No activity after `cut`: the last activity on or before it, else created on or before it."""
    return Q(last_activity_on__lte=cut) | Q(last_activity_on__isnull=True, created_at__date__lte=cut)


def stale_condition(today: datetime.date, days: StaleDays) -> Q:
    """Open and quiet for at least the stage's number of days: exactly N days after the last
    activity the lead is stale, N − 1 days after it is not."""
    early = Q(stage__in=EARLY_STAGES) & _quiet_since(today - datetime.timedelta(days=days.early))
    late = Q(stage__in=LATE_STAGES) & _quiet_since(today - datetime.timedelta(days=days.late))
    return early | late


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


@dataclass(frozen=True)
class Marks:
    overdue: bool
    stale: bool
    last_seen_on: datetime.date  # the last activity, else the day the lead was entered


def marks_of(lead: "Lead", *, today: datetime.date, days: StaleDays) -> Marks:
    """The same rule as overdue_condition and stale_condition, for one lead in memory."""
    last_seen = lead.last_activity_on or timezone.localdate(lead.created_at)
    overdue = lead.stage in OPEN_STAGES and lead.deadline is not None and lead.deadline < today
    quiet_days = days.early if lead.stage in EARLY_STAGES else days.late if lead.stage in LATE_STAGES else None
    stale = quiet_days is not None and (today - last_seen).days >= quiet_days
    return Marks(overdue=overdue, stale=stale, last_seen_on=last_seen)


@dataclass(frozen=True)
class UnitAlerts:
    unit_id: int
    unit_name: str
    open: int
    overdue: int
    stale: int


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeadQuerySet":
        """What `user` may see (permissions.sees_lead, in SQL): everything for reviewers and
        leaders; for a unit's staff the leads their unit owns and those of the special groups it
        works in (a landing unit, or a commissioner's unit: SpecialGroupQuerySet.of_unit);
        nothing for anyone else."""
        access = access_of(user)
        if permissions.sees_everything(access):
            return self
        unit_id = permissions.staff_unit_id(access)
        if unit_id is None:
            return self.none()
        groups = SpecialGroup.objects.of_unit(unit_id).values("pk")
        return self.filter(Q(owner_unit_id=unit_id) | Q(group_id__in=groups))

    def open(self) -> "LeadQuerySet":
        return self.filter(stage__in=OPEN_STAGES)

    def overdue(self, today: datetime.date) -> "LeadQuerySet":
        return self.filter(overdue_condition(today))

    def stale(self, today: datetime.date, days: StaleDays) -> "LeadQuerySet":
        return self.filter(stale_condition(today, days))

    def with_marks(self, today: datetime.date, days: StaleDays) -> "LeadQuerySet":
        """Annotated `is_overdue` and `is_stale`, computed by the database as of `today`."""
        return self.annotate(is_overdue=_flag(overdue_condition(today)), is_stale=_flag(stale_condition(today, days)))

    def count_per_stage(self) -> dict[str, int]:
        """Stage → number of leads (stages without any left out): one query."""
        return dict(self.order_by().values_list("stage").annotate(n=Count("pk")))

    def alerts_per_unit(self, today: datetime.date, days: StaleDays) -> list["UnitAlerts"]:
        """Each unit's open, overdue and stale leads, units with open leads only, in the units'
        order: one query."""
        rows = (
            self.open()
            .order_by()
            .values("owner_unit_id", "owner_unit__name", "owner_unit__sort_order")
            .annotate(
                open=Count("pk"),
                overdue=Count("pk", filter=overdue_condition(today)),
                stale=Count("pk", filter=stale_condition(today, days)),
            )
            .order_by("owner_unit__sort_order", "owner_unit__name")
        )
        return [UnitAlerts(r["owner_unit_id"], r["owner_unit__name"], r["open"], r["overdue"], r["stale"]) for r in rows]


class Lead(models.Model):
    """A lead (招商线索): a possible investment followed by one unit until it signs or stops."""

    code = models.CharField("线索编号", max_length=40, unique=True)
    name = models.CharField("线索名称", max_length=200)
    enterprise = models.ForeignKey(
        TargetEnterprise, models.PROTECT, null=True, blank=True, related_name="leads", verbose_name="目标企业"
    )
    owner_unit = models.ForeignKey(Unit, models.PROTECT, related_name="leads", verbose_name="责任单位")
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    group = models.ForeignKey(
        "groups.SpecialGroup", models.PROTECT, null=True, blank=True, related_name="leads", verbose_name="专项招商组"
    )
    chain_link = models.ForeignKey(
        "chains.ChainNode", models.PROTECT, null=True, blank=True, related_name="leads", verbose_name="产业链环节"
    )
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices, default=Channel.OTHER)
    stage = models.CharField("阶段", max_length=20, choices=LeadStage.choices, default=LeadStage.CLUE)
    intended_investment = models.DecimalField(
        "意向投资额（亿元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    next_step = models.CharField("下一步", max_length=200, blank=True)
    deadline = models.DateField("截止日期", null=True, blank=True)
    resume_on = models.DateField("恢复跟进日期", null=True, blank=True)
    stop_reason = models.TextField("终止原因", blank=True)
    last_activity_on = models.DateField("最近活动日期", null=True, blank=True)
    project = models.OneToOneField(
        "projects.Project", models.SET_NULL, null=True, blank=True, related_name="lead", verbose_name="签约项目"
    )
    # Since when the daily job (leads.services.mark_lead_alerts) has found the lead overdue or
    # stale; pages compute the marks live, these only say since when.
    overdue_since = models.DateField("逾期起始日", null=True, blank=True, editable=False)
    stale_since = models.DateField("停滞起始日", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["overdue_since", "stale_since"])
    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = "招商线索"
        verbose_name_plural = "招商线索"
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intended_investment__isnull=True) | Q(intended_investment__gte=0),
                name="lead_intended_investment_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_unit", "stage", "deadline"], name="lead_unit_board"),
            models.Index(fields=["group", "stage", "deadline"], name="lead_group_board"),
            models.Index(fields=["stage", "deadline"], name="lead_stage_deadline"),
            # The list's default order (Meta.ordering): its first page reads 25 rows in order, not all of them.
            models.Index(fields=["deadline", "id"], name="lead_list_order"),
            # A link's open leads, counted from the index alone (the chain tree: its page and the battle map).
            models.Index(fields=["chain_link", "stage"], name="lead_chain_stage"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    Stage = LeadStage
    # A lead may become a project from these stages (access.permissions.can_convert_lead).
    CONVERTIBLE_STAGES = (*OPEN_STAGES, LeadStage.PAUSED)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def clean(self):
        errors = {}
        if self.stage in OPEN_STAGES:
            errors = {name: message for name, message in REQUIRED_WHEN_OPEN.items() if not getattr(self, name)}
        elif self.stage == LeadStage.PAUSED and self.resume_on is None:
            errors["resume_on"] = RESUME_DATE_REQUIRED
        elif self.stage == LeadStage.STOPPED and not self.stop_reason.strip():
            errors["stop_reason"] = STOP_REASON_REQUIRED
        elif self.stage == LeadStage.SIGNED and self.project_id is None:
            errors["stage"] = SIGNED_ONLY_BY_CONVERSION
        if errors:
            raise ValidationError(errors)

    def marks(self, *, today: datetime.date, days: StaleDays) -> Marks:
        return marks_of(self, today=today, days=days)


# --- Activities (招商活动台账) --------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    VISIT_OUT = "visit_out", "外出拜访"
    VISIT_IN = "visit_in", "企业来访"
    EVENT = "event", "招商活动"
    TALKS = "talks", "洽谈"
    INSPECTION = "inspection", "考察"
    PUBLICITY = "publicity", "新闻宣传"


def attachment_path(activity: "Activity", filename: str) -> str:
    """A random stored name: the user's file name is kept in `attachment_name`, never used as a path."""
    extension = Path(filename).suffix.lower()[:10]
    return f"activities/{activity.date:%Y}/{uuid.uuid4().hex}{extension}"


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityQuerySet":
        """What `user` may see: everything for reviewers and leaders; for a unit's staff the
        activities their unit recorded and those of the leads they may see (LeadQuerySet.visible_to),
        whoever recorded them; nothing for anyone else."""
        access = access_of(user)
        if permissions.sees_everything(access):
            return self
        unit_id = permissions.staff_unit_id(access)
        if unit_id is None:
            return self.none()
        return self.filter(Q(unit_id=unit_id) | Q(lead_id__in=Lead.objects.visible_to(user).values("pk")))


class Activity(models.Model):
    """One entry of the activity ledger: a visit, a visitor, an event, talks, an inspection, publicity."""

    kind = models.CharField("类型", max_length=20, choices=ActivityKind.choices)
    date = models.DateField("日期")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="activities", verbose_name="单位")
    participants = models.CharField("参加人员", max_length=200, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    summary = models.CharField("事由", max_length=200)
    lead = models.ForeignKey(Lead, models.SET_NULL, null=True, blank=True, related_name="activities", verbose_name="线索")
    enterprise = models.ForeignKey(
        TargetEnterprise, models.SET_NULL, null=True, blank=True, related_name="activities", verbose_name="目标企业"
    )
    attachment = models.FileField("附件", upload_to=attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField("附件原文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "招商活动"
        verbose_name_plural = "招商活动"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["date", "kind", "unit"], name="activity_week_count"),
            models.Index(fields=["unit", "date"], name="activity_unit_ledger"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.unit} {self.get_kind_display()} {self.summary}"


# --- The weekly activity index, as computed and stored (domain.md §11) ------------------------------


class WeeklyIndex(models.Model):
    """One unit's activity index for one ISO week, stored by the Monday job (recomputable)."""

    year = models.PositiveSmallIntegerField("ISO年")
    week = models.PositiveSmallIntegerField("ISO周")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="weekly_indexes", verbose_name="单位")
    index = models.DecimalField("活跃指数", max_digits=12, decimal_places=6)
    rank = models.PositiveSmallIntegerField("排名")
    # {"signed": {"count": 2, "score": "100"}, …}: each part's count and score as the week had them.
    parts = models.JSONField("各部分")
    rules_year = models.PositiveSmallIntegerField("权重所依规则年度")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "招商活跃指数"
        verbose_name_plural = "招商活跃指数"
        ordering = ["-year", "-week", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "week", "unit"], name="weekly_index_once_per_unit")]

    def __str__(self):
        return f"{self.year}年第{self.week}周 {self.unit} {self.index}"
