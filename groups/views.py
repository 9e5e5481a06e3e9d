"""The special investment-promotion groups (专项招商组): who they are, their projects and money."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from figures.assessment import NoRuleSet, rules_for
from figures.groups import GroupTotals, arrived_per_project, group_totals
from fuling_invest.errors import get_or_404
from lib import display
from projects.models import Project, Status
from targets.periods import period_from_request

from .models import SpecialGroup


def _period_context(request) -> dict:
    choice = period_from_request(request)
    try:
        rules = rules_for(choice.period.year)
    except NoRuleSet:
        rules = None
    return {
        "period_choice": choice,
        "period": choice.period,
        "rules": rules,
        "time_progress": display.rate(choice.period.time_progress),
        "keep_params": [],
        "nav": "groups",
    }


@require_GET
def group_list(request):
    context = _period_context(request)
    totals = group_totals(period=context["period"], rules=context["rules"])
    rows = [(group, totals.get(group.pk, GroupTotals())) for group in SpecialGroup.objects.with_people()]
    context.update(rows=rows, total=sum((t for _, t in rows), GroupTotals()))
    return render(request, "groups/group_list.html", context)


@require_GET
def group_detail(request, pk: int):
    group = get_or_404(SpecialGroup.objects.with_people(), "没有这个专项招商组。", pk=pk)
    context = _period_context(request)
    period, rules = context["period"], context["rules"]
    # Staff see only their unit's projects; the totals, over all the group's counted projects, are not details.
    projects = (
        Project.objects.visible_to(request.user)
        .filter(group=group, signed_on__range=(period.start, period.end))
        .exclude(status=Status.WITHDRAWN)
        .select_related("lead_unit")
        .order_by("signed_on", "pk")
    )
    arrived = arrived_per_project(projects, period=period)
    rows = [
        (project, project.tier(rules).label if rules else "–", arrived.get(project.pk))
        for project in projects
    ]
    totals = group_totals(period=period, rules=rules).get(group.pk, GroupTotals())
    context.update(group=group, rows=rows, totals=totals)
    return render(request, "groups/group_detail.html", context)
