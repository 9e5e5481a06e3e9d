"""Leads (domain.md §10): what an open, paused, stopped or signed lead must have; overdue and
stale, as SQL and for one lead, at their boundaries; who sees and edits a lead; lead codes;
the stage change; the daily job that records since when a lead is marked."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.core.exceptions import ValidationError
from django.utils import timezone

from access import permissions
from access.roles import Role, access_of
from groups.models import Commissioner
from leads import services
from leads.codes import next_lead_code
from leads.tasks import mark_lead_alerts_task
from leads.models import (
    OPEN_STAGES,
    RESUME_DATE_REQUIRED,
    SIGNED_ONLY_BY_CONVERSION,
    STOP_REASON_REQUIRED,
    Lead,
    LeadStage,
    StaleDays,
    marks_of,
)
from tests.factories import (
    LeadFactory, PersonFactory, ProjectFactory, RuleSetFactory, SpecialGroupFactory, UnitFactory, user_with_role
)  # fmt: skip

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2021, 7, 15)
DAYS = StaleDays(early=30, late=21)


def entered_on(lead: Lead, day: datetime.date) -> Lead:
    """The lead as if entered at noon (Asia/Shanghai) on `day`."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Lead.objects.filter(pk=lead.pk).update(created_at=moment)
    lead.refresh_from_db()
    return lead


# --- What a lead must have --------------------------------------------------------------------


@pytest.mark.parametrize("stage", OPEN_STAGES)
@pytest.mark.parametrize("missing", ["responsible_person", "next_step", "deadline"])
def test_an_open_lead_needs_a_person_a_next_step_and_its_deadline(stage, missing):
    lead = LeadFactory.build(owner_unit=UnitFactory(), stage=stage, **{missing: None if missing == "deadline" else ""})
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert set(error.value.message_dict) == {missing}
    assert "进行中的线索必须" in error.value.message_dict[missing][0]


def test_an_open_lead_needs_an_owner_unit():
    lead = LeadFactory.build(owner_unit=None)
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert "owner_unit" in error.value.message_dict


def test_a_paused_lead_needs_a_resume_date_and_nothing_of_an_open_one():
    lead = LeadFactory.build(owner_unit=UnitFactory(), stage=LeadStage.PAUSED, next_step="", deadline=None)
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert error.value.message_dict == {"resume_on": [RESUME_DATE_REQUIRED]}
    lead.resume_on = datetime.date(2021, 9, 1)
    lead.full_clean()


def test_a_stopped_lead_needs_a_reason_not_blanks():
    lead = LeadFactory.build(owner_unit=UnitFactory(), stage=LeadStage.STOPPED, stop_reason="  ")
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert error.value.message_dict == {"stop_reason": [STOP_REASON_REQUIRED]}


def test_signed_needs_a_linked_project():
    lead = LeadFactory.build(owner_unit=UnitFactory(), stage=LeadStage.SIGNED)
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert error.value.message_dict == {"stage": [SIGNED_ONLY_BY_CONVERSION]}
    lead.project = ProjectFactory()
    lead.full_clean()


# --- Overdue and stale -----------------------------------------------------------------------


def marks_in_sql(lead: Lead, today=TODAY, days=DAYS):
    row = Lead.objects.with_marks(today, days).get(pk=lead.pk)
    return row.is_overdue, row.is_stale


def test_the_deadline_day_itself_is_not_overdue_the_day_after_is():
    lead = LeadFactory(deadline=TODAY)
    assert marks_in_sql(lead) == (False, False)
    assert marks_in_sql(lead, today=TODAY + datetime.timedelta(days=1))[0] is True
    assert marks_of(lead, today=TODAY, days=DAYS).overdue is False
    assert marks_of(lead, today=TODAY + datetime.timedelta(days=1), days=DAYS).overdue is True


@pytest.mark.parametrize("stage", [LeadStage.PAUSED, LeadStage.STOPPED])
def test_a_closed_lead_is_never_overdue_nor_stale(stage):
    lead = entered_on(LeadFactory(stage=stage, deadline=datetime.date(2020, 1, 1), resume_on=TODAY, stop_reason="放弃"), datetime.date(2020, 1, 1))
    assert marks_in_sql(lead) == (False, False)
    assert marks_of(lead, today=TODAY, days=DAYS).overdue is False


@pytest.mark.parametrize(
    ("stage", "quiet_days", "stale"),
    [
        (LeadStage.CLUE, 29, False),
        (LeadStage.CLUE, 30, True),  # exactly N days without an activity is stale
        (LeadStage.CONTACT, 30, True),
        (LeadStage.NEGOTIATING, 20, False),
        (LeadStage.NEGOTIATING, 21, True),
        (LeadStage.ABOUT_TO_SIGN, 21, True),
        (LeadStage.ABOUT_TO_SIGN, 20, False),
    ],
)
def test_stale_after_exactly_the_stage_s_number_of_days_without_an_activity(stage, quiet_days, stale):
    lead = LeadFactory(stage=stage, deadline=TODAY, last_activity_on=TODAY - datetime.timedelta(days=quiet_days))
    assert marks_in_sql(lead) == (False, stale)
    assert marks_of(lead, today=TODAY, days=DAYS).stale is stale


def test_without_an_activity_the_creation_date_counts():
    lead = entered_on(LeadFactory(deadline=TODAY), TODAY - datetime.timedelta(days=30))
    assert marks_in_sql(lead) == (False, True)
    lead = entered_on(LeadFactory(deadline=TODAY), TODAY - datetime.timedelta(days=29))
    assert marks_in_sql(lead) == (False, False)
    assert marks_of(lead, today=TODAY, days=DAYS).last_seen_on == TODAY - datetime.timedelta(days=29)


def test_the_database_and_the_one_lead_rule_agree_everywhere_near_the_boundaries():
    cases = []
    offsets = (-1, 0, 1)
    for stage, deadline_offset, quiet in itertools.product(LeadStage, offsets, (None, 19, 20, 21, 22, 29, 30, 31)):
        if stage == LeadStage.SIGNED:
            continue
        lead = LeadFactory(
            stage=stage,
            deadline=TODAY + datetime.timedelta(days=deadline_offset),
            last_activity_on=None if quiet is None else TODAY - datetime.timedelta(days=quiet),
            resume_on=TODAY,
            stop_reason="放弃",
        )
        cases.append(entered_on(lead, TODAY - datetime.timedelta(days=25)))
    in_sql = {row.pk: (row.is_overdue, row.is_stale) for row in Lead.objects.with_marks(TODAY, DAYS)}
    for lead in cases:
        marks = marks_of(lead, today=TODAY, days=DAYS)
        assert in_sql[lead.pk] == (marks.overdue, marks.stale), (lead.stage, lead.deadline, lead.last_activity_on)
    assert Lead.objects.overdue(TODAY).count() == sum(marks_of(lead, today=TODAY, days=DAYS).overdue for lead in cases)
    assert Lead.objects.stale(TODAY, DAYS).count() == sum(marks_of(lead, today=TODAY, days=DAYS).stale for lead in cases)


def test_the_stale_days_come_from_this_year_s_rule_set_else_the_latest_else_the_defaults():
    assert StaleDays.for_day(TODAY) == StaleDays(early=30, late=21)
    RuleSetFactory(year=2020, lead_stale_days_early=40, lead_stale_days_late=25)
    assert StaleDays.for_day(TODAY) == StaleDays(early=40, late=25)
    RuleSetFactory(year=2022, lead_stale_days_early=50, lead_stale_days_late=35)
    assert StaleDays.for_day(TODAY) == StaleDays(early=50, late=35)
    RuleSetFactory(year=2021, lead_stale_days_early=10, lead_stale_days_late=5)
    assert StaleDays.for_day(TODAY) == StaleDays(early=10, late=5)


# --- Who sees and who edits ------------------------------------------------------------------


@pytest.fixture
def people():
    own, other, landing, seated = UnitFactory(), UnitFactory(), UnitFactory(), UnitFactory()
    group = SpecialGroupFactory()
    group.landing_units.set([landing])
    commissioner = PersonFactory(title="区某委主任", unit=seated)
    Commissioner.objects.create(group=group, person=commissioner, position=1)
    # The group's leader heads a unit too: leading the group is not working in it as a unit.
    group.leader.unit = other
    group.leader.save()
    return {
        "own": own,
        "group": group,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "other": user_with_role(Role.STAFF, other, username="other"),
        "landing": user_with_role(Role.STAFF, landing, username="landing"),
        "seated": user_with_role(Role.STAFF, seated, username="seated"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
        "nobody": user_with_role(Role.STAFF, username="nobody"),  # staff without a unit
    }


def test_who_sees_a_lead_in_python_and_in_sql_alike(people):
    lead = LeadFactory(owner_unit=people["own"], group=people["group"])
    alone = LeadFactory(owner_unit=people["own"])
    expected = {
        "staff": {lead, alone},
        "other": set(),
        "landing": {lead},
        "seated": {lead},
        "reviewer": {lead, alone},
        "leader": {lead, alone},
        "nobody": set(),
    }
    for who, leads in expected.items():
        assert set(Lead.objects.visible_to(people[who])) == leads, who
        access = access_of(people[who])
        for one in (lead, alone):
            group_units = one.group.working_unit_ids() if one.group else set()
            seen = permissions.sees_lead(access, owner_unit_id=one.owner_unit_id, group_unit_ids=group_units)
            assert seen is (one in leads), (who, one)


def test_the_owner_unit_s_staff_and_reviewers_edit_a_lead_leaders_and_landing_units_never(people):
    lead = LeadFactory(owner_unit=people["own"], group=people["group"])
    users = [who for who in people if who not in ("own", "group")]
    edits = {who: permissions.can_edit_lead(access_of(people[who]), lead) for who in users}
    assert edits == {
        "staff": True, "other": False, "landing": False, "seated": False, "reviewer": True, "leader": False, "nobody": False
    }  # fmt: skip


def test_a_lead_converts_once_and_only_from_an_open_or_paused_stage(people):
    access = access_of(people["staff"])
    lead = LeadFactory(owner_unit=people["own"])
    assert permissions.can_convert_lead(access, lead)
    lead.stage, lead.resume_on = LeadStage.PAUSED, TODAY
    assert permissions.can_convert_lead(access, lead)
    lead.stage = LeadStage.STOPPED
    assert not permissions.can_convert_lead(access, lead)
    lead.stage, lead.project = LeadStage.SIGNED, ProjectFactory()
    assert not permissions.can_convert_lead(access, lead)
    assert not permissions.can_convert_lead(access_of(people["leader"]), LeadFactory(owner_unit=people["own"]))


# --- Codes ------------------------------------------------------------------------------------


def test_lead_codes_count_up_per_year_and_skip_codes_given_by_hand():
    LeadFactory(code="XS2021-00002")
    assert next_lead_code(2021) == "XS2021-00001"
    assert next_lead_code(2021) == "XS2021-00003"
    assert next_lead_code(2022) == "XS2022-00001"


def test_a_lead_saved_without_a_code_gets_the_next_one(people):
    lead = services.create_lead(
        user=people["staff"],
        facts={"code": "", "name": "新材料项目", "owner_unit": people["own"], "responsible_person": "李四",
               "next_step": "约见董事长", "deadline": TODAY},
    )  # fmt: skip
    assert lead.code == f"XS{timezone.localdate().year}-00001"
    assert lead.history.first().history_user == people["staff"]


# --- Stage changes ----------------------------------------------------------------------------


def test_pausing_takes_the_resume_date_and_stopping_the_reason(people):
    lead = LeadFactory(owner_unit=people["own"])
    with pytest.raises(ValidationError, match="恢复跟进日期"):
        services.change_stage(lead=lead, user=people["staff"], stage=LeadStage.PAUSED)
    paused = services.change_stage(lead=lead, user=people["staff"], stage=LeadStage.PAUSED, resume_on=TODAY)
    assert (paused.stage, paused.resume_on) == (LeadStage.PAUSED, TODAY)
    stopped = services.change_stage(lead=lead, user=people["staff"], stage=LeadStage.STOPPED, stop_reason=" 企业转投他处 ")
    assert (stopped.stage, stopped.stop_reason) == (LeadStage.STOPPED, "企业转投他处")


def test_signed_is_not_a_stage_to_move_to_nor_to_leave(people):
    lead = LeadFactory(owner_unit=people["own"])
    with pytest.raises(ValidationError, match="转为签约项目"):
        services.change_stage(lead=lead, user=people["staff"], stage=LeadStage.SIGNED)
    Lead.objects.filter(pk=lead.pk).update(stage=LeadStage.SIGNED, project=ProjectFactory())
    with pytest.raises(ValidationError, match="不能再改变阶段"):
        services.change_stage(lead=lead, user=people["staff"], stage=LeadStage.CLUE)


# --- The daily job ----------------------------------------------------------------------------


def test_the_job_records_since_when_and_a_second_run_changes_nothing():
    overdue = LeadFactory(deadline=TODAY - datetime.timedelta(days=3), last_activity_on=TODAY)
    stale = LeadFactory(deadline=TODAY, last_activity_on=TODAY - datetime.timedelta(days=40))
    fine = LeadFactory(deadline=TODAY, last_activity_on=TODAY)
    updated = {lead.pk: lead.updated_at for lead in Lead.objects.all()}
    history = Lead.history.count()

    first = services.mark_lead_alerts(today=TODAY, days=DAYS)
    assert first == services.AlertMarks(overdue_marked=1, overdue_cleared=0, stale_marked=1, stale_cleared=0)
    assert services.mark_lead_alerts(today=TODAY, days=DAYS) == services.AlertMarks(0, 0, 0, 0)
    # a later run keeps the first day, and marks what became overdue since (deadline TODAY)
    tomorrow = TODAY + datetime.timedelta(days=1)
    services.mark_lead_alerts(today=tomorrow, days=DAYS)
    marks = {lead.pk: (lead.overdue_since, lead.stale_since) for lead in Lead.objects.all()}
    assert marks == {overdue.pk: (TODAY, None), stale.pk: (tomorrow, TODAY), fine.pk: (tomorrow, None)}
    assert Lead.history.count() == history, "the marks are not changes anyone made"
    assert {lead.pk: lead.updated_at for lead in Lead.objects.all()} == updated


def test_the_job_clears_a_mark_that_went():
    lead = LeadFactory(deadline=TODAY - datetime.timedelta(days=1), last_activity_on=TODAY)
    services.mark_lead_alerts(today=TODAY, days=DAYS)
    Lead.objects.filter(pk=lead.pk).update(deadline=TODAY + datetime.timedelta(days=7))
    assert services.mark_lead_alerts(today=TODAY, days=DAYS).overdue_cleared == 1
    lead.refresh_from_db()
    assert lead.overdue_since is None


def test_the_task_runs_the_job_for_today():
    LeadFactory(deadline=timezone.localdate() - datetime.timedelta(days=1), last_activity_on=timezone.localdate())
    assert mark_lead_alerts_task() == {"overdue_marked": 1, "overdue_cleared": 0, "stale_marked": 0, "stale_cleared": 0}


# --- Properties of the one-lead rule (no database) ----------------------------------------------

DATES = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2023, 12, 31))


@given(stage=st.sampled_from(list(LeadStage)), deadline=DATES, last=st.none() | DATES, today=DATES)
def test_once_marked_a_lead_left_alone_stays_marked(stage, deadline, last, today):
    """Time only makes a lead more overdue and more stale: marked today, marked tomorrow."""
    lead = Lead(stage=stage, deadline=deadline, last_activity_on=last, created_at=timezone.make_aware(datetime.datetime(2020, 1, 1, 12)))
    now, later = marks_of(lead, today=today, days=DAYS), marks_of(lead, today=today + datetime.timedelta(days=1), days=DAYS)
    assert (not now.overdue or later.overdue) and (not now.stale or later.stale)
    if stage not in OPEN_STAGES:
        assert not now.overdue and not now.stale
