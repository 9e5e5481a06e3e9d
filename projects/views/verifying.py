"""The verification queue (核实): arrived-capital entries waiting for a reviewer, oldest first.

Verifying itself is `editing.arrival_verify`, which comes back here when the queue asks it to.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import permissions
from access.decorators import requires

from ..models import Arrival

VERIFICATION_PAGE_SIZE = 50


@require_GET
@requires(permissions.reviews, "只有区招商投资局审核员可以核实到位资金。")
def verification_queue(request: HttpRequest) -> HttpResponse:
    entries = Arrival.objects.verification_queue().select_related("project__lead_unit", "created_by")
    page = Paginator(entries, VERIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "verification", "page": page, "entries": page.object_list}
    return render(request, "projects/verification_queue.html", context)
