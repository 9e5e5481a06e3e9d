"""The projects list's filters (django-filter), shared by the page and its Excel export."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, CharField, Q, QuerySet, Value, When

from chains.models import ChainNode, at_or_under
from groups.models import SpecialGroup
from targets import scoring
from targets.landing_rules import Colour
from targets.models import RuleSet, Unit

from landing.stages import Stage, stage_code_condition, with_stage_code

from .models import Cooperation, Origin, Project, Sector, Status, tier_case

TIER_CHOICES = [(tier.value, tier.label) for tier in scoring.Tier]
COLOUR_CHOICES = [(colour.value, colour.label) for colour in Colour]


def with_tier(projects: QuerySet, rule_sets: list[RuleSet]) -> QuerySet:
    """Annotate `tier` (a scoring.Tier value) by the rule set of each project's signing year.

    A project not signed yet, or signed in a year without a rule set, is tiered by the
    latest rule set (`rule_sets` newest first); with no rule set at all, `tier` is None.
    """
    if not rule_sets:
        return projects.annotate(tier=Value(None, output_field=CharField()))
    latest, *older = rule_sets
    by_year = [When(signed_on__year=rule_set.year, then=tier_case(rule_set.as_rules())) for rule_set in older]
    if not by_year:
        return projects.annotate(tier=tier_case(latest.as_rules()))
    return projects.annotate(tier=Case(*by_year, default=tier_case(latest.as_rules()), output_field=CharField()))


class ProjectFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and start > end:
            self.add_error(
                "signed_to",
                f"结束日期（{end:%Y-%m-%d}）早于开始日期（{start:%Y-%m-%d}），请调整签约日期范围。",
            )
        return cleaned


class ProjectFilter(django_filters.FilterSet):
    """Filters over the projects a user may see. Pass `rule_sets` (newest first): they give the
    year choices and the thresholds of the tier filter (see `with_tier`)."""

    keyword = django_filters.CharFilter(
        label="关键词", method="filter_keyword", widget=forms.TextInput(attrs={"type": "search", "placeholder": "项目编号、名称或投资方"})
    )
    year = django_filters.ChoiceFilter(label="签约年度", field_name="signed_on__year", empty_label="全部")
    unit = django_filters.ModelChoiceFilter(
        label="单位（牵头或配合）", queryset=Unit.objects.assessed(), method="filter_unit", empty_label="全部"
    )
    group = django_filters.ModelChoiceFilter(label="专项招商组", queryset=SpecialGroup.objects.all(), empty_label="全部")
    chain_link = django_filters.ModelChoiceFilter(
        label="产业链环节", queryset=ChainNode.objects.all(), method="filter_chain_link", empty_label="全部"
    )
    tier = django_filters.ChoiceFilter(label="项目档次", choices=TIER_CHOICES, empty_label="全部")
    origin = django_filters.ChoiceFilter(label="项目来源", choices=Origin.choices, empty_label="全部")
    sector = django_filters.ChoiceFilter(label="产业类型", choices=Sector.choices, empty_label="全部")
    # The stage its milestones give (landing.stages), verified or 待核实.
    stage = django_filters.ChoiceFilter(label="项目阶段", choices=Stage.choices, method="filter_stage", empty_label="全部")
    status = django_filters.ChoiceFilter(label="审核状态", choices=Status.choices, empty_label="全部")
    # Red and yellow projects (domain.md §9), on the `landing_colour` the page annotates (see __init__).
    colour = django_filters.ChoiceFilter(label="落地预警", choices=COLOUR_CHOICES, method="filter_colour", empty_label="全部")
    signed_from = django_filters.DateFilter(
        label="签约日期从", field_name="signed_on", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    signed_to = django_filters.DateFilter(
        label="签约日期至", field_name="signed_on", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = ProjectFilterForm

    def __init__(self, data=None, queryset=None, *, rule_sets: list[RuleSet], colours: bool = False, request=None, prefix=None):
        """`colours`: the queryset carries `landing_colour` (figures.landing.with_colour: a figure, which
        this layer cannot compute, so the page adds it); without it the colour filter is left out."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.rule_sets = rule_sets
        if not colours:
            del self.filters["colour"]
        # The assessed years: a year without a rule set has no thresholds to tier by.
        self.filters["year"].extra["choices"] = [(str(rule_set.year), f"{rule_set.year}年") for rule_set in rule_sets]
        if not rule_sets:
            self.filters["tier"].extra.update(
                choices=[], error_messages={"invalid_choice": "尚未设置任何年度的考核规则，无法按档次筛选。"}
            )

    @property
    def qs(self) -> QuerySet:
        """The filtered projects with `tier` and `stage_code` annotated; none while the filters are invalid, so a
        page or an export never shows rows for filters other than those the user asked for."""
        if not hasattr(self, "_qs"):
            projects = with_stage_code(with_tier(self.queryset.all(), self.rule_sets))
            if self.is_bound:
                projects = self.filter_queryset(projects) if self.form.is_valid() else projects.none()
            self._qs = projects
        return self._qs

    @property
    def chosen_year(self) -> int | None:
        """The signing year filtered on, when the filters are valid: its rules tier every row."""
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("year"):
            return int(self.form.cleaned_data["year"])
        return None

    @property
    def latest_rule_year(self) -> int | None:
        return self.rule_sets[0].year if self.rule_sets else None

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # One condition on the row's own columns: no join, no query of its own; icontains ignores
        # the case of Latin letters (codes, investors' names) on SQLite and PostgreSQL alike.
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(investor__icontains=value))

    def filter_chain_link(self, queryset, name, node: ChainNode):
        """A link, or every link under a chain or an industry (as the leads' filter)."""
        return queryset.filter(at_or_under(node))

    def filter_colour(self, queryset, name, value):
        return queryset.filter(landing_colour=value)

    def filter_stage(self, queryset, name, value):
        return queryset.filter(stage_code_condition(value))

    def filter_unit(self, queryset, name, unit):
        cooperating = Cooperation.objects.filter(unit=unit).values("project_id")
        return queryset.filter(Q(lead_unit=unit) | Q(pk__in=cooperating))
