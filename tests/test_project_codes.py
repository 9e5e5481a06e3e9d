"""projects/codes.py: automatic project codes come from a sequence per prefix and year, in order,
never twice, skipping taken codes; an explicit code never moves it; and no save waits on an import."""

import contextlib
import datetime
import importlib
import sqlite3
import threading
import time
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.codes import CodeBlock, next_code, peek_codes, reserve_codes
from projects.importing import ImportRejected, apply_plan, parse_workbook
from projects.importing.writing import CONFLICT, reserve_codes_for
from projects.models import CodeSequence, Origin, Project, Sector
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, client_for, user_with_role
from tests.test_import import project_row, write_workbook


@pytest.fixture
def organisation(db):
    return OrganisationFactory()  # prefix FL


def codes(block, year):
    return list(block.codes[year])


# --- The allocator --------------------------------------------------------------------------------


def test_codes_are_given_in_order_per_prefix_and_year(organisation):
    assert codes(reserve_codes({2021: 3, 2022: 1}), 2021) == ["FL2021-00001", "FL2021-00002", "FL2021-00003"]
    assert next_code(2021) == "FL2021-00004"
    assert next_code(2022) == "FL2022-00002"
    assert next_code(2021, prefix="MM") == "MM2021-00001"
    assert dict(CodeSequence.objects.filter(prefix="FL").values_list("year", "last")) == {2021: 4, 2022: 2}


def test_the_allocator_skips_a_number_whose_code_is_taken(organisation):
    ProjectFactory(code="FL2021-00002")
    ProjectFactory(code="FL2021-00004")

    assert codes(reserve_codes({2021: 3}), 2021) == ["FL2021-00001", "FL2021-00003", "FL2021-00005"]
    assert CodeSequence.objects.get(prefix="FL", year=2021).last == 5


def test_codes_about_to_be_written_are_skipped_too(organisation):
    block = reserve_codes({2021: 2}, taken=["FL2021-00001"])
    assert codes(block, 2021) == ["FL2021-00002", "FL2021-00003"]


def test_an_explicit_code_far_above_the_sequence_does_not_move_it(organisation):
    unit, user = UnitFactory(), user_with_role(Role.REVIEWER, username="reviewer")
    facts = {"name": "甲", "lead_unit": unit, "sector": Sector.INDUSTRIAL, "origin": Origin.OUTSIDE_CITY,
             "agreement_capital": Decimal("1"), "signed_on": datetime.date(2021, 5, 1)}  # fmt: skip
    services.create_project(user=user, facts={**facts, "code": "FL2021-90000"}, cooperating_unit_ids=[])
    project = services.create_project(user=user, facts={**facts, "name": "乙", "code": ""}, cooperating_unit_ids=[])
    assert project.code == "FL2021-00001"


def test_a_dry_run_foresees_the_codes_without_reserving_them(organisation):
    assert codes(peek_codes({2021: 2}), 2021) == ["FL2021-00001", "FL2021-00002"]
    assert codes(peek_codes({2021: 2}), 2021) == ["FL2021-00001", "FL2021-00002"]
    assert not CodeSequence.objects.exists()


def test_codes_are_never_reserved_inside_another_transaction(organisation):
    """Inside the import's transaction the sequence's row would stay locked until the import ends."""
    with transaction.atomic(), pytest.raises(RuntimeError):
        reserve_codes({2021: 1})


def test_the_sequences_start_after_the_highest_existing_code_of_each_prefix_and_year(db):
    for code in ["FL2021-00007", "FL2021-00012", "FL2021-90000", "FL2022-00003", "MM2021-00005", "DEMO2021-0042", "自编-1"]:
        ProjectFactory(code=code)
    migration = importlib.import_module("projects.migrations.0005_code_sequence")

    migration.start_after_existing_codes(apps, None)

    sequences = {(s.prefix, s.year): s.last for s in CodeSequence.objects.all()}
    # The highest, outliers included: nothing already issued is given again (docs/import-template.md).
    assert sequences == {("FL", 2021): 90000, ("FL", 2022): 3, ("MM", 2021): 5}


def test_a_code_taken_after_it_was_reserved_rejects_the_import_and_writes_nothing(organisation, tmp_path):
    UnitFactory(name="涪陵新城区")
    plan = parse_workbook(write_workbook(tmp_path / "a.xlsx", [project_row(), project_row(**{"项目名称": "乙"})]))
    block = CodeBlock({2021: ["FL2021-00001", "FL2021-00002"]})
    ProjectFactory(code="FL2021-00002")  # taken meanwhile, by a transaction not committed at reservation

    with pytest.raises(ImportRejected) as rejected:
        apply_plan(plan=plan, approve=False, codes=block)

    assert [problem.message for problem in rejected.value.problems] == [CONFLICT]
    assert list(Project.objects.values_list("code", flat=True)) == ["FL2021-00002"]


# --- No save waits on an import ---------------------------------------------------------------------

HOLD = 2.0  # seconds the import's write transaction stays open after writing


@contextlib.contextmanager
def database_for_threads(tmp_path):
    """Connections opened from now on (by other threads) reach the test database as the app does.

    PostgreSQL: they do already. SQLite: the test database is in memory, shared in a mode where a
    second writer fails at once instead of waiting, so it is copied into a file that they open
    with the app's settings (WAL, BEGIN IMMEDIATE, the busy timeout)."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_thread(function, outcome: dict, key: str) -> threading.Thread:
    def run():
        try:
            outcome[key] = function()
        except Exception as error:  # the test reports it
            outcome[key] = error
        finally:
            outcome[f"{key}_at"] = time.monotonic()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_save_needing_a_code_does_not_wait_on_an_import_in_progress(tmp_path):
    """PostgreSQL: the save completes at once, while the import's transaction is still open.
    SQLite (one writer at a time): the save waits for the import to commit, then completes;
    it never fails with "database is locked". Either way it takes the code after the import's."""
    OrganisationFactory()
    lead = UnitFactory(name="涪陵新城区")
    user = user_with_role(Role.REVIEWER, username="reviewer")
    plan = parse_workbook(write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目名称": f"导入{n}"}) for n in range(3)]))
    assert plan.ok
    facts = {"name": "录入的项目", "lead_unit": lead, "sector": Sector.INDUSTRIAL, "origin": Origin.OUTSIDE_CITY,
             "agreement_capital": Decimal("1"), "signed_on": datetime.date(2021, 6, 1)}  # fmt: skip
    writing, outcome = threading.Event(), {}

    def run_import():
        codes = reserve_codes_for(plan)  # as confirm_batch does: before the write transaction
        with transaction.atomic():
            result = apply_plan(plan=plan, approve=False, user=None, codes=codes)
            writing.set()
            time.sleep(HOLD)  # a long import, still writing
        return result

    def save():
        assert writing.wait(30)
        outcome["save_started_at"] = time.monotonic()
        return services.create_project(user=user, facts=facts, cooperating_unit_ids=[])

    with database_for_threads(tmp_path):
        threads = [in_thread(run_import, outcome, "import"), in_thread(save, outcome, "save")]
        for thread in threads:
            thread.join(60)

    assert not isinstance(outcome["import"], Exception), outcome["import"]
    assert not isinstance(outcome["save"], Exception), outcome["save"]
    assert outcome["import"].generated == ["FL2021-00001", "FL2021-00002", "FL2021-00003"]
    assert outcome["save"].code == "FL2021-00004"
    took = outcome["save_at"] - outcome["save_started_at"]
    if connection.vendor == "sqlite":
        assert outcome["save_at"] >= outcome["import_at"] - 0.05  # it waited for the one writer...
        assert took < HOLD + 5  # ...no longer than the import held it
    else:
        assert took < 0.5 and outcome["save_at"] < outcome["import_at"]  # done while the import was open


# --- When the database is busy nonetheless ----------------------------------------------------------


def test_a_save_that_waited_too_long_for_the_database_answers_a_message_not_a_500(organisation, monkeypatch):
    unit = UnitFactory()
    staff = user_with_role(Role.STAFF, unit, username="staff")

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "create_project", locked)
    data = {"code": "", "name": "甲", "investor": "某某", "sector": Sector.INDUSTRIAL, "origin": Origin.OUTSIDE_CITY,
            "agreement_capital": "1", "expected_output": "", "signed_on": "2021-05-10", "group": ""}  # fmt: skip
    response = client_for(staff).post(reverse("project_create"), data)

    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统繁忙，请稍后再试" in page and "没有保存" in page
    assert not Project.objects.exists()


def test_other_database_errors_are_not_taken_for_a_busy_database(organisation, monkeypatch):
    from fuling_invest.middleware import database_busy

    assert database_busy(OperationalError("database is locked"))
    assert not database_busy(OperationalError("no such table: projects_project"))
    assert not database_busy(ValueError("database is locked"))
