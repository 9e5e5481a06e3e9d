"""`manage.py backup` and `manage.py restore`: the database and the uploaded files in one archive,
restored into a fresh database and folder with every table's rows and every file's bytes.

Runs on the engine the suite runs on (CI: SQLite and PostgreSQL). The tests are transactional:
pg_dump reads the database from a connection of its own, so the data must be committed.
"""

import datetime
import hashlib
import io
import json
import os
import stat
import tarfile
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from backup.archive import restore_backup
from backup.databases import table_rows
from projects.models import Arrival, ImportBatch, Project
from reports.models import Bulletin
from tests.factories import ArrivalFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8  # every byte value: the bulletin's documents are binary


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a fresh folder of their own, beside which the tests write archives."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def data(media):
    """Projects, arrivals with evidence, an import batch with its file, a bulletin with its documents."""
    user = UserFactory(username="staff")
    unit = UnitFactory(name="甲园区")
    for index in range(3):
        project = ProjectFactory(lead_unit=unit, agreement_capital=Decimal(f"{index + 1}.2345"))
        arrival = ArrivalFactory(project=project, amount=Decimal("0.5"), created_by=user)
        arrival.evidence.save(f"回单{index}.pdf", ContentFile(PDF + bytes([index])))
    ArrivalFactory(project=project)  # one without evidence
    batch = ImportBatch(uploaded_by=user, original_name="导入.xlsx")
    batch.file.save("导入.xlsx", ContentFile(b"PK\x03\x04" + os.urandom(2048)))
    Bulletin.objects.create(
        year=2021, quarter=2, snapshot={"标题": "第二季度"}, pdf=PDF, xlsx=os.urandom(4096), generated_at=timezone.now()
    )
    return media


def checksums(folder: Path) -> dict[str, str]:
    return {
        file.relative_to(folder).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    }


@pytest.fixture
def fresh_database(tmp_path):
    """A connection to a new, empty database of the suite's engine, dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restore"
        admin = psycopg.connect(**{**connection.get_connection_params(), "dbname": "postgres"}, autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    fresh = type(connections["default"])(settings_dict, alias="restored")
    yield fresh
    fresh.close()
    if connection.vendor == "postgresql":
        admin.execute(f'DROP DATABASE "{settings_dict["NAME"]}" WITH (FORCE)')
        admin.close()


def facts(database) -> tuple:
    """The bulletin's documents byte for byte, and every project's code and amount as stored."""
    with database.cursor() as cursor:
        cursor.execute("SELECT pdf, xlsx FROM reports_bulletin")
        documents = tuple(bytes(document) for document in cursor.fetchone())
        cursor.execute("SELECT code, agreement_capital FROM projects_project ORDER BY code")
        return documents, [(code, str(amount)) for code, amount in cursor.fetchall()]


def back_up(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def test_a_backup_restored_into_a_fresh_database_and_folder_has_every_row_and_every_file(
    data, fresh_database, tmp_path
):
    archive = tmp_path / "备份.tar.gz"
    said = back_up(archive)
    rows, files = table_rows(connection), checksums(data)
    restored_media = tmp_path / "restored-media"

    restore_backup(archive, connection=fresh_database, media_root=restored_media)

    assert table_rows(fresh_database) == rows
    assert checksums(restored_media) == files
    for table in ("projects_project", "projects_arrival", "projects_importbatch", "reports_bulletin", "auth_user"):
        assert rows[table] > 0, table
    assert len([name for name in files if name.startswith("evidence/")]) == 3
    assert len([name for name in files if name.startswith("imports/")]) == 1
    assert facts(fresh_database) == facts(connection)
    assert facts(fresh_database)[0] == (PDF, bytes(Bulletin.objects.get().xlsx))
    assert f"{len(rows)} 张数据表、{sum(rows.values())} 行数据，上传的文件 4 个" in said


def test_the_archive_is_readable_by_its_owner_only_and_lists_its_contents(data, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile("manifest.json"))
    database = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}[connection.vendor]
    assert database in names and manifest["database"] == database
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == table_rows(connection)
    assert manifest["files"] == checksums(data)
    assert {f"media/{name}" for name in manifest["files"]} <= set(names)


def test_backup_never_overwrites_an_existing_file(data, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    archive.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="已存在，不覆盖"):
        back_up(archive)
    assert archive.read_bytes() == b"an older backup"


def test_backup_refuses_to_write_into_the_media_folder_it_backs_up(data):
    with pytest.raises(CommandError, match="不能放在上传文件的文件夹"):
        back_up(data / "evidence" / "备份.tar.gz")
    assert not list(data.rglob("*.tar.gz*"))


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(data, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    Project.objects.filter(pk=Project.objects.first().pk).delete()
    rows = table_rows(connection)

    with pytest.raises(CommandError, match="目标不是空的：数据库中已有 .* 张数据表.*请加 --force"):
        call_command("restore", str(archive))
    assert table_rows(connection) == rows


def test_restore_with_force_brings_back_exactly_the_backup_over_later_changes(data, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    rows, files = table_rows(connection), checksums(data)
    Arrival.objects.filter(evidence="").delete()
    ProjectFactory(lead_unit=UnitFactory(name="乙园区"), signed_on=datetime.date(2021, 8, 1))
    evidence = Arrival.objects.exclude(evidence="").first().evidence
    Path(evidence.path).unlink()

    out = io.StringIO()
    call_command("restore", str(archive), "--force", stdout=out)

    assert table_rows(connection) == rows
    assert checksums(data) == files
    assert not Project.objects.filter(lead_unit__name="乙园区").exists()
    assert "与备份一致" in out.getvalue() and "校验无误" in out.getvalue()


def rewritten(archive: Path, tmp_path: Path, change) -> Path:
    """A copy of `archive` with `change(name, data) -> (name, data)` applied to each member."""
    copy = tmp_path / "改过的.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source:
            name, content = change(member.name, source.extractfile(member).read())
            info = tarfile.TarInfo(name)
            info.size = len(content)
            target.addfile(info, io.BytesIO(content))
    return copy


def test_a_damaged_file_in_the_archive_is_refused_before_anything_is_restored(data, fresh_database, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    damaged = rewritten(
        archive, tmp_path, lambda name, content: (name, content + b"x" if name.startswith("media/evidence") else content)
    )

    with pytest.raises(CommandError, match="备份文件已损坏"):
        call_command("restore", str(damaged), "--force")
    with pytest.raises(Exception, match="备份文件已损坏"):
        restore_backup(damaged, connection=fresh_database, media_root=tmp_path / "restored-media")
    assert table_rows(fresh_database) == {}
    assert not (tmp_path / "restored-media").exists()


def test_a_database_that_cannot_be_loaded_leaves_the_database_as_it_was(data, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    broken = rewritten(archive, tmp_path, lambda name, content: (name, b"garbage" if name.startswith("database.") else content))
    ProjectFactory(lead_unit=UnitFactory(name="乙园区"))
    rows = table_rows(connection)

    with pytest.raises(CommandError, match="恢复数据库失败|pg_restore 失败"):
        call_command("restore", str(broken), "--force")
    assert table_rows(connection) == rows


def test_a_member_that_would_land_outside_the_media_folder_is_refused(data, fresh_database, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    escaping = rewritten(
        archive, tmp_path, lambda name, content: ("media/../../escaped.txt" if name.startswith("media/imports") else name, content)
    )

    with pytest.raises(Exception, match="不该有的内容"):
        restore_backup(escaping, connection=fresh_database, media_root=tmp_path / "restored-media")
    assert not list(tmp_path.rglob("escaped.txt"))
    assert table_rows(fresh_database) == {}


def test_a_backup_of_the_other_engine_is_refused_with_a_clear_message(data, fresh_database, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    back_up(archive)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    names = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

    def as_other_engine(name, content):
        if name == "manifest.json":
            manifest = json.loads(content) | {"engine": other, "database": names[other]}
            return name, json.dumps(manifest).encode()
        return (names[other] if name == names[connection.vendor] else name), content

    with pytest.raises(Exception, match="这份备份来自 .* 数据库，当前使用的是"):
        restore_backup(rewritten(archive, tmp_path, as_other_engine), connection=fresh_database, media_root=tmp_path / "m")
    assert table_rows(fresh_database) == {}


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    not_a_backup = tmp_path / "备份.tar.gz"
    not_a_backup.write_bytes(b"not a tar file")

    with pytest.raises(CommandError, match="不是完整的备份文件"):
        call_command("restore", str(not_a_backup), "--force")
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "没有.tar.gz"))
