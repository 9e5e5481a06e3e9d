"""Who may import what from a pipeline workbook, row by row.

Reviewers import every row. A unit's staff import leads their unit owns (new ones, or stored
ones it owns) and activities of their unit; an activity may name only a lead their unit owns.
Target enterprises are the district's shared library: staff add and update them as reviewers do.
A stored lead of another unit gets the answer a code that does not exist would, where it can (an
activity's lead); a lead row cannot take a code another unit's lead has, and is told so without
anything of that lead. Refusals are Problems like any other: the file is imported whole or not at all.
"""

from __future__ import annotations

from access import permissions
from access.roles import access_of
from lib.sql import chunks
from projects.importing.columns import Problem

from ..models import Lead
from .checking import LeadImportPlan, Ref
from .columns import ACTIVITIES, LEADS

FOREIGN_LEAD = "只能导入本单位负责的线索：本单位为{unit}，此行的责任单位不是本单位。"
TAKEN_CODE = "线索编号“{code}”已被其他单位的线索使用，请换一个编号。"
FOREIGN_ACTIVITY = "只能导入本单位的活动：本单位为{unit}，此行的单位不是本单位。"
UNKNOWN_LEAD = "找不到线索编号“{code}”：“线索”表和系统中都没有这条线索。"


def check_lead_permissions(plan: LeadImportPlan, *, user) -> None:
    """Add to `plan.problems` every row `user` may not import; reviewers may import every row."""
    access = access_of(user)
    if permissions.reviews(access):
        return
    if not permissions.imports(access):
        plan.problems.append(Problem(None, None, None, "您没有导入招商线索的权限。"))
        return
    unit = access.unit
    stored = _stored_leads(plan)  # id → (code, owner unit id)
    for row in plan.leads:
        if row.values.get("owner_unit") not in (None, unit.pk):
            message = FOREIGN_LEAD.format(unit=unit.name)
            plan.problems.append(Problem(LEADS.title, row.row, LEADS.header_of("owner_unit"), message))
        elif row.existing_id and stored[row.existing_id][1] != unit.pk:
            message = TAKEN_CODE.format(code=row.values.get("code"))
            plan.problems.append(Problem(LEADS.title, row.row, LEADS.header_of("code"), message))
    for row in plan.activities:
        if row.values.get("unit") not in (None, unit.pk):
            message = FOREIGN_ACTIVITY.format(unit=unit.name)
            plan.problems.append(Problem(ACTIVITIES.title, row.row, ACTIVITIES.header_of("unit"), message))
        ref = row.values.get("lead")
        if isinstance(ref, Ref) and ref.pk in stored and stored[ref.pk][1] != unit.pk:
            message = UNKNOWN_LEAD.format(code=stored[ref.pk][0])
            plan.problems.append(Problem(ACTIVITIES.title, row.row, ACTIVITIES.header_of("lead"), message))


def _stored_leads(plan: LeadImportPlan) -> dict[int, tuple[str, int]]:
    ids = {row.existing_id for row in plan.leads if row.existing_id}
    ids |= {row.values["lead"].pk for row in plan.activities if isinstance(row.values.get("lead"), Ref)}
    ids.discard(None)
    stored = {}
    for chunk in chunks(sorted(ids)):
        for pk, code, unit_id in Lead.objects.filter(pk__in=chunk).values_list("pk", "code", "owner_unit"):
            stored[pk] = (code, unit_id)
    return stored
