"""落地跟踪 (domain.md §9): each unit's 开工率, 投产率 and projects past their start deadline for a
quarter (year to date), and one unit's follow-up: the overdue projects, the red and yellow ones,
those gone quiet. Reviewers and leaders see the district and any unit; a unit's staff their own."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from access import permissions
from access.decorators import requires
from access.roles import Access, access_of
from figures.assessment import NoRuleSet
from figures.landing import UnitColours, landing, landing_as_of, overdue_projects, rule_set_for
from figures.totals import KIND_LABELS
from lib import display
from lib.paging import page_of
from lib.text import whole_number
from projects.views.listing import query_without
from targets.models import RuleSet, Unit
from targets.periods import period_from_request

NOT_ALLOWED = "落地跟踪只对招商局审核员、区领导和各园区、区级部门的填报员（本单位）开放。"
NO_SUCH_UNIT = "没有这个单位，或您无权查看。"  # the same words either way, so nothing leaks
PAGE_SIZE = 50  # rows per page of each of a unit's lists
# Each list of a unit's page turns its pages with its own parameter, keeping the others'.
PAGE_PARAMS = ("overdue_page", "colour_page", "quiet_page")


def unit_asked(request: HttpRequest, access: Access) -> Unit | None:
    """The unit to show (None: the district). Staff see their own unit only; another unit, an unknown
    one or one that is not assessed answers 404, with the same words."""
    asked = request.GET.get("unit", "")
    own = permissions.staff_unit_id(access)
    if own is not None:
        if asked not in ("", str(own)):
            raise Http404(NO_SUCH_UNIT)
        return access.unit
    if not asked:
        return None
    unit_id = whole_number(asked)
    unit = Unit.objects.assessed().filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise Http404(NO_SUCH_UNIT)
    return unit


@require_GET
@requires(permissions.follows_landing, NOT_ALLOWED)
def landing_tracking(request: HttpRequest) -> HttpResponse:
    access = access_of(request.user)
    unit = unit_asked(request, access)
    choice = period_from_request(request)
    today = timezone.localdate()
    as_of = landing_as_of(choice.period, today)
    rule_sets = list(RuleSet.objects.all())
    context = {
        "nav": "landing_tracking",
        "unit": unit,
        "period_choice": choice,
        "time_progress": display.rate(choice.period.time_progress),
        "keep_params": [("unit", unit.pk)] if unit and permissions.sees_everything(access) else [],
        "as_of": as_of,
        "today": today,
        "sees_district": permissions.sees_everything(access),
    }
    try:
        tracking = landing(choice.period, as_of=as_of, rule_sets=rule_sets, units=None if unit is None else [unit], with_overdue_list=False)
    except NoRuleSet as error:
        context["no_rules"] = str(error)
    else:
        context["tracking"] = tracking
        context["kinds"] = [(label, [row for row in tracking.units if row.unit.kind == kind]) for kind, label in KIND_LABELS.items()]
        context["row"] = tracking.units[0] if unit is not None else None
    if unit is None:
        return render(request, "landing/tracking.html", context)
    pages = {name: request.GET.get(name) for name in PAGE_PARAMS}
    if "tracking" in context:
        overdue = overdue_projects(unit, choice.period, as_of, rule_set_for(choice.period.year, rule_sets), known=context["row"].overdue_count)
        context["overdue_page"] = page_of(overdue, pages["overdue_page"], PAGE_SIZE)
    colours = UnitColours(unit, rule_sets, today)
    counts = colours.counts()
    context["colour_counts"] = counts
    context["coloured_page"] = page_of(colours.red_and_yellow(known=counts.red + counts.yellow), pages["colour_page"], PAGE_SIZE)
    context["quiet_page"] = page_of(colours.quiet(known=counts.quiet), pages["quiet_page"], PAGE_SIZE)
    context["keep_for"] = {name: query_without(request, name) for name in PAGE_PARAMS}
    current = rule_set_for(today.year, rule_sets)
    context["rules_now"] = current.as_landing_rules() if current else None
    context["rules_now_year"] = current.year if current else None
    return render(request, "landing/tracking_unit.html", context)
