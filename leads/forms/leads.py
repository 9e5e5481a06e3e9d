"""The lead form and the stage change: server-side checks, Chinese messages. The rules of an
open, paused or stopped lead are Lead.clean's; the form shows its messages by the fields."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from access import permissions
from access.roles import access_of
from chains.models import ChainNode, Level
from groups.models import SpecialGroup
from projects.forms import MoneyField, OneLineField
from targets.models import Unit

from .choices import EnterpriseField
from ..models import OPEN_STAGES, RESUME_DATE_REQUIRED, STOP_REASON_REQUIRED, Lead, LeadStage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeadForm(forms.ModelForm):
    """Create or edit a lead. Staff enter for their own unit (no owner-unit choice); reviewers
    choose it. A new lead starts in an open stage; later its stage moves by the stage change."""

    intended_investment = MoneyField(label="意向投资额（亿元）", required=False, help_text="可不填。单位亿元，最多 4 位小数。")

    class Meta:
        model = Lead
        fields = [
            "code", "name", "enterprise", "owner_unit", "responsible_person", "group", "chain_link", "channel",
            "stage", "intended_investment", "next_step", "deadline",
        ]  # fmt: skip
        field_classes = {
            "code": OneLineField, "name": OneLineField, "responsible_person": OneLineField, "next_step": OneLineField,
            "enterprise": EnterpriseField,
        }  # fmt: skip
        widgets = {"deadline": DATE}
        help_texts = {
            "next_step": "进行中的线索必填：下一步做什么。",
            "deadline": "进行中的线索必填：下一步的截止日期，过期即为逾期。",
            "responsible_person": "进行中的线索必填。",
            "enterprise": "可不填。填写企业库中的企业全称或统一社会信用代码；库中没有的，请先在「目标企业」中添加。",
        }
        error_messages = {"enterprise": {"invalid_choice": "企业库中没有这家企业：请核对全称或统一社会信用代码，或先添加到企业库。"}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access_of(user)
        lead = self.instance
        editing = lead.pk is not None
        self.fields["code"].required = editing
        if not editing:
            self.fields["code"].help_text = "可不填：保存时自动生成，如 XS2021-00001。"
        if permissions.reviews(self.access):
            self.fields["owner_unit"].queryset = Unit.objects.filter(Q(pk__in=Unit.objects.assessed()) | Q(pk=lead.owner_unit_id or 0))
            self.fields["owner_unit"].empty_label = "请选择责任单位"
        else:
            del self.fields["owner_unit"]  # staff enter for their own unit
            if not editing:
                lead.owner_unit = self.access.unit
        if editing:
            del self.fields["stage"]  # moved by the stage change on the lead's page
        else:
            self.fields["stage"].choices = [(stage.value, stage.label) for stage in OPEN_STAGES]
        self.fields["group"].queryset = SpecialGroup.objects.order_by("number")
        self.fields["group"].empty_label = "（无）"
        links = ChainNode.objects.filter(Q(level=Level.LINK, is_active=True) | Q(pk=lead.chain_link_id or 0))
        self.fields["chain_link"].queryset = links
        self.fields["chain_link"].empty_label = "（无）"
        self.fields["deadline"].input_formats = ["%Y-%m-%d", "%Y/%m/%d"]

    @property
    def owner_unit(self) -> Unit | None:
        if "owner_unit" in self.fields:
            return self.cleaned_data.get("owner_unit")
        return self.instance.owner_unit if self.instance.owner_unit_id else None

    def facts(self) -> dict:
        """The model fields this form sets, as the services take them."""
        facts = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        facts["owner_unit"] = self.owner_unit
        return facts


class StageForm(forms.Form):
    """Move a lead to another stage, with the stage's own fact (暂缓: a resume date, 终止: a reason).
    已签约 is not offered: a lead signs by becoming a project (转为签约项目)."""

    stage = forms.ChoiceField(label="新阶段", error_messages={"required": "请选择新阶段。"})
    resume_on = forms.DateField(label="恢复跟进日期", required=False, widget=DATE, input_formats=["%Y-%m-%d", "%Y/%m/%d"])
    stop_reason = forms.CharField(label="终止原因", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        # No stage preselected: a hurried click on 保存阶段 must not move the lead anywhere.
        self.fields["stage"].choices = [("", "请选择")] + [
            (stage.value, stage.label) for stage in LeadStage if stage not in (LeadStage.SIGNED, lead.stage)
        ]

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage == LeadStage.PAUSED and not cleaned.get("resume_on"):
            self.add_error("resume_on", RESUME_DATE_REQUIRED)
        if stage == LeadStage.STOPPED and not (cleaned.get("stop_reason") or "").strip():
            self.add_error("stop_reason", STOP_REASON_REQUIRED)
        return cleaned
