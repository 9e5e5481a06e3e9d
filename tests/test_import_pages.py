"""The import in the browser: upload, problems or preview, confirm; per-unit permissions; the template."""

import datetime
import io
import os
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from projects.models import Arrival, ImportBatch, Project, Status
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.importing import apply_plan, parse_workbook
from projects.importing.batches import _describe
from tests.factories import (
    ArrivalFactory,
    OrganisationFactory,
    ProjectFactory,
    RuleSetFactory,
    UnitFactory,
    UnitTargetFactory,
    user_with_role,
)
from tests.test_import import arrival_row, database_state, project_row, write_workbook


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def units(db):
    OrganisationFactory()  # codes FL<year>-NNNNN
    names = ["涪陵新城区", "临港经济区", "白涛园区", "区商务委"]
    return {name: UnitFactory(name=name) for name in names}


@pytest.fixture
def staff(units):
    return user_with_role(Role.STAFF, units["涪陵新城区"], username="新城填报员")


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="审核员")


def client_for(client, user):
    client.force_login(user)
    return client


def workbook_upload(tmp_path, projects=(), arrivals=None, name="项目导入.xlsx"):
    path = write_workbook(tmp_path / "upload.xlsx", projects, arrivals)
    return SimpleUploadedFile(name, path.read_bytes())


def upload(client, file, approve=False):
    data = {"file": file}
    if approve:
        data["approve"] = "on"
    return client.post(reverse("import_upload"), data)


def upload_and_preview(client, tmp_path, projects=(), arrivals=None, approve=False):
    response = upload(client, workbook_upload(tmp_path, projects, arrivals), approve=approve)
    assert response.status_code == 302, response.content.decode()
    return ImportBatch.objects.latest("pk"), client.get(response["Location"])


def problems_of(response):
    return [(p.sheet, p.row, p.column, p.message) for p in response.context["preview"].problems]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Upload ----------------------------------------------------------------------------------


def test_the_upload_page_links_the_blank_template_and_states_the_size_limit(client, staff, settings):
    settings.IMPORT_MAX_BYTES = 5 * 2**20

    response = client_for(client, staff).get(reverse("import_upload"))

    page = response.content.decode()
    assert reverse("import_template") in page
    assert "5.0 MB" in page
    assert 'enctype="multipart/form-data"' in page


def test_an_upload_without_a_file_is_refused_next_to_the_field(client, staff):
    response = client_for(client, staff).post(reverse("import_upload"), {})

    assert response.status_code == 200
    assert "请选择要导入的 .xlsx 文件。" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_file_that_is_not_xlsx_by_its_extension(client, staff, tmp_path):
    file = workbook_upload(tmp_path, [project_row()], name="旧格式.xls")

    response = upload(client_for(client, staff), file)

    assert response.status_code == 200
    assert "只能导入 .xlsx 文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client, staff, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024
    file = SimpleUploadedFile("大文件.xlsx", b"x" * 2048)

    response = upload(client_for(client, staff), file)

    assert "超过 1 KB 的上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_good_upload_is_kept_as_a_pending_batch_and_nothing_is_written(client, staff, tmp_path, units):
    before = database_state()

    response = upload(client_for(client, staff), workbook_upload(tmp_path, [project_row()]))

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_preview", kwargs={"pk": batch.pk})
    assert (batch.uploaded_by, batch.original_name, batch.state) == (staff, "项目导入.xlsx", ImportBatch.State.PENDING)
    assert batch.file.name.endswith(".xlsx") and "项目导入" not in batch.file.name  # stored under a random name
    assert database_state() == before


def test_leaders_may_not_upload(client, db):
    leader = user_with_role(Role.LEADER, username="领导")

    assert client_for(client, leader).get(reverse("import_upload")).status_code == 403
    assert client.post(reverse("import_upload"), {}).status_code == 403


# --- Preview ---------------------------------------------------------------------------------


def test_the_preview_lists_every_problem_by_sheet_row_and_column_and_offers_no_confirm(client, staff, tmp_path, units):
    rows = [project_row(), project_row(**{"项目名称": "乙", "协议资金（亿元）": "abc", "签约日期": None})]
    before = database_state()

    batch, response = upload_and_preview(client_for(client, staff), tmp_path, rows, [arrival_row("FL2021-09999")])

    assert problems_of(response) == [
        ("项目", 3, "协议资金（亿元）", "“abc”不是数字。"),
        ("项目", 3, "签约日期", Project.REQUIRED_TO_SUBMIT["signed_on"]),
        ("到位资金", 2, "项目编号", "找不到项目编号“FL2021-09999”：“项目”表和系统中都没有这个项目。"),
    ]
    page = response.content.decode()
    assert "发现 3 处错误，未写入任何数据" in page and "待确认" not in page
    assert "<th>工作表</th>" in page and "<th>列</th>" in page and "<th>问题</th>" in page
    assert reverse("import_confirm", kwargs={"pk": batch.pk}) not in page
    assert database_state() == before


def test_the_preview_shows_what_will_be_created_and_updated_without_writing(client, reviewer, tmp_path, units):
    stored = ProjectFactory(code="FL2021-00007", name="已有项目", lead_unit=units["临港经济区"], status=Status.SUBMITTED)
    rows = [
        project_row(),
        project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 9}),
    ]
    before = database_state()

    batch, response = upload_and_preview(client_for(client, reviewer), tmp_path, rows, [arrival_row(stored.code, "2")])

    preview = response.context["preview"]
    assert preview.problems == []
    assert (preview.result.created, preview.result.updated, preview.result.arrivals_created) == (["FL2021-00001"], ["FL2021-00007"], 1)
    assert [(r.row, r.code, r.name, r.lead_unit, r.action) for r in preview.rows] == [
        (2, "FL2021-00001", "页岩气综合利用项目", "涪陵新城区", "新建"),  # the 2021 sequence's first
        (3, "FL2021-00007", "已有项目", "临港经济区", "更新"),
    ]
    page = response.content.decode()
    assert "确认导入" in page and reverse("import_confirm", kwargs={"pk": batch.pk}) in page
    assert database_state() == before
    assert ImportBatch.objects.get().state == ImportBatch.State.PENDING


def test_the_preview_shows_each_rows_amounts_tier_and_each_units_credit(client, reviewer, tmp_path, units):
    RuleSetFactory(year=2021)
    rows = [
        project_row(**{"项目编号": "FL2021-00001", "预计产值（亿元）": "60.5"}),
        project_row(**{
            "项目名称": "冷链物流园", "牵头单位": "临港经济区", "配合单位": "区商务委", "产业类型": "非工业",
            "项目来源": "区外市内", "协议资金（亿元）": 12,
        }),  # fmt: skip
        project_row(**{"项目名称": "区内项目", "项目来源": "区内", "协议资金（亿元）": 3}),
    ]

    _batch, response = upload_and_preview(client_for(client, reviewer), tmp_path, rows, [arrival_row("FL2021-00001", "3.5")])

    described = response.context["preview"].rows
    assert [(r.agreement_capital, r.expected_output, r.score.tier.label) for r in described] == [
        (Decimal(25), Decimal("60.5"), "重大项目"),
        (Decimal(12), None, "较大项目"),
        (Decimal(3), None, "重点项目"),
    ]
    credits = [(c.unit.name, c.agreement_capital) for c in described[1].score.credits]
    assert credits == [("临港经济区", Decimal("1.92")), ("区商务委", Decimal("0.48"))]
    page = response.content.decode()
    for text in ("25.00", "60.50", "重大项目", "临港经济区（牵头 16%）1.92", "区商务委（配合 4%）0.48", "不计入考核", "3.50"):
        assert text in page
    assert "检查通过，待确认导入" in page


def test_a_row_without_the_cooperating_column_is_credited_with_the_stored_cooperating_units(reviewer, tmp_path, units):
    RuleSetFactory(year=2021)
    stored = ProjectFactory(code="FL2021-00007", name="已有项目", lead_unit=units["临港经济区"], cooperating=[units["区商务委"]])
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    row = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 10})
    headers = [header for header in row if header != "配合单位"]
    workbook.active.append(headers)
    workbook.active.append([row[header] for header in headers])
    workbook.save(tmp_path / "a.xlsx")
    plan = parse_workbook(tmp_path / "a.xlsx")

    [described] = _describe(plan, apply_plan(plan=plan, approve=False, dry_run=True))

    assert [(c.unit.name, c.agreement_capital) for c in described.score.credits] == [("临港经济区", 8), ("区商务委", 2)]


def test_describing_the_preview_reads_the_same_number_of_queries_for_more_rows(reviewer, tmp_path, units):
    RuleSetFactory(year=2021)
    counts = []
    for size in (2, 8):
        names = [f"项目{i}" for i in range(size)]
        rows = [project_row(**{"项目名称": name, "配合单位": "区商务委"}) for name in names]
        plan = parse_workbook(write_workbook(tmp_path / f"{size}.xlsx", rows))
        result = apply_plan(plan=plan, approve=False, dry_run=True)
        with CaptureQueriesContext(connection) as queries:
            described = _describe(plan, result)
        assert all(row.score.credits for row in described)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_amounts_worth_a_second_look_are_warnings_and_the_import_goes_ahead(client, staff, tmp_path, units):
    UnitTargetFactory(unit=units["涪陵新城区"], year=2021, agreement_capital=Decimal(110))
    batch, response = upload_and_preview(client_for(client, staff), tmp_path, [project_row(**{"协议资金（亿元）": 150})])

    preview = response.context["preview"]
    assert preview.problems == [] and len(preview.plan.warnings) == 1
    page = response.content.decode()
    assert "请核对以下 1 处金额（提醒，不是错误，可以导入）" in page
    assert "协议资金 150.00 亿元超过牵头单位2021年全年协议资金目标 110.00 亿元" in page
    assert reverse("import_confirm", kwargs={"pk": batch.pk}) in page

    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    assert Project.objects.get().agreement_capital == Decimal(150)


def test_only_the_uploader_sees_a_batch_even_in_the_same_unit(client, staff, tmp_path, units):
    batch, _ = upload_and_preview(client_for(client, staff), tmp_path, [project_row()])
    colleague = user_with_role(Role.STAFF, units["涪陵新城区"], username="同单位同事")
    client.force_login(colleague)

    assert client.get(reverse("import_preview", kwargs={"pk": batch.pk})).status_code == 404
    assert client.post(reverse("import_confirm", kwargs={"pk": batch.pk})).status_code == 404
    assert not Project.objects.exists()


# --- Confirm ---------------------------------------------------------------------------------


def test_confirming_imports_the_file_as_submitted_projects_and_marks_the_batch_applied(client, staff, tmp_path, units):
    batch, _ = upload_and_preview(client_for(client, staff), tmp_path, [project_row(**{"项目编号": None})])

    response = client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    assert response.status_code == 302 and response["Location"] == reverse("project_list")
    project = Project.objects.get()
    assert (project.code, project.status, project.created_by) == ("FL2021-00001", Status.SUBMITTED, staff)
    assert project.history.get().history_user == staff
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED and batch.applied_at is not None
    assert "新建项目 1 个" in batch.summary
    assert any("导入完成：新建项目 1 个" in m for m in messages_of(response))


def test_a_batch_cannot_be_imported_twice(client, staff, tmp_path, units):
    batch, _ = upload_and_preview(client_for(client, staff), tmp_path, [project_row()], [])
    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))
    Project.objects.update(name="审核员改过的名称")
    state = database_state()

    response = client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    assert response.status_code == 302 and response["Location"] == reverse("import_preview", kwargs={"pk": batch.pk})
    assert any("不能重复导入" in m for m in messages_of(response))
    assert database_state() == state
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" not in page and "已导入" in page


def test_problems_that_appear_after_the_preview_stop_the_import_and_send_back_to_the_preview(client, staff, tmp_path, units):
    own = ProjectFactory(code="FL2021-00003", lead_unit=units["涪陵新城区"])
    batch, preview = upload_and_preview(client_for(client, staff), tmp_path, [project_row()], [arrival_row(own.code)])
    assert preview.context["preview"].problems == []
    own.delete()
    state = database_state()

    response = client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    assert response.status_code == 302 and response["Location"] == reverse("import_preview", kwargs={"pk": batch.pk})
    assert "导入失败：发现 1 处错误，未写入任何数据。请查看下面的错误，改正后重新上传。" in messages_of(response)
    assert database_state() == state
    assert ImportBatch.objects.get().state == ImportBatch.State.PENDING


def test_confirm_answers_only_post(client, staff, tmp_path, units):
    batch, _ = upload_and_preview(client_for(client, staff), tmp_path, [project_row()])

    assert client.get(reverse("import_confirm", kwargs={"pk": batch.pk})).status_code == 405
    assert not Project.objects.exists()


def test_a_reviewer_may_have_the_import_approved_at_once(client, reviewer, tmp_path, units):
    batch, preview = upload_and_preview(client_for(client, reviewer), tmp_path, [project_row()], approve=True)
    assert preview.context["approve"] is True

    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}), {"approve": "1"})

    project = Project.objects.get()
    assert (project.status, project.reviewed_by) == (Status.APPROVED, reviewer)


def test_staff_cannot_have_their_import_approved(client, staff, tmp_path, units):
    batch, preview = upload_and_preview(client_for(client, staff), tmp_path, [project_row()], approve=True)
    assert "导入后直接审核通过" not in client.get(reverse("import_upload")).content.decode()

    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}), {"approve": "1"})

    assert Project.objects.get().status == Status.SUBMITTED


# --- What a unit's staff may import -----------------------------------------------------------


def test_staff_may_only_import_projects_their_unit_leads(client, staff, tmp_path, units):
    _, response = upload_and_preview(client_for(client, staff), tmp_path, [project_row(**{"牵头单位": "临港经济区"})])

    assert [(p[1], p[2]) for p in problems_of(response)] == [(2, "牵头单位")]
    assert "只能导入本单位牵头的项目" in problems_of(response)[0][3]


def test_a_row_led_by_another_unit_does_not_reveal_that_units_matching_project(client, staff, tmp_path, units):
    ProjectFactory(code="FL2021-00077", name="别家项目", lead_unit=units["临港经济区"], signed_on=datetime.date(2021, 3, 15))
    row = project_row(**{"项目编号": "FL2021-00099", "项目名称": "别家项目", "牵头单位": "临港经济区"})

    _, response = upload_and_preview(client_for(client, staff), tmp_path, [row])

    assert "FL2021-00077" not in response.content.decode()
    assert [p[2] for p in problems_of(response)] == ["牵头单位"]


def test_another_units_project_code_gets_the_same_answer_as_an_unknown_code(client, staff, tmp_path, units):
    ProjectFactory(code="FL2021-00050", name="别家机密项目", lead_unit=units["临港经济区"])

    def answers_for(code):
        found = []
        for projects, arrivals in (([project_row(**{"项目编号": code, "项目名称": "别家机密项目"})], None), ([], [arrival_row(code)])):
            _, response = upload_and_preview(client, tmp_path, projects, arrivals)
            found += [(p[0], p[1], p[2], p[3].replace(code, "CODE")) for p in problems_of(response)]
        return found

    client_for(client, staff)
    hidden = answers_for("FL2021-00050")
    unknown = answers_for("FL2021-00051")

    assert hidden == unknown
    assert [p[:3] for p in hidden] == [("项目", 2, "项目编号"), ("到位资金", 2, "项目编号")]
    assert "临港经济区" not in str(hidden) and "别家" not in str(hidden)
    assert Project.objects.get(code="FL2021-00050").name == "别家机密项目"


def test_staff_may_not_change_an_approved_project_but_may_import_it_unchanged(client, staff, tmp_path, units):
    approved = ProjectFactory(code="FL2021-00005", name="已审核项目", lead_unit=units["涪陵新城区"], agreement_capital=Decimal("25"))
    same = project_row(**{"项目编号": approved.code, "项目名称": "已审核项目", "投资方": approved.investor})
    client_for(client, staff)

    _, changed = upload_and_preview(client, tmp_path, [{**same, "协议资金（亿元）": 30}])
    batch, unchanged = upload_and_preview(client, tmp_path, [same])

    assert [p[3] for p in problems_of(changed)] == ["已审核项目只能由区招商投资局修改：项目“FL2021-00005”已审核，此行会改变它的内容。"]
    assert problems_of(unchanged) == []
    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))
    approved.refresh_from_db()
    assert (approved.status, approved.agreement_capital) == (Status.APPROVED, Decimal("25"))


def test_staff_may_update_their_returned_project_which_is_submitted_again(client, staff, tmp_path, units):
    returned = ProjectFactory(code="FL2021-00006", name="退回项目", lead_unit=units["涪陵新城区"], status=Status.RETURNED)
    row = project_row(**{"项目编号": returned.code, "项目名称": "退回项目", "协议资金（亿元）": 3})
    batch, preview = upload_and_preview(client_for(client, staff), tmp_path, [row])
    assert problems_of(preview) == []

    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    returned.refresh_from_db()
    assert (returned.status, returned.agreement_capital) == (Status.SUBMITTED, Decimal("3"))


def test_staff_may_not_update_a_project_their_unit_only_cooperates_in(client, staff, tmp_path, units):
    joint = ProjectFactory(
        code="FL2021-00008", name="联合项目", lead_unit=units["临港经济区"], cooperating=[units["涪陵新城区"]], status=Status.DRAFT
    )
    row = project_row(**{"项目编号": joint.code, "项目名称": "联合项目", "牵头单位": "涪陵新城区"})

    _, response = upload_and_preview(client_for(client, staff), tmp_path, [row])

    assert "由临港经济区牵头，本单位是配合单位" in problems_of(response)[0][3]


def test_staff_may_add_arrivals_only_to_projects_their_unit_leads(client, staff, tmp_path, units):
    own = ProjectFactory(code="FL2021-00011", lead_unit=units["涪陵新城区"])
    joint = ProjectFactory(code="FL2021-00012", lead_unit=units["临港经济区"], cooperating=[units["涪陵新城区"]])
    client_for(client, staff)

    _, refused = upload_and_preview(client, tmp_path, [], [arrival_row(joint.code)])
    batch, accepted = upload_and_preview(client, tmp_path, [], [arrival_row(own.code, "0.5")])

    assert problems_of(refused) == [("到位资金", 2, "项目编号", "只能为本单位牵头的项目登记到位资金：项目“FL2021-00012”由临港经济区牵头。")]
    assert problems_of(accepted) == []
    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))
    assert list(Arrival.objects.values_list("project__code", "amount")) == [("FL2021-00011", Decimal("0.5"))]


def test_one_refused_row_means_nothing_is_written(client, staff, tmp_path, units):
    own = ProjectFactory(code="FL2021-00011", lead_unit=units["涪陵新城区"])
    ArrivalFactory(project=own)
    rows = [project_row(**{"项目名称": "好项目"}), project_row(**{"项目名称": "别家", "牵头单位": "白涛园区"})]
    before = database_state()

    batch, response = upload_and_preview(client_for(client, staff), tmp_path, rows, [arrival_row(own.code, "0.7")])
    client.post(reverse("import_confirm", kwargs={"pk": batch.pk}))

    assert len(problems_of(response)) == 1
    assert database_state() == before


# --- Template --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.REVIEWER, Role.LEADER])
def test_every_role_downloads_the_blank_template(client, units, role):
    user = user_with_role(role, units["涪陵新城区"] if role is Role.STAFF else None, username=f"u-{role.name}")

    response = client_for(client, user).get(reverse("import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:2] == ["项目", "到位资金"]
    assert [cell.value for cell in workbook["项目"][1]][:4] == ["项目编号", "项目名称", "投资方", "牵头单位"]


# --- Expiry (Celery beat) ---------------------------------------------------------------------


def test_a_batch_left_unconfirmed_past_its_time_is_discarded_and_its_file_deleted(
    client, staff, tmp_path, units, settings, django_capture_on_commit_callbacks
):
    from projects.tasks import expire_import_batches_task

    stale, _ = upload_and_preview(client_for(client, staff), tmp_path, [project_row()], [])
    fresh, _ = upload_and_preview(client, tmp_path, [project_row()], [])
    applied, _ = upload_and_preview(client, tmp_path, [project_row(**{"项目编号": None})], [])
    client.post(reverse("import_confirm", kwargs={"pk": applied.pk}))
    old = timezone.now() - settings.IMPORT_PENDING_FOR - datetime.timedelta(minutes=1)
    ImportBatch.objects.filter(pk__in=[stale.pk, applied.pk]).update(uploaded_at=old)
    paths = {batch.pk: batch.file.path for batch in (stale, fresh, applied)}

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_import_batches_task.apply().get() == 1

    states = dict(ImportBatch.objects.values_list("pk", "state"))
    assert states == {stale.pk: "discarded", fresh.pk: "pending", applied.pk: "applied"}
    assert not os.path.exists(paths[stale.pk])
    assert os.path.exists(paths[fresh.pk]) and os.path.exists(paths[applied.pk])
    response = client.post(reverse("import_confirm", kwargs={"pk": stale.pk}))
    assert any("已放弃，不能重复导入" in m for m in messages_of(response))


def test_the_expiry_runs_every_night():
    from celery.schedules import crontab
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["expire-import-batches"]
    assert entry == {"task": "projects.expire_import_batches", "schedule": crontab(minute=30, hour=3)}
