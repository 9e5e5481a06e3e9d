"""Lead codes (线索编号) made up when none is given: XS<year>-<5 digits>, e.g. XS2021-00001.

The numbers come from projects' sequence table (projects.models.CodeSequence) under the prefix
XS, advanced in a short transaction of its own that commits at once, as projects.codes does:
two saves at the same moment never get the same number, and a number whose code a lead has
already (given by hand) is skipped. A save that fails after taking its number leaves a gap.
"""

from __future__ import annotations

from django.db import transaction

from projects.codes import format_code
from projects.models import CodeSequence

from .models import Lead

PREFIX = "XS"


def next_lead_code(year: int) -> str:
    """The next free lead code of `year`, reserved for good (not inside another transaction)."""
    with transaction.atomic(durable=True):
        sequence, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=PREFIX, year=year)
        while True:
            sequence.last += 1
            code = format_code(PREFIX, year, sequence.last)
            if not Lead.objects.filter(code=code).exists():
                break
        sequence.save(update_fields=["last"])
    return code
