"""The project page's 补充协议 section (domain.md §8), read by editing._render_detail; the
agreements' own pages are views/agreements.py."""

from __future__ import annotations

from decimal import Decimal

from access import permissions
from access.roles import Access

from ..forms import AgreementForm
from ..models import Project


def detail_context(access: Access, project: Project) -> dict:
    """The project page's 补充协议 section: the agreements (one query), what counts, what the user may do."""
    agreements = list(project.agreements.select_related("verified_by", "created_by").order_by("signed_on", "pk"))
    counted = sum((agreement.amount for agreement in agreements if agreement.counts), start=Decimal(0))
    pending = [agreement for agreement in agreements if not agreement.counts]
    may_add = permissions.can_add_agreement(access, project)
    return {
        "agreements": agreements,
        "agreements_total": counted,
        "agreement_capital_total": project.agreement_capital + counted,
        "agreements_pending_total": sum((agreement.amount for agreement in pending), start=Decimal(0)),
        "agreements_pending_count": len(pending),
        "editable_agreements": {a.pk for a in agreements if permissions.can_edit_agreement(access, project, a)},
        "may_add_agreement": may_add,
        "may_verify_agreement": permissions.can_verify_agreement(access, project),
        "agreement_form": AgreementForm() if may_add else None,
    }
