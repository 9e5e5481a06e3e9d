"""The import's optional 补充协议 sheet (domain.md §8): read, checked and written all or nothing,
idempotent by project + date + amount, verified with --approve, within what the user may import."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from access.roles import Role
from projects.importing import apply_plan, parse_workbook
from projects.importing.permissions import check_permissions
from projects.models import ImportBatch, Project, Status, SupplementaryAgreement
from tests.factories import OrganisationFactory, ProjectFactory, SupplementaryAgreementFactory, UnitFactory, user_with_role

D = Decimal
PROJECT_HEADERS = ["项目编号", "项目名称", "投资方", "牵头单位", "产业类型", "项目来源", "协议资金（亿元）", "签约日期"]
AGREEMENT_HEADERS = ["项目编号", "签订日期", "协议资金变化（亿元）", "备注"]


def project_row(code, **cells):
    row = {
        "项目编号": code,
        "项目名称": f"项目{code}",
        "投资方": "重庆某某能源有限公司",
        "牵头单位": "涪陵新城区",
        "产业类型": "工业",
        "项目来源": "市外",
        "协议资金（亿元）": 25,
        "签约日期": datetime.date(2021, 3, 15),
    }
    return {**row, **cells}


def agreement_row(code, amount="5", signed_on="2021-09-01", note=None):
    return {"项目编号": code, "签订日期": signed_on, "协议资金变化（亿元）": amount, "备注": note}


def write_workbook(path, projects=(), agreements=(), headers=AGREEMENT_HEADERS):
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    workbook.active.append(PROJECT_HEADERS)
    for row in projects:
        workbook.active.append([row.get(h) for h in PROJECT_HEADERS])
    sheet = workbook.create_sheet("补充协议")
    sheet.append(headers)
    for row in agreements:
        sheet.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_projects", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def state():
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "agreements": list(SupplementaryAgreement.objects.order_by("pk").values()),
    }


def assert_rejected(path, *messages, args=()):
    before = state()
    errors = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_projects", str(path), *args, stdout=io.StringIO(), stderr=errors)
    for message in messages:
        assert message in errors.getvalue(), errors.getvalue()
    assert state() == before
    return errors.getvalue()


@pytest.fixture
def units(db):
    OrganisationFactory()
    return {name: UnitFactory(name=name) for name in ["涪陵新城区", "临港经济区"]}


@pytest.fixture
def stored(units):
    return ProjectFactory(code="FL2021-00007", lead_unit=units["临港经济区"], agreement_capital=D("5"))


def test_agreements_of_a_stored_project_are_written_unverified(tmp_path, stored):
    path = write_workbook(
        tmp_path / "a.xlsx", agreements=[agreement_row(stored.code, "2.5", note="二期"), agreement_row(stored.code, "-1", "2022-01-05")]
    )
    assert "新增补充协议 2 份，已存在而跳过 0 份" in run_import(path)
    rows = list(stored.agreements.order_by("signed_on").values_list("signed_on", "amount", "note", "verified"))
    assert rows == [(datetime.date(2021, 9, 1), D("2.5"), "二期", False), (datetime.date(2022, 1, 5), D("-1"), "", False)]


def test_approve_verifies_them_and_approves_a_new_project_of_the_same_file(tmp_path, units):
    path = write_workbook(tmp_path / "a.xlsx", [project_row("FL2021-00100")], [agreement_row("FL2021-00100", "3")])
    run_import(path, "--approve")
    agreement = SupplementaryAgreement.objects.get()
    assert agreement.project.status == Status.APPROVED and agreement.verified and agreement.verified_at


def test_a_new_project_of_the_file_without_approve_takes_no_agreement(tmp_path, units):
    path = write_workbook(tmp_path / "a.xlsx", [project_row("FL2021-00100")], [agreement_row("FL2021-00100", "3")])
    assert_rejected(path, "补充协议 第2行「项目编号」：项目“FL2021-00100”导入后的状态为“待审核”，不能登记补充协议")


def test_re_importing_the_same_file_creates_nothing_new(tmp_path, stored):
    path = write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row(stored.code, "2"), agreement_row(stored.code, "-0.5", "2021-10-01")])
    run_import(path, "--approve")
    before = state()
    assert "新增补充协议 0 份，已存在而跳过 2 份" in run_import(path, "--approve")
    assert state() == before


def test_an_agreement_is_identified_by_project_date_and_amount_not_its_note(tmp_path, stored):
    SupplementaryAgreementFactory(project=stored, signed_on=datetime.date(2021, 9, 1), amount=D("5"), note="原备注")
    path = write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row(stored.code, "5", note="新备注"), agreement_row(stored.code, "5.5")])
    assert "新增补充协议 1 份，已存在而跳过 1 份" in run_import(path)
    assert sorted(stored.agreements.values_list("amount", flat=True)) == [D("5"), D("5.5")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (agreement_row("FL2099-00001"), "补充协议 第2行「项目编号」：找不到项目编号“FL2099-00001”"),
        (agreement_row("FL2021-00007", "0"), "「协议资金变化（亿元）」：协议资金变化不能为 0"),
        (agreement_row("FL2021-00007", "abc"), "「协议资金变化（亿元）」：“abc”不是数字"),
        (agreement_row("FL2021-00007", "-1.23456"), "小数超过4位"),
        (agreement_row("FL2021-00007", "-20000"), "超过 10000 亿元"),
        (agreement_row("FL2021-00007", "1", "2021-03-14"), "「签订日期」：补充协议的签订日期 2021-03-14 早于项目的签约日期 2021-03-15"),
        (agreement_row("FL2021-00007", "1", "2999-01-01"), "「签订日期」：补充协议的签订日期 2999-01-01 晚于今天"),
        (agreement_row("FL2021-00007", "1", "明年"), "「签订日期」：“明年”不是日期"),
        (agreement_row("FL2021-00007", None), "「协议资金变化（亿元）」：必填，不能为空"),
        # 5亿 + the first row's 1亿 − 6.01亿: the file's own increase counts.
        (agreement_row("FL2021-00007", "-6.01"), "「协议资金变化（亿元）」：减少后项目的协议资金合计为 -0.01 亿元，不能小于 0"),
    ],
)
def test_a_bad_row_is_told_by_sheet_row_and_column_and_nothing_is_written(tmp_path, stored, row, message):
    good = agreement_row(stored.code, "1", "2021-08-01")
    path = write_workbook(tmp_path / "bad.xlsx", agreements=[good, row])
    assert_rejected(path, message.replace("第2行", "第3行"))


def test_reductions_in_the_file_add_up_against_the_total(tmp_path, stored):
    rows = [agreement_row(stored.code, "-3", "2021-08-01"), agreement_row(stored.code, "-2.5", "2021-09-01")]
    assert_rejected(write_workbook(tmp_path / "a.xlsx", agreements=rows), "补充协议 第3行「协议资金变化（亿元）」：减少后项目的协议资金合计为 -0.50 亿元")


def test_a_row_repeated_in_the_file_is_refused(tmp_path, stored):
    rows = [agreement_row(stored.code, "2"), agreement_row(stored.code, "2", note="又一行")]
    assert_rejected(write_workbook(tmp_path / "a.xlsx", agreements=rows), "补充协议 第3行「协议资金变化（亿元）」：与第2行的项目编号、签订日期、协议资金变化都相同")


def test_a_stored_project_not_approved_takes_no_agreement(tmp_path, units):
    ProjectFactory(code="FL2021-00008", lead_unit=units["临港经济区"], status=Status.SUBMITTED)
    path = write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row("FL2021-00008")])
    assert_rejected(path, "项目“FL2021-00008”导入后的状态为“待审核”，不能登记补充协议", args=("--approve",))


def test_a_missing_column_is_refused_naming_it(tmp_path, stored):
    path = write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row(stored.code)], headers=["项目编号", "协议资金变化（亿元）"])
    assert_rejected(path, "补充协议 第1行「签订日期」：缺少这一必填列")


def test_the_sheet_is_optional(tmp_path, units):
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    workbook.active.append(PROJECT_HEADERS)
    workbook.save(tmp_path / "a.xlsx")
    assert "新建项目 0 个" in run_import(tmp_path / "a.xlsx")


class TestWhatStaffMayImport:
    def plan(self, path, user):
        plan = parse_workbook(path)
        check_permissions(plan, user=user)
        return plan

    def test_staff_enter_agreements_of_the_projects_their_unit_leads(self, tmp_path, units, stored):
        staff = user_with_role(Role.STAFF, units["临港经济区"], username="staff")
        plan = self.plan(write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row(stored.code, "1")]), staff)
        assert plan.ok
        apply_plan(plan=plan, approve=False, user=staff)
        assert SupplementaryAgreement.objects.get().created_by == staff

    def test_another_unit_s_project_is_as_unknown_and_its_status_never_told(self, tmp_path, units):
        ProjectFactory(code="FL2021-00009", lead_unit=units["临港经济区"], status=Status.SUBMITTED)
        staff = user_with_role(Role.STAFF, units["涪陵新城区"], username="staff")
        plan = self.plan(write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row("FL2021-00009")]), staff)
        assert [str(p) for p in plan.problems] == ["补充协议 第2行「项目编号」：找不到项目编号“FL2021-00009”：“项目”表和系统中都没有这个项目。"]

    def test_a_project_the_unit_only_cooperates_in_is_refused(self, tmp_path, units):
        ProjectFactory(code="FL2021-00010", lead_unit=units["临港经济区"], cooperating=[units["涪陵新城区"]])
        staff = user_with_role(Role.STAFF, units["涪陵新城区"], username="staff")
        plan = self.plan(write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row("FL2021-00010")]), staff)
        assert "只能为本单位牵头的项目登记补充协议" in str(plan.problems[0])


def test_the_template_has_the_sheet_and_its_help(tmp_path, units):
    path = tmp_path / "模板.xlsx"
    call_command("import_template", str(path), stdout=io.StringIO())
    workbook = openpyxl.load_workbook(path)
    assert [cell.value for cell in workbook["补充协议"][1]] == AGREEMENT_HEADERS
    explained = {(row[0], row[1]) for row in workbook["说明"].iter_rows(values_only=True)}
    assert {("补充协议", h) for h in AGREEMENT_HEADERS} <= explained
    rules = " ".join(str(row[0]) for row in workbook["说明"].iter_rows(values_only=True) if row[0])
    assert "每个“补充协议”行是已审核项目的一份补充协议" in rules
    assert "新增补充协议" not in run_import(path)  # blank: nothing to say


def test_updating_a_stored_project_may_not_break_its_agreements(tmp_path, stored):
    SupplementaryAgreementFactory(project=stored, signed_on=datetime.date(2021, 6, 1), amount=D("-4"))
    row = project_row(stored.code, **{"项目名称": stored.name, "牵头单位": "临港经济区", "协议资金（亿元）": 3, "签约日期": "2021-06-02"})
    assert_rejected(
        write_workbook(tmp_path / "a.xlsx", [row]),
        "项目 第2行「签约日期」：签约日期不能晚于已登记的补充协议（最早一份签订于 2021-06-01）",
        "项目 第2行「协议资金（亿元）」：协议资金加上已登记的补充协议（合计 -4.00 亿元）后小于 0",
    )


def test_the_browser_preview_lists_the_agreements_and_confirming_writes_them(client, tmp_path, stored, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer = user_with_role(Role.REVIEWER, username="reviewer")
    client.force_login(reviewer)
    path = write_workbook(tmp_path / "a.xlsx", agreements=[agreement_row(stored.code, "-1.5", note="减资")])
    upload = SimpleUploadedFile("补充协议.xlsx", path.read_bytes())
    response = client.post(reverse("import_upload"), {"file": upload, "approve": "on"})
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "补充协议（1 行）" in page and "确认后新增 1 份" in page and "-1.50" in page and "新增的为已核实" in page
    assert not SupplementaryAgreement.objects.exists()
    batch = ImportBatch.objects.get()
    client.post(reverse("import_confirm", args=[batch.pk]), {"approve": "1"})
    agreement = SupplementaryAgreement.objects.get()
    assert (agreement.amount, agreement.verified, agreement.verified_by) == (D("-1.5"), True, reviewer)
