"""The activity ledger's forms: one activity (with its optional attachment) and the list's filters.

Who records for which unit: a unit's staff for their own unit (the form has no unit field);
reviewers for any active park or department (Unit.objects.assessed()). Which lead: one the user
may record for (permissions.can_record_activity_for, as SQL in leads_to_record_for): a unit's
staff the leads their unit owns, a reviewer any lead, typed by its code (leads/forms/choices.py:
the lists are too long to offer); another lead's code is refused like an unknown one. So the activity's unit and the lead's owner unit differ only
when a reviewer records it; a group's landing units read the lead's activities but keep theirs
apart (kept simple: one unit answers for a lead's ledger and its last-activity date).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from access import permissions
from access.roles import access_of
from lib.uploads import file_problem
from projects.forms import EARLIEST_SIGNING, OneLineField
from targets.models import Unit

from .choices import EnterpriseField, LeadCodeField
from ..models import Activity, ActivityKind, Lead

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FUTURE_DATE = "活动日期不能晚于今天：活动举行后再登记。"
TOO_EARLY = "活动日期不能早于 2000 年，请检查年份。"
UNKNOWN_LEAD = "没有这个编号的线索，或您无权为它登记活动。"
UNKNOWN_ENTERPRISE = "企业库中没有这家企业：请核对全称或统一社会信用代码。"
UNKNOWN_UNIT = "请选择有效的单位（启用中的园区或区级部门）。"


def leads_to_record_for(user) -> QuerySet:
    """The leads `user` may record an activity for: permissions.can_record_activity_for in SQL."""
    access = access_of(user)
    leads = Lead.objects.visible_to(user)
    return leads if permissions.reviews(access) else leads.filter(owner_unit_id=permissions.staff_unit_id(access))


class ActivityForm(forms.ModelForm):
    """Record or correct one activity. `user` decides the unit and the leads offered."""

    attachment = forms.FileField(label="附件（可选）", required=False)

    class Meta:
        model = Activity
        fields = ["kind", "date", "unit", "summary", "participants", "place", "lead", "enterprise"]
        field_classes = {
            "summary": OneLineField, "participants": OneLineField, "place": OneLineField,
            "lead": LeadCodeField, "enterprise": EnterpriseField,
        }  # fmt: skip
        widgets = {"date": DATE}
        help_texts = {
            "summary": "这次活动做了什么，如「赴深圳拜访某某公司，洽谈二期扩产」。",
            "participants": "如「张三（园区主任）、李四」。",
            "lead": "可不填。填写线索编号；为线索登记的活动会更新该线索的最近活动日期。",
            "enterprise": "可不填。填写企业库中的企业全称或统一社会信用代码。",
        }
        error_messages = {
            "kind": {"required": "请选择活动类型。"},
            "date": {"required": "请填写活动日期。", "invalid": "活动日期格式不对，请写成 2021-06-08。"},
            "summary": {"required": "请填写事由：这次活动做了什么。"},
            "unit": {"required": "请选择单位。", "invalid_choice": UNKNOWN_UNIT},
            "lead": {"invalid_choice": UNKNOWN_LEAD},
            "enterprise": {"invalid_choice": UNKNOWN_ENTERPRISE},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_of(user)
        activity = self.instance
        if permissions.reviews(access):
            units = Unit.objects.filter(Q(pk__in=Unit.objects.assessed()) | Q(pk=activity.unit_id or 0))
            self.fields["unit"].queryset = units
            self.fields["unit"].empty_label = "请选择单位"
        else:
            del self.fields["unit"]  # staff record for their own unit
            if activity.pk is None:
                activity.unit = access.unit
        # An activity being corrected keeps the lead it has, whoever recorded it.
        offered = leads_to_record_for(user).values("pk")
        self.fields["lead"].queryset = Lead.objects.filter(Q(pk__in=offered) | Q(pk=activity.lead_id or 0))
        self.fields["date"].input_formats = DATE_FORMATS
        kinds, megabytes = "、".join(settings.EVIDENCE_EXTENSIONS), settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["attachment"].help_text = f"签到表、照片、会议纪要等，{kinds} 格式，不超过 {megabytes} MB。"
        if activity.attachment:
            self.fields["attachment"].help_text += f"已有附件「{activity.attachment_name}」，上传新文件将替换它。"
        accept = ",".join(f".{kind}" for kind in settings.EVIDENCE_EXTENSIONS)
        self.fields["attachment"].widget = forms.FileInput(attrs={"accept": accept})

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        if date < EARLIEST_SIGNING:
            raise forms.ValidationError(TOO_EARLY)
        return date

    def clean_attachment(self):
        """The evidence rules (extension, size, the first bytes): projects.forms.file_problem."""
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        problem = file_problem(
            upload,
            extensions=settings.EVIDENCE_EXTENSIONS,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            what="附件",
            example="签到表、照片、会议纪要的扫描件",
        )
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def facts(self) -> dict:
        """The model fields this form sets, as the services take them (the attachment apart)."""
        facts = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        facts["unit"] = self.cleaned_data["unit"] if "unit" in self.fields else self.instance.unit
        return facts


class ActivityFilter(django_filters.FilterSet):
    """Filters over the activities a user may see. A lead's or an enterprise's page links here
    with `?lead=<id>` or `?enterprise=<id>`."""

    date_from = django_filters.DateFilter(
        label="日期从", field_name="date", lookup_expr="gte", widget=DATE, input_formats=DATE_FORMATS
    )
    date_to = django_filters.DateFilter(
        label="日期到", field_name="date", lookup_expr="lte", widget=DATE, input_formats=DATE_FORMATS
    )
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Unit.objects.assessed(), empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=ActivityKind.choices, empty_label="全部")
    keyword = django_filters.CharFilter(
        label="关键词",
        method="filter_keyword",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "事由、人员、地点、线索或企业"}),
    )
    lead = django_filters.NumberFilter(field_name="lead_id", widget=forms.HiddenInput)
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", widget=forms.HiddenInput)

    class Meta:
        model = Activity
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet:
        """None while the filters are invalid: a page or an export never shows rows for filters
        other than those the user asked for."""
        if not hasattr(self, "_qs"):
            rows = self.queryset.all()
            if self.is_bound:
                rows = self.filter_queryset(rows) if self.form.is_valid() else rows.none()
            self._qs = rows
        return self._qs

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        fields = ("summary", "participants", "place", "lead__code", "lead__name", "enterprise__name")
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
