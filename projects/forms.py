"""The project form, the arrived-capital entry and the return reason: server-side checks, Chinese messages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.utils import timezone

from access import permissions
from access.roles import access_of
from chains.models import ChainNode
from groups.models import SpecialGroup
from lib import display
from lib.uploads import file_problem
from lib.text import one_line
from targets.models import Organisation, Unit

from .models import UNUSUAL_AMOUNT_ABOVE, ZERO_AGREEMENT_CAPITAL, Arrival, Project, Status, SupplementaryAgreement

MAX_MONEY = Decimal(10000)  # 亿元: one trillion yuan, far above any real project
MONEY_DECIMALS = 4  # 亿元 to 1 万元
EARLIEST_SIGNING = datetime.date(2000, 1, 1)
SIGNING_DAYS_AHEAD = 30
LEAD_IS_COOPERATING = "配合单位不能是牵头单位本身"

class OneLineField(forms.CharField):
    """Text on one line, without the control characters pasting brings along (before any check,
    so a stray \x00 is dropped rather than refused)."""

    def to_python(self, value):
        return one_line(super().to_python(value))


class MoneyField(forms.DecimalField):
    """Decimal 亿元 with messages that say what is wrong: negative, absurd, too precise."""

    def __init__(self, *, allow_zero: bool = True, zero_message: str = "金额必须大于 0。", **kwargs):
        self.allow_zero, self.zero_message = allow_zero, zero_message
        kwargs.setdefault("error_messages", {"invalid": "请输入数字（单位：亿元），例如 1.25。"})
        super().__init__(max_digits=None, decimal_places=None, **kwargs)
        self.widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def prepare_value(self, value):
        """As entered, up to 4 decimals: 25 → "25", 1.2345 → "1.2345"."""
        return display.plain(value) if isinstance(value, Decimal) else value

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if value < 0:
            raise forms.ValidationError("金额不能为负数。")
        if value == 0 and not self.allow_zero:
            raise forms.ValidationError(self.zero_message)
        if value > MAX_MONEY:
            raise forms.ValidationError(
                f"金额 {value} 亿元超过 {MAX_MONEY} 亿元（即 1 万亿元），不合理：金额单位是亿元，"
                "请检查是否按万元或元填写（1 亿元 = 10000 万元）。"
            )
        if -value.normalize().as_tuple().exponent > MONEY_DECIMALS:
            raise forms.ValidationError("金额最多保留 4 位小数（精确到万元）。")

    def clean(self, value):
        value = super().clean(value)
        # As the database keeps it (4 places): "1.50000" is a valid 1.5, and history compares like with like.
        return None if value is None else value.quantize(Decimal(1).scaleb(-MONEY_DECIMALS))


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _units(*keep: int | None):
    """Active parks and departments, plus units the project already names (an old project stays
    editable); bodies that are not assessed (其他单位) lead or join no project."""
    return Unit.objects.filter(Q(pk__in=Unit.objects.assessed()) | Q(pk__in=[pk for pk in keep if pk])).order_by(
        "sort_order", "name"
    )


class ProjectForm(forms.ModelForm):
    """Create or edit a project. Staff enter for their own unit (no lead-unit choice);
    reviewers choose the lead. Editing carries the `version` the page showed."""

    cooperating_units = UnitMultipleChoiceField(
        label="配合单位", required=False, queryset=Unit.objects.none(), help_text="联合招商时勾选；没有则不选。"
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "页面版本号无效，请刷新后重新填写。"},
    )
    agreement_capital = MoneyField(
        label="协议资金（亿元）",
        allow_zero=False,
        zero_message=ZERO_AGREEMENT_CAPITAL,
        help_text="协议中写明的投资额，单位亿元，最多 4 位小数。",
    )
    expected_output = MoneyField(label="预计产值（亿元）", required=False, help_text="可不填。单位亿元。")

    confirm_amount = forms.BooleanField(
        label="金额已核对",
        required=False,
        help_text=f"协议资金超过牵头单位当年全年目标或超过 {UNUSUAL_AMOUNT_ABOVE} 亿元时，须核对金额和单位后勾选，才能提交审核；"
        "改了金额须重新核对。",
    )

    field_order = [
        "code", "name", "investor", "lead_unit", "cooperating_units", "group", "sector", "origin",
        "agreement_capital", "confirm_amount", "expected_output", "signed_on", "chain_link",
    ]

    class Meta:
        model = Project
        fields = [*Project.FACTS, "chain_link"]
        field_classes = {"code": OneLineField, "name": OneLineField, "investor": OneLineField}
        widgets = {"signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "investor": "投资企业的全称。草稿可暂不填，提交审核前必须填写。",
            "signed_on": "签约后填写。草稿可暂不填，提交审核前必须填写。",
        }

    def __init__(self, *args, user, organisation: Organisation | None = None, **kwargs):
        """`organisation`: the request's (targets.context.organisation_of), read once per request."""
        super().__init__(*args, **kwargs)
        organisation = organisation or Organisation.current()
        self.user = user
        self.access = access_of(user)
        self.editing = self.instance.pk is not None
        project = self.instance
        self.fields["code"].required = self.editing
        self.fields["origin"].help_text = organisation.origin_help()
        if not self.editing:
            self.fields["code"].help_text = f"可不填：保存时按签约年度自动生成，如 {organisation.code_prefix}2021-00001。"
            del self.fields["version"]
        else:
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = "页面缺少版本号，请刷新后重新填写。"
            self.initial.setdefault("version", project.version)
            self.initial.setdefault("cooperating_units", [c.unit_id for c in project.cooperations.all()])
        if permissions.reviews(self.access):
            self.fields["lead_unit"].queryset = _units(project.lead_unit_id)
            self.fields["lead_unit"].empty_label = "请选择牵头单位"
        else:
            # Staff enter for their own unit only: the lead is not theirs to choose.
            del self.fields["lead_unit"]
            if not self.editing:
                project.lead_unit = self.access.unit
        self.fields["cooperating_units"].queryset = _units(*self.initial.get("cooperating_units", []))
        self.fields["group"].empty_label = "（无）"
        self.fields["group"].queryset = SpecialGroup.objects.order_by("number")
        self.fields["signed_on"].input_formats = ["%Y-%m-%d", "%Y/%m/%d"]
        # The chain's links only: the active ones, and the one the project already names.
        self.fields["chain_link"].queryset = ChainNode.objects.offered_links(project.chain_link_id)
        self.fields["chain_link"].empty_label = "（不填）"
        self.fields["chain_link"].help_text = "可不填。项目所属的产业链环节，用于产业链图谱。"
        self.initial.setdefault("confirm_amount", self.editing and project.amount_confirmed)

    @property
    def lead_unit(self) -> Unit | None:
        if "lead_unit" in self.fields:
            return self.cleaned_data.get("lead_unit")
        return self.instance.lead_unit

    def clean_signed_on(self):
        signed_on = self.cleaned_data.get("signed_on")
        if signed_on is None:
            if self.editing and self.instance.status == Status.APPROVED:
                raise forms.ValidationError("已审核的项目必须有签约日期。")
            return signed_on
        latest = timezone.localdate() + datetime.timedelta(days=SIGNING_DAYS_AHEAD)
        if signed_on > latest:
            raise forms.ValidationError(
                f"签约日期不能晚于今天之后 {SIGNING_DAYS_AHEAD} 天（最晚 {latest:%Y-%m-%d}）：尚未签约的项目请先不填签约日期。"
            )
        if signed_on < EARLIEST_SIGNING:
            raise forms.ValidationError("签约日期不能早于 2000 年，请检查年份。")
        return signed_on

    def clean_investor(self):
        return " ".join(self.cleaned_data.get("investor", "").split())

    def clean(self):
        cleaned = super().clean()
        lead = self.lead_unit
        cooperating = cleaned.get("cooperating_units") or []
        if lead is not None and any(unit.pk == lead.pk for unit in cooperating):
            self.add_error("cooperating_units", f"{LEAD_IS_COOPERATING}：「{lead}」已是牵头单位，请取消勾选。")
        return cleaned

    # --- What the services take ---

    def facts(self) -> dict:
        """The model fields this form sets, as the services take them."""
        facts = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        facts["lead_unit"] = self.lead_unit
        # The tick confirms the amount on the page; a later change of the amount unconfirms it.
        facts["confirmed_amount"] = self.cleaned_data["agreement_capital"] if self.cleaned_data.get("confirm_amount") else None
        if not self.editing:
            facts.setdefault("code", "")
        return facts

    def submission_problems(self) -> dict[str, str]:
        """What the project as entered would lack to be submitted (Project.submission_problems)."""
        facts = {name: value for name, value in self.facts().items() if name != "code"}
        project = Project(**facts)
        return project.submission_problems(target=project.agreement_target())

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put `problems` (field → message) next to their fields, on a bound form or an unbound one."""
        if not self.is_bound:
            self._errors, self.cleaned_data = ErrorDict(), {}
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)

    def cooperating_unit_ids(self) -> list[int]:
        return [unit.pk for unit in self.cleaned_data.get("cooperating_units") or []]

    def submitted_version(self) -> int:
        return self.cleaned_data["version"]


class ArrivalForm(forms.ModelForm):
    """One arrived-capital entry: date, amount > 0, note, an optional evidence file."""

    amount = MoneyField(label="到位金额（亿元）", allow_zero=False)
    evidence = forms.FileField(
        label="凭证（可选）",
        required=False,
        help_text="银行回单等，pdf、jpg、png 格式。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    class Meta:
        model = Arrival
        fields = ["arrived_on", "amount", "note"]
        widgets = {"arrived_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrived_on"].input_formats = ["%Y-%m-%d", "%Y/%m/%d"]
        kinds, megabytes = "、".join(settings.EVIDENCE_EXTENSIONS), settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["evidence"].help_text = f"银行回单等，{kinds} 格式，不超过 {megabytes} MB。"

    def clean_arrived_on(self):
        arrived_on = self.cleaned_data["arrived_on"]
        if arrived_on > timezone.localdate():
            raise forms.ValidationError("到位日期不能晚于今天：资金到位后再登记。")
        if arrived_on < EARLIEST_SIGNING:
            raise forms.ValidationError("到位日期不能早于 2000 年，请检查年份。")
        return arrived_on

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        problem = file_problem(upload, extensions=settings.EVIDENCE_EXTENSIONS, max_bytes=settings.EVIDENCE_MAX_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回时必须填写退回原因，让填报单位知道要改什么。"},
        help_text="填报单位会在项目页面看到这段话。",
    )


class MoneyChangeField(MoneyField):
    """A change of an amount in 亿元: positive for an increase, negative for a reduction, never 0;
    otherwise checked as MoneyField checks an amount (size, 4 decimals)."""

    def validate(self, value):
        negative = value not in self.empty_values and value < 0
        super().validate(-value if negative else value)


class AgreementForm(forms.ModelForm):
    """One supplementary agreement (补充协议): date, change of agreement capital (± , never 0), note,
    an optional evidence file. The project's own rules (SupplementaryAgreement.clean) come next."""

    amount = MoneyChangeField(
        label="协议资金变化（亿元）",
        allow_zero=False,
        zero_message="协议资金变化不能为 0：增资填正数，减资填负数。",
        help_text="增资填正数，减资填负数，单位亿元（如减少 500 万元填 -0.05）。",
    )
    evidence = forms.FileField(
        label="凭证（可选）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    class Meta:
        model = SupplementaryAgreement
        fields = ["signed_on", "amount", "note"]
        widgets = {"signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].input_formats = ["%Y-%m-%d", "%Y/%m/%d"]
        self.fields["signed_on"].error_messages["required"] = "请填写补充协议的签订日期。"
        self.fields["amount"].error_messages["required"] = "请填写协议资金变化（增资填正数，减资填负数）。"
        kinds, megabytes = "、".join(settings.EVIDENCE_EXTENSIONS), settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["evidence"].help_text = f"补充协议的扫描件等，{kinds} 格式，不超过 {megabytes} MB。"

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on < EARLIEST_SIGNING:
            raise forms.ValidationError("签订日期不能早于 2000 年，请检查年份。")
        return signed_on  # after the project's signing, not in the future: SupplementaryAgreement.clean

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        problem = file_problem(
            upload, extensions=settings.EVIDENCE_EXTENSIONS, max_bytes=settings.EVIDENCE_MAX_BYTES, example="补充协议的扫描件或照片"
        )
        if problem:
            raise forms.ValidationError(problem)
        return upload
