"""Evidence before credit (domain.md §7): an arrived-capital entry counts only once a reviewer has
verified it; until then it is shown apart as 待核实. The reviewers' verification queue, the inline
evidence, and the staff's correction of their own unverified entries."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from figures.assessment import assess
from groups.models import SpecialGroup
from projects import services
from projects.models import Arrival, Status
from projects.views.verifying import VERIFICATION_PAGE_SIZE
from reports.snapshot import take_snapshot
from targets import scoring
from targets.models import Unit
from tests.factories import ArrivalFactory, ProjectFactory, client_for, user_with_role

D = Decimal
Q2 = scoring.Period(2021, 2)
QUERY = "?year=2021&quarter=2"
ARRIVED = scoring.Indicator.ARRIVED_CAPITAL
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


@pytest.fixture
def world(fuling_2021, media):
    """Three parks with approved projects signed in Q1; the third ranks last of the three."""
    group = SpecialGroup.objects.order_by("number").first()
    first = ProjectFactory(lead_unit=unit("涪陵新城区"), agreement_capital=D("25"), group=group)
    ArrivalFactory(project=first, amount=D("2"), arrived_on=datetime.date(2021, 5, 10))
    ProjectFactory(lead_unit=unit("临港经济区"), agreement_capital=D("15"))
    third = ProjectFactory(lead_unit=unit("白涛园区"), agreement_capital=D("2"), group=group)
    return {
        "third": third,
        "group": group,
        "staff": user_with_role(Role.STAFF, unit("白涛园区"), username="baitao"),
        "other_staff": user_with_role(Role.STAFF, unit("临港经济区"), username="lingang"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李审核"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def ranking_command() -> dict:
    out = io.StringIO()
    call_command("ranking", year=2021, quarter=2, format="json", stdout=out)
    return {row["unit"]: (row["rank"], row["score"], row["indicators"]["arrived_capital"]) for row in json.loads(out.getvalue())["units"]}


def every_figure(world) -> dict:
    """What each place that computes a figure shows: the ranking, the dashboard (rankings and the
    5311 progress), the unit page, the groups, the bulletin's snapshot and the ranking command."""
    leader, staff = client_for(world["leader"]), client_for(world["staff"])
    board = leader.get(reverse("dashboard") + QUERY).context["board"]
    page = staff.get(reverse("unit_detail", args=[unit("白涛园区").pk]) + QUERY).context["page"]
    groups = leader.get(reverse("group_list") + QUERY).context
    group = leader.get(reverse("group_detail", args=[world["group"].pk]) + QUERY).context
    return {
        "assess": {r.unit.name: (r.rank, r.score, r.indicators[ARRIVED].actual) for r in assess(Q2)},
        "dashboard": [(row.unit.name, row.result.rank, [f.actual for f in row.figures]) for r in board.rankings for row in r.rows],
        "district": [[f.actual for f in row.figures] for row in board.totals],
        "5311": [row.figure.actual for row in board.five_year.rows],
        "unit page": (page.result.rank, page.score_text, [item.figure.actual for item in page.indicators]),
        "groups": groups["total"],
        "group": (group["totals"], [arrived for _, _, arrived in group["rows"]]),
        "snapshot": take_snapshot(period=Q2, issued_on=datetime.date(2021, 7, 5)),
        "command": ranking_command(),
    }


def rank_of_third(figures) -> int:
    return figures["assess"]["白涛园区"][0]


def test_a_huge_unverified_entry_changes_no_figure_until_a_reviewer_verifies_it(world):
    before = every_figure(world)
    third = world["third"]

    response = client_for(world["staff"]).post(
        reverse("arrival_add", args=[third.pk]), {"arrived_on": "2021-06-30", "amount": "500", "note": "巨额到位"}
    )
    assert response.status_code == 302
    entry = Arrival.objects.get(note="巨额到位")
    assert not entry.verified

    assert every_figure(world) == before  # every place, field by field

    queue = client_for(world["reviewer"]).get(reverse("verification_queue")).content.decode()
    assert "巨额到位" in queue
    response = client_for(world["reviewer"]).post(
        reverse("arrival_verify", args=[third.pk, entry.pk]), {"next": reverse("verification_queue")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("verification_queue")

    after = every_figure(world)
    for place in before:
        assert after[place] != before[place], place
    assert rank_of_third(after) < rank_of_third(before)
    assert after["assess"]["白涛园区"][2] == D("500")
    assert after["5311"][2] == before["5311"][2] + D("500")  # 累计到位资金, the district's own figure
    assert after["groups"].arrived_capital == before["groups"].arrived_capital + D("500")
    assert after["command"]["白涛园区"][2]["actual"] == "500"


def test_the_engine_is_given_only_verified_entries(world):
    third = world["third"]
    ArrivalFactory(project=third, amount=D("7"), arrived_on=datetime.date(2021, 4, 1), verified=False)
    ArrivalFactory(project=third, amount=D("1"), arrived_on=datetime.date(2021, 4, 2))
    (facts,) = type(third).objects.filter(pk=third.pk).scoring_facts(Q2)
    assert facts.arrivals == ((datetime.date(2021, 4, 2), D("1")),)
    third.refresh_from_db()
    assert third.as_scoring_project().arrivals == ((datetime.date(2021, 4, 2), D("1")),)  # unprefetched too


# --- 待核实, shown apart -------------------------------------------------------------------------


def test_the_ledger_marks_each_unverified_entry_and_sums_them_beside_the_verified_total(world):
    third = world["third"]
    ArrivalFactory(project=third, amount=D("1.5"), arrived_on=datetime.date(2021, 4, 1), note="已核实的一笔")
    ArrivalFactory(project=third, amount=D("500"), arrived_on=datetime.date(2021, 4, 2), verified=False, note="甲")
    ArrivalFactory(project=third, amount=D("0.25"), arrived_on=datetime.date(2021, 4, 3), verified=False, note="乙")
    response = client_for(world["staff"]).get(reverse("project_detail", args=[third.pk]))
    page = response.content.decode()
    assert "已核实 1.50 亿元（计入考核）" in page and "待核实 500.25 亿元（2 笔）" in page
    assert page.count('<span class="badge pending">待核实</span>') == 2
    assert response.context["preview"].credits[0].arrived_capital == D("1.5")


def test_the_unit_page_shows_the_unit_s_pending_sum_apart_from_the_counted_actual(world):
    third = world["third"]
    ArrivalFactory(project=third, amount=D("1"), arrived_on=datetime.date(2021, 4, 1))
    ArrivalFactory(project=third, amount=D("500"), arrived_on=datetime.date(2021, 4, 2), verified=False, note="待核实甲")
    ArrivalFactory(project=third, amount=D("9"), arrived_on=datetime.date(2021, 8, 2), verified=False, note="下期")
    withdrawn = ProjectFactory(lead_unit=unit("白涛园区"), status=Status.WITHDRAWN)
    ArrivalFactory(project=withdrawn, amount=D("3"), arrived_on=datetime.date(2021, 4, 2), verified=False)
    elsewhere = ProjectFactory(lead_unit=unit("临港经济区"))
    ArrivalFactory(project=elsewhere, amount=D("4"), arrived_on=datetime.date(2021, 4, 2), verified=False, note="别人的")

    response = client_for(world["staff"]).get(reverse("unit_detail", args=[unit("白涛园区").pk]) + QUERY)
    page = response.context["page"]
    assert page.pending.total == D("500") and [e.note for e in page.pending.entries] == ["待核实甲"]
    arrived = next(item for item in page.indicators if item.indicator is ARRIVED)
    assert arrived.figure.actual == D("1")
    html = response.content.decode()
    assert "待核实的到位资金" in html and "500.00 亿元（1 笔）" in html and "别人的" not in html


def test_a_cooperating_unit_sees_the_pending_entries_of_the_projects_it_cooperates_in(world):
    joint = ProjectFactory(lead_unit=unit("临港经济区"), cooperating=[unit("白涛园区")])
    ArrivalFactory(project=joint, amount=D("6"), arrived_on=datetime.date(2021, 4, 2), verified=False)
    page = client_for(world["staff"]).get(reverse("unit_detail", args=[unit("白涛园区").pk]) + QUERY).context["page"]
    assert page.pending.total == D("6")


# --- The verification queue ------------------------------------------------------------------------


def test_the_queue_lists_unverified_entries_of_projects_not_withdrawn_oldest_first(world):
    third = world["third"]
    now = timezone.now()
    later = ArrivalFactory(project=third, verified=False, note="后登记", created_by=world["staff"])
    earlier = ArrivalFactory(project=third, verified=False, note="先登记", evidence=SimpleUploadedFile("回单.pdf", PDF))
    Arrival.objects.filter(pk=later.pk).update(created_at=now - datetime.timedelta(days=1))
    Arrival.objects.filter(pk=earlier.pk).update(created_at=now - datetime.timedelta(days=2))
    ArrivalFactory(project=third, note="已核实")
    ArrivalFactory(project=ProjectFactory(status=Status.WITHDRAWN), verified=False, note="已撤回项目的")

    response = client_for(world["reviewer"]).get(reverse("verification_queue"))

    assert [entry.note for entry in response.context["entries"]] == ["先登记", "后登记"]
    html = response.content.decode()
    assert third.code in html and third.name in html and "白涛园区" in html and "baitao" in html
    assert f'{reverse("arrival_evidence", args=[third.pk, earlier.pk])}?inline=1' in html
    assert html.count(">核实</button>") == 2


def test_the_queue_pages_by_50_and_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    client = client_for(world["reviewer"])
    for size in (3, VERIFICATION_PAGE_SIZE + 5):
        for _ in range(size - Arrival.objects.filter(verified=False).count()):
            ArrivalFactory(project=ProjectFactory(), verified=False, created_by=world["staff"])
        # session, user, groups, the count, the page (with project, unit and who entered it), the menu's
        # to-do counts and its unread notifications, the organisation (the page's title); the counts of
        # the supplementary agreements' and the milestones' sections (empty here: no page read)
        with django_assert_num_queries(10):
            response = client.get(reverse("verification_queue"))
        assert len(response.context["entries"]) == min(size, VERIFICATION_PAGE_SIZE)
    assert len(client.get(reverse("verification_queue") + "?page=2").context["entries"]) == 5


def test_the_menu_shows_reviewers_the_number_waiting(world):
    ArrivalFactory(project=world["third"], verified=False)
    ArrivalFactory(project=world["third"], verified=False)
    menu = client_for(world["reviewer"]).get(reverse("project_list")).content.decode()
    assert f'href="{reverse("verification_queue")}"' in menu
    assert '核实 <span class="badge count" aria-hidden="true" title="待核实的到位资金、补充协议和项目节点">2</span>' in menu
    for role in ("staff", "leader"):
        assert reverse("verification_queue") not in client_for(world[role]).get(reverse("project_list")).content.decode()


# --- The evidence, shown in the browser ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"), [("回单.pdf", PDF, "application/pdf"), ("回单.png", PNG, "image/png")]
)
def test_inline_evidence_is_shown_in_the_browser(world, name, content, content_type):
    arrival = services.add_arrival(
        project=world["third"], user=world["staff"], arrived_on=datetime.date(2021, 6, 1), amount=D("1"),
        evidence=SimpleUploadedFile(name, content),
    )
    url = reverse("arrival_evidence", args=[world["third"].pk, arrival.pk])
    response = client_for(world["reviewer"]).get(url + "?inline=1")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content
    assert client_for(world["reviewer"]).get(url)["Content-Disposition"].startswith("attachment")  # the download


def test_a_file_that_is_not_what_its_name_says_is_never_shown_inline(world):
    arrival = ArrivalFactory(project=world["third"], verified=False, evidence=SimpleUploadedFile("x.pdf", b"<html><script>"))
    response = client_for(world["reviewer"]).get(
        reverse("arrival_evidence", args=[world["third"].pk, arrival.pk]) + "?inline=1"
    )
    assert response["Content-Disposition"].startswith("attachment")


# --- Staff correct their own unverified entries -----------------------------------------------------


def edit(user, arrival, **data):
    return client_for(user).post(reverse("arrival_edit", args=[arrival.project_id, arrival.pk]), data)


def test_staff_correct_an_unverified_entry(world):
    arrival = ArrivalFactory(project=world["third"], verified=False, amount=D("500"), note="多打了两个零")
    page = client_for(world["staff"]).get(reverse("project_detail", args=[world["third"].pk])).content.decode()
    assert reverse("arrival_edit", args=[world["third"].pk, arrival.pk]) in page

    response = edit(world["staff"], arrival, arrived_on="2021-06-01", amount="5", note="已更正")

    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[world["third"].pk])
    arrival.refresh_from_db()
    assert (arrival.arrived_on, arrival.amount, arrival.note, arrival.verified) == (datetime.date(2021, 6, 1), D("5"), "已更正", False)
    assert arrival.history.first().history_user == world["staff"]


def test_a_correction_is_checked_as_an_entry_is(world):
    arrival = ArrivalFactory(project=world["third"], verified=False)
    response = edit(world["staff"], arrival, arrived_on="2999-01-01", amount="0")
    assert response.status_code == 200
    assert "金额必须大于 0" in response.content.decode() and "不能晚于今天" in response.content.decode()
    arrival.refresh_from_db()
    assert arrival.amount == D("1")


def test_a_new_evidence_file_replaces_the_old_one(world, media, django_capture_on_commit_callbacks):
    arrival = services.add_arrival(
        project=world["third"], user=world["staff"], arrived_on=datetime.date(2021, 6, 1), amount=D("1"),
        evidence=SimpleUploadedFile("旧.pdf", PDF),
    )
    old = media / arrival.evidence.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["staff"]).post(
            reverse("arrival_edit", args=[world["third"].pk, arrival.pk]),
            {"arrived_on": "2021-06-01", "amount": "1", "evidence": SimpleUploadedFile("新.png", PNG)},
        )
    assert response.status_code == 302
    arrival.refresh_from_db()
    assert arrival.evidence_name == "新.png" and (media / arrival.evidence.name).exists()
    assert not old.exists()


def test_a_verified_entry_is_locked_for_staff(world):
    arrival = ArrivalFactory(project=world["third"], amount=D("2"))
    assert edit(world["staff"], arrival, arrived_on="2021-06-01", amount="200").status_code == 403
    assert client_for(world["staff"]).get(reverse("arrival_edit", args=[world["third"].pk, arrival.pk])).status_code == 403
    arrival.refresh_from_db()
    assert arrival.amount == D("2")


def test_an_entry_verified_after_the_permission_check_is_not_changed(world):
    arrival = ArrivalFactory(project=world["third"], verified=False, amount=D("2"))
    services.verify_arrival(arrival=arrival, user=world["reviewer"])  # `arrival` is still the unverified copy
    with pytest.raises(Exception, match="刚刚被核实"):
        services.correct_arrival(arrival=arrival, user=world["staff"], arrived_on=datetime.date(2021, 6, 1), amount=D("200"))
    arrival.refresh_from_db()
    assert arrival.amount == D("2")


def test_another_unit_s_entry_does_not_exist_for_staff(world):
    arrival = ArrivalFactory(project=world["third"], verified=False)
    assert edit(world["other_staff"], arrival, arrived_on="2021-06-01", amount="3").status_code == 404
