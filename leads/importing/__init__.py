"""Excel import of the pipeline: target enterprises, leads and activities (sheets 目标企业, 线索, 活动).

`parse_lead_workbook(file)` reads and checks a workbook and writes nothing;
`apply_lead_plan(plan=..., user=..., dry_run=...)` writes a clean plan in one transaction.
`write_lead_template(file)` writes the blank workbook. The safe reading (limits, defusedxml) and
the template's layout are the project import's (projects/importing/), given these sheets.
"""

from projects.importing import ImportRejected, Problem

from .checking import LeadImportPlan, parse_lead_workbook
from .columns import ACTIVITIES, ENTERPRISES, LEADS, SHEETS
from .template import write_lead_template
from .writing import LeadImportResult, apply_lead_plan

__all__ = [
    "ACTIVITIES",
    "ENTERPRISES",
    "LEADS",
    "SHEETS",
    "ImportRejected",
    "LeadImportPlan",
    "LeadImportResult",
    "Problem",
    "apply_lead_plan",
    "parse_lead_workbook",
    "write_lead_template",
]
