"""Bulletins (季通报, 年考核), the jobs that generate them, and in-app notifications."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from access import permissions
from access.roles import access_of

from .snapshot import Snapshot, bulletin_title, from_json

QUARTER = {"validators": [MinValueValidator(1), MaxValueValidator(4)]}


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BulletinQuerySet":
        """Reviewers see drafts too; everyone else only what has been published."""
        if permissions.sees_drafts(access_of(user)):
            return self
        return self.filter(state=Bulletin.State.PUBLISHED)

    def without_documents(self) -> "BulletinQuerySet":
        """Lists need neither the files nor the snapshot."""
        return self.defer("snapshot", "pdf", "xlsx")


class Bulletin(models.Model):
    """One period's bulletin: its figures (the snapshot) and the documents made from them.

    Q1–Q3 are quarterly bulletins (季通报), Q4 is the year-end assessment (年考核). One per
    year and quarter (a database constraint). A draft may be generated again; a published
    bulletin never changes (reports.services).
    """

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", **QUARTER)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    # The snapshot's district, for the title and file names without reading the snapshot.
    district = models.CharField("区县名称", max_length=30, blank=True)
    snapshot = models.JSONField("数据快照")
    pdf = models.BinaryField("PDF")
    xlsx = models.BinaryField("Excel")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="生成人"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发布人"
    )

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_bulletin_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="bulletin_quarter_1_to_4"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="published", published_at__isnull=False),
                name="published_bulletin_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.get_state_display()}）"

    @property
    def title(self) -> str:
        return bulletin_title(self.district, self.year, self.quarter)

    @property
    def kind_label(self) -> str:
        return "年度考核" if self.annual else "季度通报"

    @property
    def annual(self) -> bool:
        return self.quarter == 4

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def read_snapshot(self) -> Snapshot:
        return from_json(self.snapshot)

    def filename(self, extension: str) -> str:
        suffix = "年度考核" if self.annual else f"第{self.quarter}季度通报"
        draft = "" if self.is_published else "（草稿）"
        return f"{self.district}招商引资{self.year}年{suffix}{draft}.{extension}"


class GenerationJobQuerySet(models.QuerySet):
    def for_display(self) -> "GenerationJobQuerySet":
        """With what a job's row shows: the requester and the bulletin (without its documents)."""
        return self.select_related("requested_by", "bulletin").defer(
            "bulletin__snapshot", "bulletin__pdf", "bulletin__xlsx"
        )


class GenerationJob(models.Model):
    """A request to generate one period's bulletin, and how it went: what the reports page shows."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    FINISHED = (State.DONE, State.FAILED)

    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", **QUARTER)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.QUEUED)
    outcome = models.CharField("结果", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    bulletin = models.ForeignKey(
        Bulletin, models.SET_NULL, null=True, blank=True, related_name="jobs", verbose_name="通报"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = GenerationJobQuerySet.as_manager()

    class Meta:
        verbose_name = "通报生成任务"
        verbose_name_plural = "通报生成任务"
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度 · {self.get_state_display()}"

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def result(self) -> str:
        """What the job's row says now: once its bulletin is published, that it is (no longer 待审核员发布)."""
        if self.state == self.State.DONE and self.bulletin_id and self.bulletin.is_published:
            return "通报已发布。"
        return self.outcome

    @property
    def requested_by_label(self) -> str:
        return self.requested_by.get_username() if self.requested_by else "定时任务"


class NotificationQuerySet(models.QuerySet):
    def unread_for(self, user) -> "NotificationQuerySet":
        return self.filter(user=user, read_at__isnull=True)


class Notification(models.Model):
    """A message to one user inside the app (e.g. a draft bulletin awaits publication)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name="用户")
    message = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message
