"""Editing a year's targets (one row per assessed unit) and its rule set, with Chinese messages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from . import scoring
from .models import RuleSet, UnitTarget

ZERO, ONE = Decimal(0), Decimal(1)
NO_ZERO_TARGET = "目标值须大于0；不考核的指标请留空。"
NUMBER_ERRORS = {
    "invalid": "请填写数字。",
    "max_digits": "数字位数太多。",
    "max_decimal_places": "最多4位小数（精确到万元）。",
    "max_whole_digits": "数字太大。",
    "min_value": "不能为负数。",
    "max_value": "数字太大。",
    "required": "必填。",
}
INTEGER_ERRORS = {**NUMBER_ERRORS, "invalid": "请填写整数。"}
INDICATORS = [indicator.value for indicator in scoring.Indicator]


class UnitTargetForm(forms.ModelForm):
    """One unit's row: an empty cell is no target (not assessed), 0 is refused."""

    unit_id = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = UnitTarget
        fields = INDICATORS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].initial = self.instance.unit_id
        for name in INDICATORS:
            field = self.fields[name]
            is_count = scoring.Indicator(name).is_count
            field.error_messages.update(INTEGER_ERRORS if is_count else NUMBER_ERRORS)
            field.widget = forms.NumberInput(attrs={"step": "1" if is_count else "any", "min": "0", "class": "target-input"})
            field.widget.attrs["aria-label"] = f"{self.instance.unit.name} {field.label}"

    def clean_unit_id(self):
        # The form was drawn for one list of units; a unit added or removed since must not shift the rows.
        if self.cleaned_data["unit_id"] != self.instance.unit_id:
            raise ValidationError("单位列表已变化，请刷新页面后重新填写。")
        return self.cleaned_data["unit_id"]

    def clean(self):
        cleaned = super().clean()
        for name in INDICATORS:
            if cleaned.get(name) is not None and cleaned[name] <= 0:
                self.add_error(name, NO_ZERO_TARGET)
        return cleaned


class TargetFormSet(forms.BaseFormSet):
    """A form per target row, in the order given; the rows are fixed by the server, not the browser."""

    form = UnitTargetForm
    extra = 0
    can_order = can_delete = False
    min_num, max_num, absolute_max = 0, 1000, 1000
    validate_min = validate_max = False
    can_delete_extra = False
    renderer = None

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "missing_management_form": "表单数据不完整，请刷新页面后重新填写。",
    }

    def __init__(self, *args, targets: list[UnitTarget], **kwargs):
        self.targets = targets
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.targets)

    def initial_form_count(self) -> int:
        return len(self.targets)

    def get_form_kwargs(self, index):
        return {"instance": self.targets[index]}

    def changed_targets(self) -> list[UnitTarget]:
        """The rows whose values changed (a new row only when something was entered), not saved."""
        return [form.save(commit=False) for form in self.forms if form.has_changed()]


class RuleSetForm(forms.ModelForm):
    """A year's rules. Ratios are fractions: 20% is 0.2."""

    class Meta:
        model = RuleSet
        exclude = ["year"]
        help_texts = {
            "weight_outside_city": "0到1之间，如100%填1。",
            "weight_inside_city": "0到1之间，如20%填0.2。",
            "weight_inside_district": "0到1之间；填0表示区内项目不计入考核。",
            "lead_share": "联合招商时牵头单位所得比例，大于0且不超过1，如80%填0.8；其余由配合单位平分。",
            "rate_cap": "完成率超过此值按此值计分，如120%填1.2。",
            "score_non_industrial": "填0表示只显示、不计分。",
            "start_limit_days": "签约后应在此天数内开工，超过即为超时限未开工。",
            "quiet_red_days": "不能少于黄色预警天数。",
            "index_weight_publicity": "各部分权重按比例计算，合计不必为100。",
        }

    THRESHOLDS = [
        "major_investment", "major_output", "large_investment", "large_output", "key_investment",
        "general_industrial_investment", "general_non_industrial_investment",
    ]  # fmt: skip
    ORIGIN_WEIGHTS = ["weight_outside_city", "weight_inside_city", "weight_inside_district"]
    SCORE_WEIGHTS = [
        "score_agreement_capital", "score_arrived_capital", "score_major_projects",
        "score_large_projects", "score_key_projects", "score_non_industrial",
    ]  # fmt: skip
    TIERS_IN_ORDER = [
        ("major_investment", "large_investment", "重大项目投资门槛不能低于较大项目投资门槛。"),
        ("large_investment", "key_investment", "较大项目投资门槛不能低于重点项目投资门槛。"),
        ("major_output", "large_output", "重大项目产值门槛不能低于较大项目产值门槛。"),
        ("key_investment", "general_industrial_investment", "重点项目投资门槛不能低于一般项目（工业）门槛。"),
        ("key_investment", "general_non_industrial_investment", "重点项目投资门槛不能低于一般项目（非工业）门槛。"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(NUMBER_ERRORS)
            field.widget = forms.NumberInput(attrs={"step": "any"})

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get
        for name in self.THRESHOLDS + self.SCORE_WEIGHTS:
            if value(name) is not None and value(name) < 0:
                self.add_error(name, "不能为负数。")
        for name in self.ORIGIN_WEIGHTS:
            if value(name) is not None and not ZERO <= value(name) <= ONE:
                self.add_error(name, "权重须在0到1之间（如20%填0.2）。")
        if value("lead_share") is not None and not ZERO < value("lead_share") <= ONE:
            self.add_error("lead_share", "须大于0且不超过1（如80%填0.8）。")
        if value("rate_cap") is not None and value("rate_cap") <= 0:
            self.add_error("rate_cap", "须大于0（如120%填1.2）。")
        scores = [value(name) for name in self.SCORE_WEIGHTS]
        if all(score is not None for score in scores) and not any(scores):
            self.add_error("score_agreement_capital", "各指标的分值权重不能全为0，否则无法计分。")
        index_weights = [value(name) for name in RuleSet.INDEX_WEIGHTS.values()]
        for name in RuleSet.INDEX_WEIGHTS.values():
            if value(name) is not None and value(name) < 0:
                self.add_error(name, "不能为负数。")
        if all(weight is not None for weight in index_weights) and not any(index_weights):
            self.add_error("index_weight_signed", "活跃指数各部分的权重不能全为0。")
        yellow, red = value("quiet_yellow_days"), value("quiet_red_days")
        if None not in (yellow, red) and red < yellow:
            self.add_error("quiet_red_days", "红色预警天数不能少于黄色预警天数。")
        for higher, lower, message in self.TIERS_IN_ORDER:
            if None not in (value(higher), value(lower)) and value(higher) < value(lower) and higher not in self.errors:
                self.add_error(higher, message)
        return cleaned
