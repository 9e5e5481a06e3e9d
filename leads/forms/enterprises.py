"""The target-enterprise library's forms: the list's filters, the enterprise form with its
duplicate checks, and its list memberships as an inline formset."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from chains.models import ChainNode, at_or_under
from lib import credit_code
from projects.forms import OneLineField

from .. import regions
from ..enterprises import same_enterprise, similar_enterprises
from ..filters import in_province, province_filter_choices
from ..models import ListMembership, ListName, TargetEnterprise

EnterpriseLink = TargetEnterprise.chain_links.through
NOT_GIVEN = [("", "（不填）")]
PARENT_DEPTH = 10  # a group's ownership chain longer than this is taken for a loop


class ChainLinkChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, node: ChainNode) -> str:
        return node.label


# --- The list's filters ------------------------------------------------------------------------


class EnterpriseFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label="企业名称",
        method="filter_name",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "名称或统一社会信用代码"}),
    )
    list_name = django_filters.ChoiceFilter(label="榜单", choices=ListName.choices, method="filter_list", empty_label="全部")
    province = django_filters.ChoiceFilter(
        label="所在省份", choices=province_filter_choices(), method="filter_province", empty_label="全部"
    )
    # A link, or a chain or an industry: every link under it (as the leads' filter).
    chain_link = django_filters.ModelChoiceFilter(
        label="产业链环节", queryset=ChainNode.objects.filter(is_active=True), method="filter_chain_link", empty_label="全部"
    )
    is_local = django_filters.ChoiceFilter(
        label="本地企业", choices=[("1", "本地企业"), ("0", "非本地企业")], method="filter_local", empty_label="全部"
    )

    class Meta:
        model = TargetEnterprise
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

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value))

    def filter_list(self, queryset, name, value):
        return queryset.filter(pk__in=ListMembership.objects.filter(list_name=value).values("enterprise_id"))

    def filter_province(self, queryset, name, value):
        return queryset.filter(in_province(value))

    def filter_chain_link(self, queryset, name, node):
        linked = EnterpriseLink.objects.filter(at_or_under(node, "chainnode"))
        return queryset.filter(pk__in=linked.values("targetenterprise_id"))

    def filter_local(self, queryset, name, value):
        return queryset.filter(is_local=value == "1")


# --- One enterprise ---------------------------------------------------------------------------


class EnterpriseForm(forms.ModelForm):
    """Add or edit an enterprise. An exact name or credit code already in the library is refused
    (`existing` names it, for a link); on adding, similar names (one containing the other) are
    shown and the user confirms (`similar`)."""

    # Longer than the code: spaces pasted along are dropped before the check.
    credit_code = OneLineField(
        label="统一社会信用代码", required=False, max_length=30, help_text="18 位，填写时按国家标准校验；不清楚可不填。"
    )
    province = forms.ChoiceField(label="所在省份", required=False, choices=NOT_GIVEN + regions.province_choices())
    city = forms.ChoiceField(
        label="所在城市", required=False, choices=NOT_GIVEN + regions.city_choices(), help_text="直辖市填区县；境外填国家。"
    )
    chain_links = ChainLinkChoices(
        label="产业链环节",
        required=False,
        queryset=ChainNode.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="企业适合的环节，可多选（按住 Ctrl 键）。",
    )
    parent_name = forms.CharField(
        label="所属集团总部",
        required=False,
        max_length=200,
        help_text="集团总部的企业全称或统一社会信用代码，须已在企业库中；没有则不填。",
    )
    confirm_similar = forms.BooleanField(label="已核对，不是上面列出的企业", required=False)

    field_order = ["name", "credit_code", "province", "city", "is_local", "parent_name", "chain_links", "note"]

    class Meta:
        model = TargetEnterprise
        fields = ["name", "credit_code", "province", "city", "is_local", "chain_links", "note"]
        field_classes = {"name": OneLineField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enterprise = self.instance
        self.editing = enterprise.pk is not None
        self.existing: TargetEnterprise | None = None
        self.similar: list[TargetEnterprise] = []
        chosen = [link.pk for link in enterprise.chain_links.all()] if self.editing else []
        self.fields["chain_links"].queryset = ChainNode.objects.offered_links(*chosen)
        if self.editing:
            self.initial.setdefault("parent_name", enterprise.parent.name if enterprise.parent_id else "")
            del self.fields["confirm_similar"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        existing = same_enterprise(name=name, exclude_pk=self.instance.pk)
        if existing is not None:
            self.existing = existing
            raise forms.ValidationError(f"企业库中已有「{existing.name}」，不能重复添加；请打开它查看或补充。")
        return name

    def clean_credit_code(self):
        code = credit_code.normalised(self.cleaned_data.get("credit_code", ""))
        if not code:
            return code
        problem = credit_code.problem(code)
        if problem:
            raise forms.ValidationError(problem)
        existing = same_enterprise(credit_code=code, exclude_pk=self.instance.pk)
        if existing is not None:
            self.existing = existing
            raise forms.ValidationError(f"统一社会信用代码 {code} 已属于企业库中的「{existing.name}」，不能重复添加。")
        return code

    def clean_parent_name(self) -> TargetEnterprise | None:
        given = " ".join(self.cleaned_data.get("parent_name", "").split())
        if not given:
            return None
        parent = TargetEnterprise.objects.filter(Q(name=given) | Q(credit_code=credit_code.normalised(given))).first()
        if parent is None:
            raise forms.ValidationError(f"企业库中没有「{given}」：请先添加集团总部，或核对全称。")
        if self.editing and self._owns(parent):
            raise forms.ValidationError(f"「{parent.name}」是本企业或其下属企业，不能作为集团总部。")
        return parent

    def _owns(self, candidate: TargetEnterprise) -> bool:
        """Whether `candidate` is this enterprise or one of its subsidiaries, however deep."""
        current, seen = candidate, 0
        while current is not None and seen < PARENT_DEPTH:
            if current.pk == self.instance.pk:
                return True
            current, seen = current.parent, seen + 1
        return current is not None

    def clean(self):
        cleaned = super().clean()
        province, city = cleaned.get("province", ""), cleaned.get("city", "")
        if city and not province:
            self.add_error("province", "填了城市，请同时选择所在省份。")
        elif city and not regions.is_city_of(province, city):
            self.add_error("city", f"「{city}」不在{province}，请重新选择城市。")
        name = cleaned.get("name")
        if not self.editing and name and not cleaned.get("confirm_similar"):
            self.similar = similar_enterprises(name)
            if self.similar:
                names = "、".join(f"「{enterprise.name}」" for enterprise in self.similar)
                self.add_error(None, f"企业库中有名称相近的企业：{names}。如确认不是同一家，请勾选「已核对」后再保存。")
        return cleaned

    def save(self, commit: bool = True) -> TargetEnterprise:
        self.instance.parent = self.cleaned_data.get("parent_name")
        return super().save(commit)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = ListMembership
        fields = ["list_name", "year", "rank", "source"]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        latest = timezone.localdate().year + 1
        if year is not None and not 1950 <= year <= latest:
            raise forms.ValidationError(f"年份应在 1950 至 {latest} 之间。")
        return year


MembershipFormSet = forms.inlineformset_factory(
    TargetEnterprise, ListMembership, form=MembershipForm, extra=2, can_delete=True
)
