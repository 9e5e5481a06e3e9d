"""The task report's form and the comment of a return: server-side checks, Chinese messages."""

from django import forms

from .models import FIELD_REQUIRED, TaskReport, TaskStatus
from .services import RETURN_COMMENT_REQUIRED

TEXT = forms.Textarea(attrs={"rows": 5})


class TaskReportForm(forms.Form):
    """进展情况, 存在问题, 下步计划 and the status; the rules are TaskReport.clean's, checked again
    by the service (a plain form: a model form would report a missing field twice)."""

    progress = forms.CharField(
        label="进展情况", widget=TEXT, error_messages={"required": FIELD_REQUIRED["progress"]},
        help_text="本季度围绕该任务做了哪些工作、取得了哪些成效。",
    )
    problems = forms.CharField(label="存在问题", widget=TEXT, required=False, help_text="没有可填“无”。")
    next_steps = forms.CharField(
        label="下步计划", widget=TEXT, error_messages={"required": FIELD_REQUIRED["next_steps"]}, help_text="下季度的工作安排。"
    )
    status = forms.ChoiceField(
        label="推进状态", choices=TaskStatus.choices, widget=forms.RadioSelect,
        error_messages={"required": FIELD_REQUIRED["status"], "invalid_choice": "请选择推进状态：正常推进、滞后或已完成。"},
    )

    @classmethod
    def initial_from(cls, report: TaskReport | None) -> dict | None:
        """What a correction or a refile starts from: the report as filed."""
        if report is None or not report.filed:
            return None
        return {name: getattr(report, name) for name in cls.base_fields}

    def facts(self) -> dict:
        return dict(self.cleaned_data)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": RETURN_COMMENT_REQUIRED},
        help_text="写明需要补充或修改的内容，填报单位将在待办事项中看到。",
    )


class GroupReportForm(forms.Form):
    text = forms.CharField(
        label="本季度工作情况",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "请填写本组本季度的工作情况。"},
        help_text="本组招商工作的开展情况、存在问题和下步打算。本组数据由系统在提交时自动附上并固定。",
    )
