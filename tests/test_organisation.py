"""The district is data, not code: one organisation record names it everywhere (targets.models.Organisation).

Another district loads its own record; its names, not Fuling's, appear on the pages, in the
bulletin's PDF and workbook, in downloads, in the import template and in new project codes.
"""

import datetime
import importlib
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.importing import write_template
from projects.models import Origin, Sector
from reports import services as reports
from reports.models import Bulletin
from targets.models import Organisation, Unit
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, client_for, user_with_role
from tests.test_bulletin_pdf import pages, poppler
from tests.test_layers import LAYERS

pytestmark = pytest.mark.django_db

# What the scan covers: every Python file and template of the apps and the project package, the
# benchmarks and manage.py; not tests, migrations (which record history), fixtures and docs (data
# and prose). The names are matched as written; `fuling_invest` (the Python package) and
# `fuling_2021` (the fixture's file name) are identifiers, not a name shown to anyone.
FORBIDDEN = re.compile(r"涪陵|重庆|Fuling|Chongqing|FULING|CHONGQING")
SCANNED = [*LAYERS, "templates", "static/js", "bench"]  # every app, whatever its layer

OTHER = {
    "district": "某某区",
    "city": "某某市",
    "issuer": "某某区投资促进中心",
    "system_title": "某某区招商引资考核平台",
    "code_prefix": "MM",
}


def scanned_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = [root / "manage.py"]
    for folder in SCANNED:
        files += [p for p in (root / folder).rglob("*") if p.suffix in (".py", ".html", ".js", ".txt")]
    return [p for p in files if "migrations" not in p.parts and "__pycache__" not in p.parts]


def test_no_python_file_or_template_names_the_district_or_its_city():
    files = scanned_files()
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert len(files) > 50 and found == []


@pytest.fixture
def other(fuling_2021):
    """The 2021 reference data with another district's organisation record in place of Fuling's."""
    Organisation.objects.filter(pk=Organisation.ONLY).update(**OTHER)
    return Organisation.current()


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="reviewer")


def test_the_fixture_loads_fulings_record(fuling_2021):
    organisation = Organisation.current()
    assert (organisation.district, organisation.city, organisation.code_prefix) == ("涪陵区", "重庆市", "FL")
    assert organisation.system_title == "涪陵区招商引资目标考核系统"
    assert organisation.issuer == "涪陵区招商投资局"


def test_the_pages_title_brand_and_footer_name_the_organisation(other, reviewer):
    page = client_for(reviewer).get(reverse("dashboard")).content.decode()
    assert re.search(r"<title>[^<]* · 某某区招商引资考核平台</title>", page)
    assert '<a class="brand" href="/">某某区招商引资考核平台</a>' in page
    assert "某某区投资促进中心 · 金额单位：亿元" in page
    assert "涪陵区" not in page and "重庆" not in page


def test_the_admin_header_names_the_system(other, admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "某某区招商引资考核平台" in page and "涪陵区" not in page


def test_without_the_record_the_pages_have_a_neutral_title(reviewer):
    assert not Organisation.objects.exists()
    page = client_for(reviewer).get(reverse("dashboard")).content.decode()
    assert re.search(r"<title>[^<]* · 招商引资目标考核系统</title>", page)
    login = Client().get(reverse("login")).content.decode()
    assert re.search(r"<title>[^<]* · 招商引资目标考核系统</title>", login)


def test_the_project_form_explains_the_origins_with_the_organisations_places(other, reviewer):
    page = client_for(reviewer).get(reverse("project_create")).content.decode()
    assert "市外（某某市以外，含境外）、区外市内（某某市内、某某区外）或 区内（某某区内）。" in page
    assert "如 MM2021-00001" in page


def test_new_projects_get_codes_with_the_organisations_prefix(other, reviewer):
    facts = {
        "name": "甲",
        "lead_unit": Unit.objects.get(name="临港经济区"),
        "sector": Sector.INDUSTRIAL,
        "origin": Origin.OUTSIDE_CITY,
        "agreement_capital": Decimal("1"),
        "signed_on": datetime.date(2021, 4, 1),
    }
    project = services.create_project(user=reviewer, facts=facts, cooperating_unit_ids=[])
    assert project.code == "MM2021-00001"


def test_the_import_template_explains_the_origins_and_codes_with_the_organisation(other):
    buffer = io.BytesIO()
    write_template(buffer)
    help_sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["说明"]
    text = "\n".join(str(cell.value) for row in help_sheet.iter_rows() for cell in row if cell.value)
    assert "市外（某某市以外，含境外）、区外市内（某某市内、某某区外）或 区内（某某区内）。" in text
    assert "MM＋签约年份＋5位序号，如 MM2021-00001" in text
    assert "涪陵" not in text and "重庆" not in text and "FL20" not in text


def test_the_projects_export_is_named_and_titled_for_the_organisation(other, reviewer):
    response = client_for(reviewer).get(reverse("project_export"))
    assert quote("某某区招商项目_") in response["Content-Disposition"]
    properties = openpyxl.load_workbook(io.BytesIO(response.content)).properties
    assert (properties.title, properties.creator) == ("某某区招商项目", "某某区招商引资考核平台")


def test_the_bulletin_pdf_and_workbook_name_the_organisation(other, reviewer):
    ProjectFactory(lead_unit=Unit.objects.get(name="临港经济区"), agreement_capital=Decimal("30"), signed_on=datetime.date(2021, 5, 1))
    bulletin = reports.generate_bulletin(year=2021, quarter=2, user=reviewer).bulletin

    first = pages(bytes(bulletin.pdf))[0]
    assert "某某区投资促进中心" in first and "某某区招商引资工作2021年第2季度通报" in first
    info = poppler("pdfinfo", bytes(bulletin.pdf))
    assert re.search(r"^Title:\s+某某区招商引资工作2021年第2季度通报$", info, re.M)
    assert re.search(r"^Author:\s+某某区投资促进中心$", info, re.M)
    assert re.search(r"^Creator:\s+某某区招商引资考核平台$", info, re.M)
    assert "涪陵区" not in "".join(pages(bytes(bulletin.pdf))[:1]) and "涪陵区" not in info

    workbook = openpyxl.load_workbook(io.BytesIO(bytes(bulletin.xlsx)))
    assert (workbook.properties.title, workbook.properties.creator) == ("某某区招商引资工作2021年第2季度通报", "某某区投资促进中心")
    cover = workbook["说明"]
    assert cover["A1"].value == "某某区招商引资工作2021年第2季度通报"
    assert [row for row in cover.iter_rows(values_only=True) if row[0] == "发布单位"][0][1] == "某某区投资促进中心"

    assert bulletin.filename("pdf") == "某某区招商引资2021年第2季度通报（草稿）.pdf"
    response = client_for(reviewer).get(reverse("bulletin_pdf", args=[bulletin.pk]))
    assert quote("某某区招商引资2021年第2季度通报（草稿）.pdf") in response["Content-Disposition"]


def test_a_bulletin_keeps_the_names_it_was_generated_with(fuling_2021, reviewer):
    bulletin = reports.generate_bulletin(year=2021, quarter=2, user=reviewer).bulletin
    Organisation.objects.filter(pk=Organisation.ONLY).update(**OTHER)

    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    assert bulletin.title == "涪陵区招商引资工作2021年第2季度通报"
    assert bulletin.read_snapshot().title == "涪陵区招商引资工作2021年第2季度通报"
    assert bulletin.filename("xlsx") == "涪陵区招商引资2021年第2季度通报（草稿）.xlsx"
    page = client_for(reviewer).get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "<h1>涪陵区招商引资工作2021年第2季度通报</h1>" in page


def test_bulletins_generated_before_the_record_keep_their_district_from_the_issuer(fuling_2021, reviewer):
    bulletin = reports.generate_bulletin(year=2021, quarter=2, user=reviewer).bulletin
    old = {key: value for key, value in bulletin.snapshot.items() if key not in ("district", "system_title")}
    Bulletin.objects.filter(pk=bulletin.pk).update(district="", snapshot=old)
    migration = importlib.import_module("reports.migrations.0002_bulletin_district")

    migration.district_from_issuer(apps, None)

    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    assert bulletin.district == "涪陵区"
    assert bulletin.read_snapshot().title == bulletin.title == "涪陵区招商引资工作2021年第2季度通报"


def test_a_database_upgraded_with_units_keeps_the_names_and_prefix_it_had():
    UnitFactory(name="某园区")
    migration = importlib.import_module("targets.migrations.0004_organisation")

    migration.keep_the_names_in_use(apps, None)

    organisation = Organisation.current()
    assert (organisation.district, organisation.code_prefix) == ("涪陵区", "FL")


def test_an_empty_database_gets_no_record_from_the_migration_but_from_its_fixture():
    migration = importlib.import_module("targets.migrations.0004_organisation")

    migration.keep_the_names_in_use(apps, None)

    assert not Organisation.objects.exists()


def test_the_migration_leaves_a_record_already_there(fuling_2021):
    Organisation.objects.update(district="某某区")
    migration = importlib.import_module("targets.migrations.0004_organisation")

    migration.keep_the_names_in_use(apps, None)

    assert Organisation.current().district == "某某区"


# --- One record, edited in the admin ---------------------------------------------------------


def test_the_admin_edits_the_record_but_cannot_add_a_second_or_delete_it(fuling_2021, admin_client):
    change = reverse("admin:targets_organisation_change", args=[Organisation.ONLY])
    data = {**OTHER, "code_prefix": "QQ"}
    assert admin_client.post(change, data).status_code == 302
    assert Organisation.current().code_prefix == "QQ"
    assert admin_client.get(reverse("admin:targets_organisation_add")).status_code == 403
    assert admin_client.post(reverse("admin:targets_organisation_delete", args=[Organisation.ONLY]), {"post": "yes"}).status_code == 403
    assert Organisation.objects.count() == 1


def test_the_admin_adds_the_record_when_there_is_none(admin_client):
    assert admin_client.post(reverse("admin:targets_organisation_add"), OTHER).status_code == 302
    assert Organisation.current().district == "某某区"
    assert admin_client.get(reverse("admin:targets_organisation_add")).status_code == 403


def test_the_code_prefix_is_capital_letters(fuling_2021, admin_client):
    change = reverse("admin:targets_organisation_change", args=[Organisation.ONLY])
    response = admin_client.post(change, {**OTHER, "code_prefix": "m-1"})
    assert response.status_code == 200 and "请填写 1 至 6 个大写英文字母。" in response.content.decode()


def test_the_database_holds_one_record_at_most(fuling_2021):
    with pytest.raises(IntegrityError):
        OrganisationFactory(id=2)


def test_a_page_reads_the_record_once_however_often_it_names_it(other, reviewer):
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("project_create"))  # title, brand, footer, origin help, code help
    assert sum('"targets_organisation"' in q["sql"] for q in queries.captured_queries) == 1
