"""Who may import what (issue 3): the same rules as the project pages, row by row.

Reviewers import anything. A unit's staff import only projects their unit leads: new
ones, their own drafts and returned projects, and rows that leave a project as it is;
arrivals only for projects their unit leads. A code of a project they cannot see gets
the same answer as a code that does not exist, so a file never reveals another unit's
projects. Refusals are Problems like any other: the file is imported whole or not at all.
The rules are access/permissions.py's, asked row by row; only the messages are the import's.
"""

from __future__ import annotations

from access import permissions
from access.roles import Access, access_of
from lib.sql import chunks

from ..models import Cooperation, Project, Status
from .columns import AGREEMENTS, ARRIVALS, PROJECTS, Problem
from .reading import ImportPlan, ParsedRow, place, unknown_code
from .writing import row_changes_project

CODE = PROJECTS.header_of("code")
LEAD = PROJECTS.header_of("lead_unit")
ARRIVAL_CODE = ARRIVALS.header_of("project")
AGREEMENT_CODE = AGREEMENTS.header_of("project")

FOREIGN_LEAD = "只能导入本单位牵头的项目：本单位为{unit}，此行的牵头单位不是本单位。"
STAFF_UNKNOWN_CODE = "找不到本单位的项目编号“{code}”。新项目请将项目编号留空，由系统自动编号；更新已有项目请填写本单位项目的编号。"
NOT_LED = "项目“{code}”由{lead}牵头，本单位是配合单位，只能查看，不能导入修改。"
LOCKED = {
    Status.APPROVED: "已审核项目只能由区招商投资局修改：项目“{code}”已审核，此行会改变它的内容。",
    Status.SUBMITTED: "项目“{code}”正在审核（待审核），审核完成前不能修改。",
    Status.WITHDRAWN: "项目“{code}”已撤回，不能再导入。",
}
ARRIVAL_NOT_LED = "只能为本单位牵头的项目登记到位资金：项目“{code}”由{lead}牵头。"
ARRIVAL_WITHDRAWN = "项目“{code}”已撤回，不能登记到位资金。"
AGREEMENT_NOT_LED = "只能为本单位牵头的项目登记补充协议：项目“{code}”由{lead}牵头。"


def check_permissions(plan: ImportPlan, *, user) -> None:
    """Add to `plan.problems` every row `user` may not import; reviewers may import every row."""
    access = access_of(user)
    if permissions.reviews(access):
        return
    if not permissions.imports(access):
        plan.problems.append(Problem(None, None, None, "您没有导入项目的权限。"))
        return
    checker = _StaffChecker(plan, access=access)
    plan.problems = sorted(checker.kept_problems() + checker.problems(), key=place)


class _StaffChecker:
    def __init__(self, plan: ImportPlan, *, access: Access):
        self.plan, self.access, self.unit = plan, access, access.unit
        # Staff enter projects for their own unit only (a row may leave the lead to them).
        self.foreign_rows = {
            row.row
            for row in plan.projects
            if row.values.get("lead_unit") is not None and not permissions.is_staff_of(access, row.values["lead_unit"])
        }
        in_file = {row.values["code"] for row in plan.projects if row.values.get("code")}
        arrival_codes = {row.values["project"] for row in [*plan.arrivals, *plan.agreements] if row.values.get("project")} - in_file
        ids = [row.existing_id for row in plan.projects if row.existing_id]
        self.stored = self._load(ids=ids, codes=list(arrival_codes))

    def _load(self, *, ids: list[int], codes: list[str]) -> dict:
        projects = {}
        for chunk in chunks(ids):
            projects.update(Project.objects.select_related("lead_unit").in_bulk(chunk))
        for chunk in chunks(codes):
            projects.update({p.pk: p for p in Project.objects.select_related("lead_unit").filter(code__in=chunk)})
        self.units: dict[int, set[int]] = {}
        for chunk in chunks(list(projects)):
            for project_id, unit_id in Cooperation.objects.filter(project_id__in=chunk).values_list("project_id", "unit_id"):
                self.units.setdefault(project_id, set()).add(unit_id)
        self.by_code = {project.code: project for project in projects.values()}
        return projects

    def _visible(self, project: Project) -> bool:
        cooperating = self.units.get(project.pk, ())
        return permissions.sees_project(self.access, lead_unit_id=project.lead_unit_id, cooperating_unit_ids=cooperating)

    def kept_problems(self) -> list[Problem]:
        # The reader names stored projects that share a row's lead unit, name and date; in a row
        # led by another unit those are another unit's projects, and the row is refused anyway.
        return [
            problem
            for problem in self.plan.problems
            if not (problem.sheet == PROJECTS.title and problem.row in self.foreign_rows and problem.column == CODE)
        ]

    def problems(self) -> list[Problem]:
        found = []
        coded = {(p.row, p.column) for p in self.plan.problems if p.sheet == PROJECTS.title}
        for row in self.plan.projects:
            message = self._project_problem(row, already_told=(row.row, CODE) in coded)
            if message:
                column = LEAD if row.row in self.foreign_rows else CODE
                found.append(Problem(PROJECTS.title, row.row, column, message))
        in_file = {row.values["code"] for row in self.plan.projects if row.values.get("code")}
        for row in self.plan.arrivals:
            code = row.values.get("project")
            message = None if not code or code in in_file else self._arrival_problem(code)
            if message:
                found.append(Problem(ARRIVALS.title, row.row, ARRIVAL_CODE, message))
        for row in self.plan.agreements:
            code = row.values.get("project")
            message = None if not code or code in in_file else self._agreement_problem(code)
            if message:
                found.append(Problem(AGREEMENTS.title, row.row, AGREEMENT_CODE, message))
        return found

    def _project_problem(self, row: ParsedRow, *, already_told: bool) -> str | None:
        if row.row in self.foreign_rows:
            return FOREIGN_LEAD.format(unit=self.unit.name)
        code = row.values.get("code")
        project = self.stored.get(row.existing_id) if row.existing_id else None
        if project is None or not self._visible(project):
            # A new project: staff leave the code to the system, so a code they give must be theirs.
            return STAFF_UNKNOWN_CODE.format(code=code) if code and not already_told else None
        if not permissions.leads(self.access, project):
            return NOT_LED.format(code=project.code, lead=project.lead_unit.name)
        if permissions.can_edit_project(self.access, project):
            return None
        # A row that leaves a locked project as it is passes; a withdrawn project takes no row at all.
        cooperating = self.units.get(project.pk, set())
        if project.status == Status.WITHDRAWN or row_changes_project(row.values, project, cooperating):
            return LOCKED[project.status].format(code=project.code)
        return None

    def _arrival_problem(self, code: str) -> str | None:
        project = self.by_code.get(code)
        if project is None:
            return None  # the reader has said so already
        if not self._visible(project):
            return unknown_code(code)
        if not permissions.leads(self.access, project):
            return ARRIVAL_NOT_LED.format(code=code, lead=project.lead_unit.name)
        if not permissions.can_add_arrival(self.access, project):
            return ARRIVAL_WITHDRAWN.format(code=code)
        return None

    def _agreement_problem(self, code: str) -> str | None:
        """A unit's staff enter supplementary agreements of the projects their unit leads (whether the
        project is approved is the reader's and the writer's check, for everyone)."""
        project = self.by_code.get(code)
        if project is None:
            return None  # the reader has said so already
        if not self._visible(project):
            return unknown_code(code)
        if not permissions.leads(self.access, project):
            return AGREEMENT_NOT_LED.format(code=code, lead=project.lead_unit.name)
        return None
