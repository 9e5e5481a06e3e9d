"""The pipeline import in the browser: upload, problems or what it would do, confirm; staff import
their own unit's leads and activities only; the template download."""

import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import Role
from leads.models import Activity, Lead, TargetEnterprise
from projects.models import ImportBatch
from tests.factories import LeadFactory, user_with_role
from tests.test_lead_import import activity_row, database_state, enterprise_row, lead_row, write_workbook
from tests.test_lead_import import group, link, units  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(units):
    return user_with_role(Role.STAFF, units["涪陵新城区"], username="新城填报员")


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="审核员")


@pytest.fixture
def upload(client, tmp_path, units, group, link):
    """Sign `user` in, upload a workbook of the given rows, and return the batch and its preview page."""

    def run(user, enterprises=None, leads=None, activities=None):
        client.force_login(user)
        path = write_workbook(tmp_path / "upload.xlsx", enterprises, leads, activities)
        response = client.post(reverse("leads_import_upload"), {"file": SimpleUploadedFile("线索.xlsx", path.read_bytes())})
        assert response.status_code == 302, response.content.decode()
        return ImportBatch.objects.latest("pk"), client.get(response["Location"])

    return run


def problems_of(response):
    return [(p.sheet, p.row, p.column, p.message) for p in response.context["preview"].problems]


def test_a_clean_file_shows_what_it_would_do_and_writes_nothing_until_confirmed(client, upload, reviewer):
    batch, page = upload(reviewer, [enterprise_row()], [lead_row()], [activity_row()])

    assert batch.kind == ImportBatch.Kind.PIPELINE
    assert page.context["preview"].result.counts["线索"].created == 1
    assert "确认导入" in page.content.decode()
    assert database_state() == {key: [] for key in database_state()}

    response = client.post(reverse("leads_import_confirm", kwargs={"pk": batch.pk}))

    assert response.status_code == 302
    assert Activity.objects.get().lead == Lead.objects.get()
    assert TargetEnterprise.objects.get().leads.count() == 1
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED and "线索：新建 1 条" in batch.summary
    assert batch.uploaded_by == reviewer and Lead.objects.get().created_by == reviewer


def test_a_batch_is_imported_once(client, upload, reviewer):
    batch, _ = upload(reviewer, leads=[lead_row(目标企业=None)])
    client.post(reverse("leads_import_confirm", kwargs={"pk": batch.pk}))

    response = client.post(reverse("leads_import_confirm", kwargs={"pk": batch.pk}))

    assert "不能重复导入" in str(list(get_messages(response.wsgi_request))[-1])
    assert Lead.objects.count() == 1


def test_problems_are_listed_by_sheet_row_and_column(upload, reviewer):
    _, page = upload(reviewer, leads=[lead_row(目标企业=None, 截止日期=None)])

    assert problems_of(page) == [("线索", 2, "截止日期", "在跟线索必须有下一步的截止日期。")]
    assert "确认导入" not in page.content.decode()


def test_staff_import_their_own_units_leads_and_activities(client, upload, staff, units):
    batch, page = upload(staff, [enterprise_row()], [lead_row()], [activity_row()])
    assert page.context["preview"].problems == []

    client.post(reverse("leads_import_confirm", kwargs={"pk": batch.pk}))

    assert Lead.objects.get().owner_unit == units["涪陵新城区"]
    assert Activity.objects.get().unit == units["涪陵新城区"]


def test_staff_rows_of_another_unit_are_refused(upload, staff, units):
    LeadFactory(code="XS-OTHER", owner_unit=units["临港经济区"])
    LeadFactory(code="XS-THEIRS", owner_unit=units["临港经济区"])
    leads = [
        lead_row(线索编号="XS-1", 目标企业=None, 责任单位="临港经济区"),
        lead_row(线索编号="XS-OTHER", 目标企业=None),
    ]
    activities = [
        activity_row(单位="临港经济区", 线索编号=None),
        activity_row(事由="另一次拜访", 线索编号="XS-THEIRS"),
    ]

    _, page = upload(staff, leads=leads, activities=activities)

    assert problems_of(page) == [
        ("线索", 2, "责任单位", "只能导入本单位负责的线索：本单位为涪陵新城区，此行的责任单位不是本单位。"),
        ("线索", 3, "线索编号", "线索编号“XS-OTHER”已被其他单位的线索使用，请换一个编号。"),
        ("活动", 2, "单位", "只能导入本单位的活动：本单位为涪陵新城区，此行的单位不是本单位。"),
        ("活动", 3, "线索编号", "找不到线索编号“XS-THEIRS”：“线索”表和系统中都没有这条线索。"),
    ]


def test_another_users_batch_is_not_found(client, upload, reviewer, staff):
    batch, _ = upload(reviewer, leads=[lead_row(目标企业=None)])
    client.force_login(staff)

    assert client.get(reverse("leads_import_preview", kwargs={"pk": batch.pk})).status_code == 404
    assert client.post(reverse("leads_import_confirm", kwargs={"pk": batch.pk})).status_code == 404
    assert not Lead.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_by_the_form(client, reviewer, db):
    client.force_login(reviewer)

    response = client.post(reverse("leads_import_upload"), {"file": SimpleUploadedFile("线索.xls", b"old excel")})

    assert response.status_code == 200
    assert "只能导入 .xlsx 文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_template_download_is_the_blank_workbook(client, reviewer, units):
    client.force_login(reviewer)

    response = client.get(reverse("leads_import_template"))

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:3] == ["目标企业", "线索", "活动"]


def test_the_upload_page_lists_only_the_users_pipeline_batches(client, upload, reviewer):
    upload(reviewer, leads=[lead_row(目标企业=None)])
    ImportBatch.objects.create(uploaded_by=reviewer, original_name="项目.xlsx", file=SimpleUploadedFile("x.xlsx", b"x"))

    page = client.get(reverse("leads_import_upload"))

    assert [batch.original_name for batch in page.context["recent"]] == ["线索.xlsx"]
    project_page = client.get(reverse("import_upload"))
    assert [batch.original_name for batch in project_page.context["recent"]] == ["项目.xlsx"]


def test_the_upload_page_reads_the_same_number_of_queries_for_more_batches(client, reviewer):
    client.force_login(reviewer)

    def queries_with(count):
        for n in range(count):
            ImportBatch.objects.create(
                uploaded_by=reviewer, original_name=f"{n}.xlsx", file=SimpleUploadedFile("x.xlsx", b"x"), kind=ImportBatch.Kind.PIPELINE
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("leads_import_upload")).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(9)
