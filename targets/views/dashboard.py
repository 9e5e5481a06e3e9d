"""The dashboard (首页) and a unit's page: a period, a service call, a template."""

from datetime import MAXYEAR, MINYEAR

from django.http import Http404
from django.shortcuts import render

from access import permissions
from access.roles import access_of
from figures.assessment import NoRuleSet
from figures.dashboard import gather_dashboard
from figures.explanation import gather_unit_page
from fuling_invest.errors import get_or_404
from lib import display
from targets.models import Unit
from targets.periods import PeriodChoice, current_period, period_from_request


def dashboard(request):
    choice = _period_choice(request)
    context = {"nav": "dashboard", **_picker(choice)}
    try:
        context["board"] = gather_dashboard(period=choice.period, access=access_of(request.user))
    except NoRuleSet as error:
        context["no_rules"] = str(error)
    return render(request, "targets/dashboard.html", context)


def unit_detail(request, pk: int):
    unit = get_unit_for_user(request, pk)
    choice = _period_choice(request)
    nav = "unit" if permissions.is_staff_of(access_of(request.user), unit.pk) else "dashboard"
    context = {"nav": nav, "unit": unit, **_picker(choice)}
    try:
        context["page"] = gather_unit_page(unit=unit, period=choice.period, viewer=request.user)
    except NoRuleSet as error:
        context["no_rules"] = str(error)
    return render(request, "targets/unit_detail.html", context)


NO_SUCH_UNIT = "没有这个单位，或您无权查看。"  # the same words either way, so nothing leaks


def get_unit_for_user(request, pk: int) -> Unit:
    """The unit, if the user may see its page; another unit's page answers 404, so nothing leaks."""
    unit = get_or_404(Unit.objects, NO_SUCH_UNIT, pk=pk)
    if not permissions.sees_unit(access_of(request.user), unit.pk):
        raise Http404(NO_SUCH_UNIT)
    return unit


def _period_choice(request) -> PeriodChoice:
    """period_from_request, guarded: without any rule set it keeps the asked year, which may be no date at all."""
    choice = period_from_request(request)
    if MINYEAR <= choice.period.year <= MAXYEAR:
        return choice
    return PeriodChoice(current_period(), choice.years, "年度无效，已显示本季度。")


def _picker(choice: PeriodChoice) -> dict:
    return {"period_choice": choice, "time_progress": display.rate(choice.period.time_progress), "keep_params": []}
