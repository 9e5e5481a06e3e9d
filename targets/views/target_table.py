"""The year's targets in the layout of 附件2, the rule set and their history; reviewers edit both."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from access import permissions
from access.decorators import requires
from targets.forms import INDICATORS, RuleSetForm, TargetFormSet
from targets.models import RuleSet, UnitTarget
from targets.services import save_rule_set, save_targets
from targets.target_table import (
    changes,
    latest_year,
    rule_sections,
    rule_set_for_editing,
    target_tables,
    targets_for_editing,
)

YEARS = range(2000, 2101)


def _checked_year(year: int) -> int:
    if year not in YEARS:
        raise Http404("年度须在2000–2100之间。")
    return year


NOT_A_REVIEWER = "只有区招商投资局审核员可以修改目标和规则。"


@require_GET
def latest_targets(request):
    return redirect("target_table", year=latest_year())


@require_GET
def target_table(request, year: int):
    year = _checked_year(year)
    rule_set = RuleSet.objects.filter(year=year).first()
    context = {
        "year": year,
        "tables": target_tables(year),
        "rule_set": rule_set,
        "rule_sections": rule_sections(rule_set) if rule_set else [],
        "changes": changes(year),
        "nav": "targets",
    }
    return render(request, "targets/target_table.html", context)


@require_http_methods(["GET", "POST"])
@requires(permissions.reviews, NOT_A_REVIEWER)
def target_edit(request, year: int):
    year = _checked_year(year)
    targets = targets_for_editing(year)
    if request.method == "POST":
        formset = TargetFormSet(request.POST, targets=targets, prefix="targets")
        if formset.is_valid():
            changed = formset.changed_targets()
            save_targets(targets=changed, user=request.user)
            messages.success(request, f"已保存{year}年目标：{len(changed)} 个单位有修改。")
            return redirect("target_table", year=year)
        messages.error(request, "未保存：请按提示改正标红的单元格。")
    else:
        formset = TargetFormSet(targets=targets, prefix="targets")
    labels = [UnitTarget._meta.get_field(name).verbose_name for name in INDICATORS]
    context = {"year": year, "formset": formset, "labels": labels, "nav": "targets"}
    return render(request, "targets/target_edit.html", context)


@require_http_methods(["GET", "POST"])
@requires(permissions.reviews, NOT_A_REVIEWER)
def rules_edit(request, year: int):
    year = _checked_year(year)
    rule_set = rule_set_for_editing(year)
    is_new = rule_set.pk is None
    form = RuleSetForm(request.POST if request.method == "POST" else None, instance=rule_set)
    if form.is_valid():
        save_rule_set(rule_set=form.save(commit=False), user=request.user)
        messages.success(request, f"已{'新建' if is_new else '保存'}{year}年规则。")
        return redirect("target_table", year=year)
    context = {"year": year, "form": form, "is_new": is_new, "nav": "targets"}
    return render(request, "targets/rules_edit.html", context)
