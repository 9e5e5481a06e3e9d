"""The battle map (招商作战图): the chain tree with its figures, or where the targets and the leads
come from; each number links to the list it counts (figures/battle_map.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from figures import battle_map as figures
from lib.text import whole_number

NO_SUCH_INDUSTRY = "没有这个主导产业，已显示全部。"


@require_GET
def battle_map(request: HttpRequest) -> HttpResponse:
    view = "regions" if request.GET.get("view") == "regions" else "chains"
    industry_id = whole_number(request.GET.get("industry"))
    if view == "regions":
        page = figures.region_map(user=request.user, industry_id=industry_id)
        year = None
    else:
        year = figures.year_choice(request.GET.get("year"))
        page = figures.chain_map(user=request.user, year=year, industry_id=industry_id)
    context = {
        "nav": "battle_map",
        "view": view,
        "page": page,
        "year": year,
        "stages": [(stage.value, stage.label) for stage in figures.STAGES],
        "industry_note": NO_SUCH_INDUSTRY if request.GET.get("industry") and page.focus is None else "",
    }
    return render(request, "chains/battle_map.html", context)
