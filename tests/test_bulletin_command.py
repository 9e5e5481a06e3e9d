"""`python manage.py bulletin`: the same documents from the command line."""

import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from access.roles import Role
from projects.models import Project
from reports import services
from reports.models import Bulletin
from targets.models import Unit
from tests.factories import ProjectFactory, user_with_role


@pytest.fixture
def project(fuling_2021):
    return ProjectFactory(
        lead_unit=Unit.objects.get(name="涪陵新城区"), agreement_capital=Decimal("25"), signed_on=datetime.date(2021, 4, 15)
    )


def run(*args) -> str:
    out = io.StringIO()
    call_command("bulletin", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_pdf_and_the_workbook_of_the_stored_draft(project, tmp_path):
    pdf, xlsx = tmp_path / "q2.pdf", tmp_path / "q2.xlsx"

    out = run("--year", "2021", "--quarter", "2", "--pdf", str(pdf), "--xlsx", str(xlsx))

    bulletin = Bulletin.objects.get()
    assert "涪陵区招商引资工作2021年第2季度通报：已生成草稿" in out and f"已写入 {pdf}" in out
    assert pdf.read_bytes() == bytes(bulletin.pdf) and xlsx.read_bytes() == bytes(bulletin.xlsx)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "涪陵新城区" in text and "25.00" in text
    assert "园区" in load_workbook(io.BytesIO(xlsx.read_bytes())).sheetnames


def test_a_published_bulletin_is_written_as_published_not_regenerated(project, tmp_path):
    bulletin = services.publish_bulletin(
        bulletin=services.generate_bulletin(year=2021, quarter=2).bulletin, user=user_with_role(Role.REVIEWER)
    )
    Project.objects.filter(pk=project.pk).update(agreement_capital=Decimal("99"))
    pdf = tmp_path / "q2.pdf"

    out = run("--year", "2021", "--quarter", "2", "--pdf", str(pdf))

    assert "已发布，内容不再改变，未重新生成" in out
    assert pdf.read_bytes() == bytes(bulletin.pdf)
    assert Bulletin.objects.get().snapshot == bulletin.snapshot


def test_a_year_without_rules_is_refused_with_the_reason(db):
    with pytest.raises(CommandError, match="2030年尚未设置考核规则"):
        run("--year", "2030", "--quarter", "1")


def test_an_unwritable_file_is_refused_with_the_reason(project, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        run("--year", "2021", "--quarter", "2", "--pdf", str(tmp_path / "no-such-folder" / "q2.pdf"))
