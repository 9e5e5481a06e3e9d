"""A project's milestones (注册/开工/投产/达产, domain.md §9): the date rules at their boundaries,
entering them by role, verifying them, the stage derived from them on every page, the import's
date columns, the migration that turned the hand-set stage into milestones, and query counts."""

import datetime
import io
from importlib import import_module

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from landing import services
from landing.models import Milestone, MilestoneKind
from landing.rules import Dates, date_problems
from landing.stages import Stage, StageReached, stage_of, with_stage_code
from projects.importing import write_template
from projects.models import Project, Status
from tests.factories import (
    ArrivalFactory,
    MilestoneFactory,
    ProjectFactory,
    RuleSetFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
TODAY = timezone.localdate()
SIGNED = TODAY - datetime.timedelta(days=200)
DAY = datetime.timedelta(days=1)
REGISTERED, STARTED, PRODUCING, FULL = list(MilestoneKind)


def problems(signed_on=SIGNED, today=TODAY, **dates):
    """date_problems over keyword dates: started=(planned, actual) or started=actual."""
    given = {}
    for kind, value in dates.items():
        planned, actual = value if isinstance(value, tuple) else (None, value)
        given[kind] = Dates(planned, actual)
    return date_problems(given, signed_on=signed_on, today=today)


# --- The rules, at their boundaries (no database) ---------------------------------------------


def test_the_signing_day_itself_is_allowed_and_the_day_before_refused():
    assert problems(started=SIGNED) == {}
    assert "早于项目的签约日期" in problems(started=SIGNED - DAY)["started_actual_on"]


def test_today_is_allowed_and_tomorrow_refused():
    assert problems(started=TODAY) == {}
    assert "晚于今天" in problems(started=TODAY + DAY)["started_actual_on"]


def test_a_milestone_before_the_one_before_it_is_refused_and_the_same_day_allowed():
    day = SIGNED + 30 * DAY
    assert problems(started=day, producing=day) == {}
    message = problems(started=day, producing=day - DAY)["producing_actual_on"]
    assert "早于开工实际日期" in message and "节点不能早于前一个节点" in message


def test_producing_needs_started_and_full_production_needs_producing():
    assert "须先有开工日期" in problems(producing=SIGNED + DAY)["producing_actual_on"]
    assert "须先有投产日期" in problems(started=SIGNED, full_production=SIGNED + DAY)["full_production_actual_on"]


def test_registration_is_optional_but_when_given_started_may_not_precede_it():
    assert problems(started=SIGNED + DAY) == {}
    assert "早于注册实际日期" in problems(registered=SIGNED + 5 * DAY, started=SIGNED + DAY)["started_actual_on"]


def test_planned_dates_may_lie_ahead_but_not_before_signing_nor_out_of_order():
    ahead = TODAY + 100 * DAY
    assert problems(started=(ahead, None), producing=(ahead + DAY, None)) == {}
    assert "早于项目的签约日期" in problems(started=(SIGNED - DAY, None))["started_planned_on"]
    assert "早于开工计划日期" in problems(started=(ahead, None), producing=(ahead - DAY, None))["producing_planned_on"]


def test_a_project_without_a_signing_date_takes_no_milestone():
    assert "没有签约日期" in problems(signed_on=None, started=TODAY)["started_actual_on"]


# --- Entering them ------------------------------------------------------------------------------


@pytest.fixture
def world(db, media):
    RuleSetFactory(year=SIGNED.year)
    lead, partner, other = UnitFactory(name="甲园区"), UnitFactory(name="乙部门"), UnitFactory(name="丙园区")
    project = ProjectFactory(lead_unit=lead, signed_on=SIGNED, cooperating=[partner])
    return {
        "project": project,
        "staff": user_with_role(Role.STAFF, lead, username="staff"),
        "partner": user_with_role(Role.STAFF, partner, username="partner"),
        "other": user_with_role(Role.STAFF, other, username="other"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def edit(world, who="staff", project=None, **data):
    project = project or world["project"]
    return client_for(world[who]).post(reverse("milestone_edit", args=[project.pk]), data)


def test_staff_of_the_lead_unit_enter_dates_and_evidence_and_the_history_names_them(world):
    started = SIGNED + 10 * DAY
    data = {"started_planned_on": f"{SIGNED + 5 * DAY}", "started_actual_on": f"{started}"}
    data["started_evidence"] = SimpleUploadedFile("开工报告.pdf", PDF)

    response = edit(world, **data)

    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[world["project"].pk])
    milestone = Milestone.objects.get(project=world["project"])
    assert (milestone.kind, milestone.actual_on, milestone.verified) == (STARTED, started, False)
    assert milestone.evidence_name == "开工报告.pdf" and milestone.updated_by == world["staff"]
    assert milestone.history.get().history_user == world["staff"]
    download = client_for(world["partner"]).get(reverse("milestone_evidence", args=[world["project"].pk, milestone.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_actual_on", SIGNED - DAY, "早于项目的签约日期"),
        ("started_actual_on", TODAY + DAY, "晚于今天"),
        ("producing_actual_on", SIGNED + DAY, "须先有开工日期"),
        ("started_planned_on", SIGNED - DAY, "早于项目的签约日期"),
    ],
)
def test_a_refused_date_is_told_next_to_its_field_and_nothing_is_saved(world, field, value, message):
    response = edit(world, **{field: f"{value}"})

    assert response.status_code == 200
    assert message in " ".join(response.context["milestone_form"][field].errors)
    assert not Milestone.objects.exists()


def test_a_fake_evidence_file_is_refused_with_the_arrivals_checks(world):
    response = edit(world, started_actual_on=f"{SIGNED}", started_evidence=SimpleUploadedFile("开工.pdf", b"MZ not a pdf"))

    assert "不是真正的 PDF 文件" in " ".join(response.context["milestone_form"]["started_evidence"].errors)
    assert not Milestone.objects.exists()


def test_the_service_refuses_what_the_form_refuses_whatever_is_stored(world):
    MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED + 20 * DAY)
    with pytest.raises(Exception) as refused:
        services.save_milestones(
            project=world["project"], user=world["staff"], entries={PRODUCING: services.MilestoneEntry(actual_on=SIGNED + 19 * DAY)}
        )
    assert "早于开工实际日期" in str(refused.value)


def test_changing_the_actual_date_or_the_evidence_of_a_verified_milestone_makes_it_pending_again(world):
    milestone = MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED + 20 * DAY, verified_by=world["reviewer"])

    edit(world, started_actual_on=f"{SIGNED + 20 * DAY}", started_planned_on=f"{SIGNED + 10 * DAY}")
    milestone.refresh_from_db()
    assert milestone.verified and milestone.planned_on == SIGNED + 10 * DAY  # a plan is not what was verified

    edit(world, started_actual_on=f"{SIGNED + 21 * DAY}", started_planned_on=f"{SIGNED + 10 * DAY}")
    milestone.refresh_from_db()
    assert (milestone.verified, milestone.verified_by, milestone.verified_at) == (False, None, None)

    services.verify_milestone(milestone=milestone, user=world["reviewer"])
    edit(
        world,
        started_actual_on=f"{SIGNED + 21 * DAY}",
        started_planned_on=f"{SIGNED + 10 * DAY}",
        started_evidence=SimpleUploadedFile("新凭证.pdf", PDF),
    )
    milestone.refresh_from_db()
    assert not milestone.verified and milestone.evidence_name == "新凭证.pdf"


def test_staff_may_not_empty_a_verified_date_and_a_reviewer_may(world):
    milestone = MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED + 20 * DAY, verified_by=world["reviewer"])
    refused = edit(world, started_actual_on="", started_planned_on="")
    assert "开工日期已经招商局核实，不能清空" in refused.content.decode()
    milestone.refresh_from_db()
    assert milestone.verified and milestone.actual_on == SIGNED + 20 * DAY
    assert Project.objects.get(pk=world["project"].pk).started_on == SIGNED + 20 * DAY, "still counted"
    edit(world, "reviewer", started_actual_on="", started_planned_on="")
    milestone.refresh_from_db()
    assert (milestone.actual_on, milestone.verified) == (None, False)
    assert Project.objects.get(pk=world["project"].pk).started_on is None


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "code"), [("staff", 302), ("reviewer", 302), ("partner", 403), ("leader", 403), ("other", 404)])
def test_who_may_enter_milestones_of_an_approved_project(world, who, code):
    assert edit(world, who, started_actual_on=f"{SIGNED}").status_code == code


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN])
def test_nobody_enters_milestones_of_a_project_not_approved(world, status):
    Project.objects.filter(pk=world["project"].pk).update(status=status)
    for who in ("staff", "reviewer"):
        assert edit(world, who, started_actual_on=f"{SIGNED}").status_code == 403
    assert not Milestone.objects.exists()


def verify(world, who, milestone, **data):
    return client_for(world[who]).post(reverse("milestone_verify", args=[world["project"].pk, milestone.pk]), data)


def test_a_reviewer_verifies_an_actual_date_and_only_then_it_counts(world):
    milestone = MilestoneFactory(project=world["project"], actual_on=SIGNED + DAY, verified=False)
    assert not Milestone.objects.counted().exists()

    for who, code in (("staff", 403), ("leader", 403), ("other", 404)):
        assert verify(world, who, milestone).status_code == code
    assert verify(world, "reviewer", milestone, actual_on=f"{SIGNED + DAY}").status_code == 302

    milestone.refresh_from_db()
    assert milestone.verified and milestone.verified_by == world["reviewer"] and milestone.verified_at
    assert list(Milestone.objects.counted()) == [milestone]
    assert milestone.history.first().history_user == world["reviewer"]


def test_a_milestone_without_an_actual_date_cannot_be_verified(world):
    planned_only = MilestoneFactory(project=world["project"], actual_on=None, planned_on=TODAY, verified=False)

    assert verify(world, "reviewer", planned_only).status_code == 403


def test_a_date_changed_since_the_reviewer_s_page_is_not_verified(world):
    milestone = MilestoneFactory(project=world["project"], actual_on=SIGNED + 2 * DAY, verified=False)

    response = verify(world, "reviewer", milestone, actual_on=f"{SIGNED + DAY}")

    milestone.refresh_from_db()
    assert response.status_code == 302 and not milestone.verified


def test_a_milestone_of_another_project_answers_404(world):
    elsewhere = MilestoneFactory(verified=False)

    assert verify(world, "reviewer", elsewhere).status_code == 404


# --- The stage, derived ------------------------------------------------------------------------


def stage_by_annotation(project) -> StageReached:
    return StageReached.from_code(with_stage_code(Project.objects.filter(pk=project.pk)).get().stage_code)


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ([], StageReached(Stage.SIGNED)),
        ([(REGISTERED, True)], StageReached(Stage.REGISTERED)),
        ([(STARTED, True)], StageReached(Stage.STARTED)),
        ([(STARTED, True), (PRODUCING, False)], StageReached(Stage.PRODUCING, pending=True)),
        ([(REGISTERED, False), (STARTED, True), (PRODUCING, True), (FULL, True)], StageReached(Stage.FULL_PRODUCTION)),
    ],
)
def test_the_stage_is_the_latest_milestone_reached_marked_pending_until_verified(db, milestones, expected):
    project = ProjectFactory()
    for n, (kind, verified) in enumerate(milestones):
        MilestoneFactory(project=project, kind=kind, actual_on=datetime.date(2021, 4, 1) + n * DAY, verified=verified)
    MilestoneFactory(project=ProjectFactory(), kind=FULL)  # another project's: not this one's stage

    assert project.stage == expected == stage_by_annotation(project)


def test_a_planned_date_alone_reaches_no_stage(db):
    project = ProjectFactory()
    MilestoneFactory(project=project, actual_on=None, planned_on=datetime.date(2021, 9, 1), verified=False)

    assert project.stage == StageReached(Stage.SIGNED) == stage_by_annotation(project)
    assert str(StageReached(Stage.STARTED, pending=True)) == "开工（待核实）"


def test_the_project_page_shows_the_stage_the_timeline_and_the_form_by_role(world):
    MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED + DAY, verified=False)
    url = reverse("project_detail", args=[world["project"].pk])

    staff_page = client_for(world["staff"]).get(url)
    assert staff_page.context["timeline"].stage == StageReached(Stage.STARTED, pending=True)
    html = staff_page.content.decode()
    assert "项目节点" in html and "保存节点" in html and "待核实" in html
    assert reverse("milestone_verify", args=[world["project"].pk, Milestone.objects.get().pk]) not in html

    reviewer_html = client_for(world["reviewer"]).get(url).content.decode()
    assert reverse("milestone_verify", args=[world["project"].pk, Milestone.objects.get().pk]) in reviewer_html
    for who in ("leader", "partner"):
        html = client_for(world[who]).get(url).content.decode()
        assert "项目节点" in html and "保存节点" not in html


def test_the_list_filters_sorts_and_shows_the_derived_stage(world):
    started = ProjectFactory(code="STARTED", lead_unit=world["project"].lead_unit, signed_on=SIGNED)
    MilestoneFactory(project=started, kind=STARTED, actual_on=SIGNED, verified=False)
    producing = ProjectFactory(code="PRODUCING", lead_unit=world["project"].lead_unit, signed_on=SIGNED)
    MilestoneFactory(project=producing, kind=STARTED, actual_on=SIGNED)
    MilestoneFactory(project=producing, kind=PRODUCING, actual_on=SIGNED + DAY)
    client = client_for(world["reviewer"])

    def listed(**params):
        return [row.record.code for row in client.get(reverse("project_list"), params).context["table"].paginated_rows]

    assert listed(stage=Stage.STARTED) == ["STARTED"]
    assert listed(stage=Stage.SIGNED) == [world["project"].code]
    assert listed(sort="stage") == [world["project"].code, "STARTED", "PRODUCING"]
    html = client.get(reverse("project_list"), {"stage": Stage.STARTED}).content.decode()
    assert '开工 <span class="badge pending">待核实</span>' in html


def test_the_export_writes_the_derived_stage(world):
    MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED, verified=False)
    response = client_for(world["reviewer"]).get(reverse("project_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]

    assert sheet.cell(2, header.index("项目阶段") + 1).value == "开工（待核实）"


# --- The verification queue ----------------------------------------------------------------------


def test_the_queue_lists_unverified_actual_dates_of_approved_projects_in_constant_queries(world):
    client, url = client_for(world["reviewer"]), reverse("verification_queue")
    MilestoneFactory(project=world["project"], actual_on=SIGNED, verified=False)
    MilestoneFactory(project=ProjectFactory(status=Status.SUBMITTED), verified=False)  # not approved: not yet
    MilestoneFactory(project=ProjectFactory())  # verified
    MilestoneFactory(project=ProjectFactory(), actual_on=None, verified=False)  # planned only
    count = queries(client, url)
    response = client.get(url)
    assert [m.project for m in response.context["milestone_entries"]] == [world["project"]]
    assert f'name="actual_on" value="{SIGNED:%Y-%m-%d}"' in response.content.decode()

    for _ in range(55):
        MilestoneFactory(project=ProjectFactory(), verified=False)

    assert queries(client, url) == count
    assert len(client.get(url).context["milestone_entries"]) == 50
    assert len(client.get(url, {"milestones_page": 2}).context["milestone_entries"]) == 6


# --- Query counts: the list and the project page do not grow with milestones ---------------------


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_list_reads_the_stage_inside_its_own_queries(world):
    """tests/test_project_list.py pins the list's count (13); the stage adds none, filtered or sorted."""
    client, url = client_for(world["staff"]), reverse("project_list")
    projects = [ProjectFactory(lead_unit=world["project"].lead_unit) for _ in range(30)]
    before = queries(client, url, {"sort": "stage"})
    for n, project in enumerate(projects):
        MilestoneFactory(project=project, verified=n % 2 == 0)

    assert queries(client, url, {"sort": "stage"}) == queries(client, url, {"stage": Stage.STARTED, "sort": "-stage"}) == before
    assert len(client.get(url, {"stage": Stage.STARTED}).context["table"].paginated_rows) == 25


def test_the_project_page_reads_the_milestones_in_a_constant_number_of_queries(world):
    """The timeline and the milestones' history: one query each, whatever they hold."""
    client, url = client_for(world["reviewer"]), reverse("project_detail", args=[world["project"].pk])
    ArrivalFactory(project=world["project"], verified_by=world["reviewer"])  # the history names a user either way
    queries(client, url)  # the session's first read
    before = queries(client, url)
    days = {kind: SIGNED + n * DAY for n, kind in enumerate(MilestoneKind)}
    for kind, day in days.items():
        MilestoneFactory(project=world["project"], kind=kind, actual_on=day, verified_by=world["reviewer"])
    edit(world, **{f"{kind}_actual_on": f"{day + DAY}" for kind, day in days.items()})

    assert queries(client, url) == before
    assert len([row for row in client.get(url).context["history"] if "节点" in row.subject]) == 8  # 4 entered, 4 changed


# --- The import ---------------------------------------------------------------------------------

HEADERS = ["项目编号", "项目名称", "投资方", "牵头单位", "产业类型", "项目来源", "协议资金（亿元）", "签约日期", "开工日期", "投产日期"]


def workbook(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    book.active.title = "项目"
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def row(code, *, started=None, producing=None, signed=SIGNED):
    return [code, f"项目{code}", "某某集团", "甲园区", "工业", "市外", 5, signed, started, producing]


def run_import(path, *args) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_projects", str(path), *args, stdout=out, stderr=err)
    except SystemExit:
        pass
    except Exception as error:  # the command's CommandError
        err.write(str(error))
    return out.getvalue() + err.getvalue()


def test_the_import_writes_actual_dates_verified_with_approve_and_again_changes_nothing(world, tmp_path):
    path = workbook(tmp_path / "a.xlsx", [row("M-1", started=SIGNED + DAY, producing=SIGNED + 2 * DAY), row("M-2")])

    run_import(path, "--approve")

    project = Project.objects.get(code="M-1")
    assert project.stage == StageReached(Stage.PRODUCING)
    assert Milestone.objects.filter(verified=True).count() == 2 and Project.objects.get(code="M-2").stage.stage == Stage.SIGNED
    state = list(Milestone.objects.order_by("pk").values())
    run_import(path, "--approve")
    assert list(Milestone.objects.order_by("pk").values()) == state


def test_the_import_without_approve_leaves_the_dates_pending(world, tmp_path):
    run_import(workbook(tmp_path / "a.xlsx", [row("M-1", started=SIGNED)]))

    assert Project.objects.get(code="M-1").stage == StageReached(Stage.STARTED, pending=True)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"started": SIGNED - DAY}, "项目 第2行「开工日期」：开工实际日期"),
        ({"started": TODAY + DAY}, "晚于今天"),
        ({"producing": SIGNED + DAY}, "项目 第2行「投产日期」：填写投产日期须先有开工日期"),
        ({"started": SIGNED + 2 * DAY, "producing": SIGNED + DAY}, "节点不能早于前一个节点"),
    ],
)
def test_the_import_refuses_what_the_form_refuses_and_writes_nothing(world, tmp_path, cells, message):
    output = run_import(workbook(tmp_path / "a.xlsx", [row("M-1", **cells), row("M-2", started=SIGNED)]), "--approve")

    assert message in output
    assert not Project.objects.filter(code__startswith="M-").exists() and not Milestone.objects.exists()


def test_a_file_still_giving_a_stage_other_than_signed_is_told_to_use_the_date_columns(world, tmp_path):
    headers = [*HEADERS[:8], "项目阶段"]
    rows = [[*row("M-1")[:8], "签约"], [*row("M-2")[:8], "开工"]]

    output = run_import(workbook(tmp_path / "a.xlsx", rows, headers), "--approve")

    assert "项目 第3行「项目阶段」：“项目阶段”列已停用（此行填的是“开工”）" in output and "开工日期" in output
    assert "第2行「项目阶段」" not in output, output
    assert not Project.objects.filter(code__startswith="M-").exists()


def test_the_import_checks_dates_against_a_stored_project_s_milestones(world, tmp_path):
    MilestoneFactory(project=world["project"], kind=STARTED, actual_on=SIGNED + 5 * DAY)
    stored = world["project"]
    cells = [stored.code, stored.name, stored.investor, "甲园区", "工业", "市外", 1, SIGNED, None, SIGNED + DAY]

    output = run_import(workbook(tmp_path / "a.xlsx", [cells]), "--approve")

    assert "「投产日期」：投产实际日期" in output and "早于开工实际日期" in output
    assert not Milestone.objects.filter(kind=PRODUCING).exists()


def test_the_template_offers_the_date_columns_not_the_stage(world, tmp_path):
    write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    headers = [cell.value for cell in book["项目"][1]]

    assert {"注册日期", "开工日期", "投产日期", "达产日期"} <= set(headers) and "项目阶段" not in headers
    explained = " ".join(str(cell) for row in book["说明"].iter_rows(values_only=True) for cell in row if cell)
    assert "项目阶段由节点日期得出" in explained


# --- The migration that kept every hand-set stage -------------------------------------------------

BEFORE = [("projects", "0008_supplementary_agreement")]
# Through 0012 too: the current models (read below) have the landing columns it adds and fills.
AFTER = [("projects", "0012_project_landing_facts")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_stage_into_milestones_dated_by_the_history():
    unit = UnitFactory()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        OldProject, History = old.get_model("projects", "Project"), old.get_model("projects", "HistoricalProject")

        def project(code, stage, signed_on=datetime.date(2021, 3, 15)):
            return OldProject.objects.create(
                code=code, name=code, lead_unit_id=unit.pk, sector="industrial", origin="outside_city",
                agreement_capital=1, signed_on=signed_on, stage=stage, status="approved",
            )  # fmt: skip

        def recorded(project, stage, day):
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            History.objects.create(
                id=project.pk, code=project.code, name=project.name, lead_unit_id=unit.pk, sector="industrial",
                origin="outside_city", agreement_capital=1, stage=stage, status="approved", version=1,
                created_at=moment, updated_at=moment, history_date=moment, history_type="~",
            )  # fmt: skip

        project("SIGNED", "signed")
        started = project("STARTED", "started")
        recorded(started, "started", datetime.date(2021, 6, 1))
        recorded(started, "started", datetime.date(2021, 7, 1))  # recorded again later: the first counts
        full = project("FULL", "full_production")
        recorded(full, "producing", datetime.date(2021, 9, 1))  # 开工 never recorded: as 投产's
        recorded(full, "full_production", datetime.date(2022, 3, 1))
        unrecorded = project("PRODUCING", "producing")
        OldProject.objects.filter(pk=unrecorded.pk).update(updated_at=timezone.make_aware(datetime.datetime(2021, 5, 5, 12)))

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        def milestones(code):
            rows = Milestone.objects.filter(project__code=code).order_by("pk")
            return [(m.kind, m.actual_on, m.verified) for m in rows]

        assert milestones("SIGNED") == []
        assert milestones("STARTED") == [(STARTED, datetime.date(2021, 6, 1), False)]
        assert milestones("PRODUCING") == [(STARTED, datetime.date(2021, 5, 5), False), (PRODUCING, datetime.date(2021, 5, 5), False)]
        assert milestones("FULL") == [
            (STARTED, datetime.date(2021, 9, 1), False),
            (PRODUCING, datetime.date(2021, 9, 1), False),
            (FULL, datetime.date(2022, 3, 1), False),
        ]
        assert Project.objects.get(code="FULL").stage == StageReached(Stage.FULL_PRODUCTION, pending=True)
        full_row = Project.objects.get(code="FULL")
        assert (full_row.started_on, full_row.full_production_on) == (None, None), "migrated milestones wait for verification"
        assert full_row.last_update_at == max(m.updated_at for m in Milestone.objects.filter(project=full_row))
        assert Milestone.history.filter(project_id=full.pk).count() == 3  # each with a history record by 系统
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_never_dates_a_milestone_before_signing():
    migration = import_module("projects.migrations.0009_milestones_from_stage")
    signed = datetime.date(2021, 6, 1)

    dates = migration.milestone_dates(["started", "producing"], {"producing": datetime.date(2021, 5, 1)}, datetime.date(2021, 8, 1), signed)

    assert dates == {"started": signed, "producing": signed}


def test_stage_of_reads_prefetched_milestones_without_a_query(db, django_assert_num_queries):
    project = ProjectFactory()
    MilestoneFactory(project=project)
    project = Project.objects.prefetch_related("milestones").get(pk=project.pk)

    with django_assert_num_queries(0):
        assert stage_of(project.milestones.all()) == project.stage == StageReached(Stage.STARTED)


def test_reviewers_see_the_milestones_waiting_in_their_to_do(world):
    MilestoneFactory(project=world["project"], verified=False)
    MilestoneFactory(project=ProjectFactory(status=Status.SUBMITTED), verified=False)  # not approved: not yet

    items = {item.label: item for item in client_for(world["reviewer"]).get(reverse("dashboard")).context["todo"].items}

    assert items["待核实项目节点"].count == 1 and items["待核实项目节点"].url.endswith("#milestones")
