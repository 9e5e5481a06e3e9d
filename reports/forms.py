from django import forms

from targets.models import RuleSet
from targets.periods import current_period


class GenerateForm(forms.Form):
    """A period to generate the bulletin of: a year that has rules, a quarter 1–4."""

    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=[(q, f"第{q}季度" + ("（年度考核）" if q == 4 else "")) for q in (1, 2, 3, 4)]
    )

    def __init__(self, *args, years: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        years = years if years is not None else list(RuleSet.objects.order_by("-year").values_list("year", flat=True))
        self.fields["year"].choices = [(year, f"{year}年") for year in years]
        self.fields["year"].error_messages["invalid_choice"] = "该年度尚未设置考核规则，无法生成通报。"
        self.fields["quarter"].error_messages["invalid_choice"] = "季度须为1–4。"
        if not self.is_bound:
            current = current_period()
            # The quarter that ended last: what the bureau reports on.
            year, quarter = (current.year - 1, 4) if current.quarter == 1 else (current.year, current.quarter - 1)
            self.initial = {"year": year if year in years else (years[0] if years else None), "quarter": quarter}
