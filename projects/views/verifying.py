"""The verification queue (核实): arrived-capital entries and supplementary agreements waiting for
a reviewer, oldest first.

Verifying itself is `editing.arrival_verify` (`agreements.agreement_verify`), which comes back here
when the queue asks it to.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import permissions
from access.decorators import requires

from landing.models import Milestone

from ..models import Arrival, Status, SupplementaryAgreement

VERIFICATION_PAGE_SIZE = 50


@require_GET
@requires(permissions.reviews, "只有区招商投资局审核员可以核实到位资金。")
def verification_queue(request: HttpRequest) -> HttpResponse:
    entries = Arrival.objects.verification_queue().select_related("project__lead_unit", "created_by")
    page = Paginator(entries, VERIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    # Supplementary agreements (domain.md §8) wait here too, paged on their own.
    agreements = SupplementaryAgreement.objects.verification_queue().select_related("project__lead_unit", "created_by")
    agreement_page = Paginator(agreements, VERIFICATION_PAGE_SIZE).get_page(request.GET.get("agreements_page"))
    # Milestones' actual dates (landing, domain.md §9) of approved projects, paged on their own,
    # verified by landing.views.milestones.milestone_verify.
    milestones = (
        Milestone.objects.unverified()
        .filter(project__status=Status.APPROVED)
        .select_related("project__lead_unit", "updated_by")
        .order_by("updated_at", "pk")
    )
    milestone_page = Paginator(milestones, VERIFICATION_PAGE_SIZE).get_page(request.GET.get("milestones_page"))
    context = {
        "nav": "verification",
        "page": page,
        "entries": page.object_list,
        "agreement_page": agreement_page,
        "agreement_entries": agreement_page.object_list,
        "milestone_page": milestone_page,
        "milestone_entries": milestone_page.object_list,
    }
    return render(request, "projects/verification_queue.html", context)
