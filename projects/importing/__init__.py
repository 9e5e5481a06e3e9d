"""Excel import of projects, their arrived capital and supplementary agreements, and the blank
template it reads.

`parse_workbook(file)` reads and checks a workbook (a path or an uploaded file) and
writes nothing; `apply_plan(plan=..., approve=...)` writes a clean plan in one
transaction. The import_projects command and the browser upload share both.
`write_template(file)` writes the blank workbook. Each sheet's columns are defined
once, in columns.py, for the parser and the template alike.
"""

from .columns import AGREEMENTS, ARRIVALS, PROJECTS, SHEETS, Column, Problem, SheetSpec
from .reading import ImportPlan, ParsedRow, parse_workbook
from .template import write_template
from .writing import ImportRejected, ImportResult, apply_plan

__all__ = [
    "AGREEMENTS",
    "ARRIVALS",
    "PROJECTS",
    "SHEETS",
    "Column",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "ParsedRow",
    "Problem",
    "SheetSpec",
    "apply_plan",
    "parse_workbook",
    "write_template",
]
