"""The milestones form: for each of 注册/开工/投产/达产 a planned date, an actual date and an
optional evidence file, checked as the arrived-capital entry is (projects.forms), with every
message next to its field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from lib.uploads import file_problem
from projects.forms import EARLIEST_SIGNING

from .models import MILESTONE_ORDER, Milestone
from .rules import ACTUAL, PLANNED, Dates, date_problems, field_name
from .services import MilestoneEntry

DATE_INPUT = {"type": "date"}
EVIDENCE_EXAMPLE = "营业执照、开工报告或现场照片的扫描件"


def evidence_field_name(kind: str) -> str:
    return f"{kind}_evidence"


class MilestonesForm(forms.Form):
    """All four milestones of one project. `milestones`: the stored ones (kind → Milestone), the
    form's initial values; `signed_on`: the project's signing date, which the dates may not precede."""

    def __init__(self, *args, milestones: dict[str, Milestone], signed_on, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_on = signed_on
        kinds, megabytes = "、".join(settings.EVIDENCE_EXTENSIONS), settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        for kind in MILESTONE_ORDER:
            stored = milestones.get(kind)
            for which, label in ((PLANNED, "计划日期"), (ACTUAL, "实际日期")):
                name = field_name(kind, which)
                self.fields[name] = forms.DateField(
                    label=f"{kind.label}{label}",
                    required=False,
                    input_formats=["%Y-%m-%d", "%Y/%m/%d"],
                    widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
                    error_messages={"invalid": "请填写如 2021-03-15 的日期。"},
                )
                self.initial.setdefault(name, getattr(stored, which) if stored else None)
            self.fields[evidence_field_name(kind)] = forms.FileField(
                label=f"{kind.label}凭证（可选）",
                required=False,
                help_text=f"营业执照、开工报告、投产照片等，{kinds} 格式，不超过 {megabytes} MB；上传新文件替换原有凭证。",
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
        self.fields[field_name(MILESTONE_ORDER[0], ACTUAL)].help_text = "没有在本地注册公司的（如本地现有企业的项目）可不填。"

    def rows(self):
        """(kind, planned field, actual field, evidence field) for each milestone, for the template."""
        return [
            (kind, self[field_name(kind, PLANNED)], self[field_name(kind, ACTUAL)], self[evidence_field_name(kind)])
            for kind in MILESTONE_ORDER
        ]

    def clean(self):
        cleaned = super().clean()
        for kind in MILESTONE_ORDER:
            for which in (PLANNED, ACTUAL):
                day = cleaned.get(field_name(kind, which))
                if day is not None and day < EARLIEST_SIGNING:
                    self.add_error(field_name(kind, which), "日期不能早于 2000 年，请检查年份。")
            upload = cleaned.get(evidence_field_name(kind))
            if upload:
                problem = file_problem(
                    upload,
                    extensions=settings.EVIDENCE_EXTENSIONS,
                    max_bytes=settings.EVIDENCE_MAX_BYTES,
                    example=EVIDENCE_EXAMPLE,
                )
                if problem:
                    self.add_error(evidence_field_name(kind), problem)
        if not self.errors:
            dates = {
                kind: Dates(cleaned.get(field_name(kind, PLANNED)), cleaned.get(field_name(kind, ACTUAL))) for kind in MILESTONE_ORDER
            }
            for name, message in date_problems(dates, signed_on=self.signed_on, today=timezone.localdate()).items():
                self.add_error(name, message)
        return cleaned

    def entries(self) -> dict[str, MilestoneEntry]:
        """What the service takes: kind → MilestoneEntry."""
        data = self.cleaned_data
        return {
            kind: MilestoneEntry(
                planned_on=data.get(field_name(kind, PLANNED)),
                actual_on=data.get(field_name(kind, ACTUAL)),
                evidence=data.get(evidence_field_name(kind)) or None,
            )
            for kind in MILESTONE_ORDER
        }
