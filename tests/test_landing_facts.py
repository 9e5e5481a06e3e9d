"""The projects' landing columns (projects/landing_facts.py): after every kind of write that can change
them — a milestone entered, corrected, verified or deleted, an arrival entered or deleted, the
project saved, the Excel import's bulk writes — they are what a recomputation from scratch gives,
before the next read."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.roles import Role
from landing.models import Milestone, MilestoneKind
from landing.services import MilestoneEntry, save_milestones, verify_milestone
from projects import landing_facts as facts
from projects import services
from projects.models import Project, Status
from tests.factories import ArrivalFactory, MilestoneFactory, ProjectFactory, user_with_role
from tests.test_import import arrival_row, project_row, run_import, units, write_workbook  # noqa: F401  (units: a fixture)

pytestmark = pytest.mark.django_db

COLUMNS = ("started_on", "producing_on", "full_production_on", "last_update_at")
SIGNED = datetime.date(2021, 3, 15)


def columns() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in Project.objects.order_by("pk").values_list("pk", *COLUMNS)}


def assert_exact() -> dict[int, tuple]:
    """The columns as the writes left them equal the columns recomputed from scratch; the last
    update to the second (the project's own save stamps it and `updated_at`, microseconds apart)."""
    kept = columns()
    facts.refresh_all()
    again = columns()
    assert kept.keys() == again.keys()
    for pk, (*dates, updated) in kept.items():
        *recomputed, updated_again = again[pk]
        assert dates == recomputed, pk
        assert abs(updated - updated_again) < datetime.timedelta(seconds=1), pk
    return kept


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer")


@pytest.fixture
def project():
    return ProjectFactory(signed_on=SIGNED, status=Status.APPROVED)


def test_a_milestone_counts_on_the_project_only_once_verified(project, reviewer):
    [started] = save_milestones(
        project=project, user=reviewer, entries={MilestoneKind.STARTED: MilestoneEntry(actual_on=datetime.date(2021, 5, 1))}
    )
    assert assert_exact()[project.pk][0] is None, "待核实: not counted"
    verify_milestone(milestone=started, user=reviewer)
    assert assert_exact()[project.pk][0] == datetime.date(2021, 5, 1)
    save_milestones(project=project, user=reviewer, entries={MilestoneKind.STARTED: MilestoneEntry(actual_on=datetime.date(2021, 5, 2))})
    assert assert_exact()[project.pk][0] is None, "a corrected date waits for verification again"


@pytest.mark.parametrize("kind, index", [(MilestoneKind.STARTED, 0), (MilestoneKind.PRODUCING, 1), (MilestoneKind.FULL_PRODUCTION, 2)])
def test_each_counted_kind_has_its_column_and_a_deleted_milestone_leaves_it(project, kind, index):
    milestone = MilestoneFactory(project=project, kind=kind, actual_on=datetime.date(2021, 9, 1))
    assert assert_exact()[project.pk][index] == datetime.date(2021, 9, 1)
    milestone.delete()
    assert assert_exact()[project.pk][index] is None


def test_a_milestone_changed_is_the_projects_latest_update(project):
    before = assert_exact()[project.pk][3]
    MilestoneFactory(project=project, kind=MilestoneKind.REGISTERED)
    after = assert_exact()[project.pk][3]
    assert after > before and after == Milestone.objects.get().updated_at


def test_an_arrival_entered_is_an_update_and_its_deletion_is_followed(project, reviewer):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Project.objects.filter(pk=project.pk).update(updated_at=long_ago, last_update_at=long_ago)
    arrival = services.add_arrival(project=project, user=reviewer, arrived_on=datetime.date(2021, 6, 1), amount=1)
    assert assert_exact()[project.pk][3] == arrival.created_at
    services.delete_arrival(arrival=arrival, user=reviewer)
    assert assert_exact()[project.pk][3] == long_ago


def test_the_projects_own_save_is_an_update(project):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    ArrivalFactory(project=project)
    Project.objects.filter(pk=project.pk).update(updated_at=long_ago, last_update_at=long_ago)
    project.refresh_from_db()
    project.name = "改过名的项目"
    project.save()
    assert assert_exact()[project.pk][3] >= timezone.now() - datetime.timedelta(minutes=1)


def test_the_imports_bulk_writes_are_followed(tmp_path, units):  # noqa: F811
    code = "FL2021-00009"
    rows = [project_row(**{"项目编号": code, "开工日期": "2021-06-01", "投产日期": "2021-09-01"})]
    run_import(write_workbook(tmp_path / "a.xlsx", rows, [arrival_row(code, "3")]), "--approve")
    kept = assert_exact()
    [(started, producing, full, _updated)] = kept.values()
    assert (started, producing, full) == (datetime.date(2021, 6, 1), datetime.date(2021, 9, 1), None)


def test_entries_deleted_with_their_project_refresh_nothing(project):
    MilestoneFactory(project=project, kind=MilestoneKind.STARTED)
    for _ in range(5):
        ArrivalFactory(project=project)
    with CaptureQueriesContext(connection) as deleting:
        project.delete()
    assert not [q for q in deleting.captured_queries if q["sql"].startswith('UPDATE "projects_project"')], "no refresh per deleted entry"
    assert not Project.objects.exists()
