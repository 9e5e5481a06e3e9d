"""The weekly activity index page (招商活跃指数, domain.md §11): one ISO week's ranking of the parks
and of the departments with each part's count and score, and the units' index over the weeks
before it. Everyone signed in sees it, as they see the dashboard's ranking; reviewers may store
the week again (重新计算) after late entries."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from access import permissions
from access.decorators import refuse_unless
from access.roles import access_of
from figures.activity_index import KIND_ORDER, history, store_week, week_index
from figures.assessment import NoRuleSet
from figures.totals import KIND_LABELS
from targets.activity_index import PART_LABELS, BadWeek, Week
from targets.models import RuleSet

NOT_REVIEWER = "只有招商局审核员可以重新计算活跃指数。"


def last_complete_week() -> Week:
    return Week.of(timezone.localdate()).previous()


def week_from(request: HttpRequest, data) -> Week:
    """The week asked for (?year=&week=), else the last complete one, with a message why."""
    if not data.get("year") and not data.get("week"):
        return last_complete_week()
    try:
        return Week.parse(data.get("year"), data.get("week"))
    except BadWeek as error:
        messages.error(request, f"{error}已显示上一个完整周。")
        return last_complete_week()


@require_http_methods(["GET", "POST"])
def activity_index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return recompute(request)
    week = week_from(request, request.GET)
    latest = last_complete_week()
    context = {"nav": "activity_index", "week": week, "parts": PART_LABELS.values(), "has_next": week < latest}
    try:
        shown = week_index(week)
    except NoRuleSet as error:
        context["no_rules"] = str(error)
    else:
        context["shown"] = shown
        context["kinds"] = [(KIND_LABELS[kind], shown.of_kind(kind)) for kind in KIND_ORDER]
        context["history"] = history(shown)
        rule_set = RuleSet.objects.filter(year=shown.rules_year).first()
        context["weights"] = [(PART_LABELS[part], w) for part, w in rule_set.index_weights().items()] if rule_set else []
    return render(request, "leads/activity_index.html", context)


def recompute(request: HttpRequest) -> HttpResponse:
    refuse_unless(permissions.reviews(access_of(request.user)), NOT_REVIEWER)
    week = week_from(request, request.POST)
    try:
        stored = store_week(week)
    except NoRuleSet as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已重新计算并保存{week}的招商活跃指数（{len(stored.results)}个单位）。")
    return redirect(f"{reverse('activity_index')}?year={week.year}&week={week.week}")
