"""The review queue (待审核项目): submitted projects oldest first, with approve / return forms for reviewers."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from projects import services
from projects.models import Origin, Status
from tests.factories import ProjectFactory, RuleSetFactory, UnitFactory, UserFactory, user_with_role

URL = reverse("review_queue")
AN_HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def unit(db):
    RuleSetFactory(year=2021)
    return UnitFactory(name="甲园区")


@pytest.fixture
def staff(unit):
    return user_with_role(Role.STAFF, unit, username="staff", first_name="小明", last_name="王")


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="reviewer")


def submit(project, *, by, at):
    """What the submit action does: status and time, saved with its author in the history."""
    project.status, project.submitted_at = Status.SUBMITTED, at
    project._history_user = by
    project.save()
    return project


def submitted(unit, *, by, at, **facts):
    return submit(ProjectFactory(lead_unit=unit, status=Status.DRAFT, created_by=by, **facts), by=by, at=at)


def queue(client, user):
    client.force_login(user)
    return client.get(URL)


def queued_codes(response) -> list[str]:
    return [project.code for project in response.context["projects"]]


@pytest.mark.parametrize("role, status", [(Role.REVIEWER, 200), (Role.ADMINISTRATOR, 200), (Role.LEADER, 200), (Role.STAFF, 403)])
def test_reviewers_and_leaders_open_the_queue_and_unit_staff_are_refused(client, unit, role, status):
    user = user_with_role(role, unit if role is Role.STAFF else None, username="someone")

    assert queue(client, user).status_code == status


def test_it_lists_only_submitted_projects_oldest_submission_first(client, unit, staff, reviewer):
    now = timezone.now()
    submitted(unit, by=staff, at=now - AN_HOUR, code="SECOND")
    submitted(unit, by=staff, at=now - 3 * AN_HOUR, code="FIRST")
    submitted(unit, by=staff, at=now, code="THIRD")
    for status in (Status.DRAFT, Status.APPROVED, Status.RETURNED, Status.WITHDRAWN):
        ProjectFactory(lead_unit=unit, status=status, code=f"NOT-{status}")

    assert queued_codes(queue(client, reviewer)) == ["FIRST", "SECOND", "THIRD"]


def test_a_row_shows_the_facts_a_reviewer_decides_on(client, unit, staff, reviewer):
    at = timezone.make_aware(datetime.datetime(2021, 4, 2, 9, 30))
    project = submitted(
        unit, by=staff, at=at, code="Q-1", name="锂电池材料项目", agreement_capital=Decimal("12.345")
    )

    page = queue(client, reviewer).content.decode()

    assert "2021-04-02 09:30" in page
    assert "小明 王" in page  # Django's get_full_name: first name, then last name
    assert "Q-1" in page
    assert f'<a href="{reverse("project_detail", kwargs={"pk": project.pk})}">锂电池材料项目</a>' in page
    assert "甲园区" in page
    assert '<td class="num">12.35</td>' in page
    assert "较大项目" in page


def test_a_row_shows_the_investor_the_origin_and_the_cooperating_units(client, unit, staff, reviewer):
    partners = [UnitFactory(name="乙部门"), UnitFactory(name="丙园区")]
    submitted(unit, by=staff, at=timezone.now(), investor="某某新能源集团", origin=Origin.INSIDE_CITY, cooperating=partners)
    submitted(unit, by=staff, at=timezone.now(), investor="", origin=Origin.OUTSIDE_CITY)

    page = queue(client, reviewer).content.decode()

    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert ["投资方", "牵头单位", "配合单位", "项目来源"] == [
        name for name in re.findall(r"<th[^>]*>([^<]*)</th>", header) if name in ("投资方", "牵头单位", "配合单位", "项目来源")
    ]
    first, second = re.findall(r"<tr>\s*<td class=\"select\">(.*?)</tr>", page, re.S)
    assert "<td>某某新能源集团</td>" in first and "<td>乙部门、丙园区</td>" in first
    assert '<td class="nowrap">区外市内</td>' in first
    assert "<td>–</td>" in second and '<td class="nowrap">市外</td>' in second


def test_the_tier_follows_the_rules_of_the_signing_year(client, unit, staff, reviewer):
    RuleSetFactory(year=2022, key_investment=Decimal("3"))
    now = timezone.now()
    submitted(unit, by=staff, at=now - AN_HOUR, agreement_capital=Decimal("2"), signed_on=datetime.date(2021, 5, 1))
    submitted(unit, by=staff, at=now, agreement_capital=Decimal("2"), signed_on=datetime.date(2022, 5, 1))

    projects = queue(client, reviewer).context["projects"]

    assert [project.tier_label for project in projects] == ["重点项目", "一般项目"]


def test_the_submitter_is_who_submitted_not_who_edited_it_afterwards(client, unit, staff, reviewer):
    project = submitted(unit, by=staff, at=timezone.now())
    project.name = "审核员改过的名称"
    project._history_user = reviewer
    project.save()

    assert queue(client, reviewer).context["projects"][0].submitter == staff


def test_a_resubmitted_project_names_its_latest_submitter(client, unit, staff, reviewer):
    colleague = UserFactory(username="colleague")
    project = submitted(unit, by=staff, at=timezone.now() - AN_HOUR)
    project.status = Status.RETURNED
    project.save()
    submit(project, by=colleague, at=timezone.now())

    assert queue(client, reviewer).context["projects"][0].submitter == colleague


def test_without_a_recorded_submission_the_submitter_is_who_entered_the_project(client, unit, staff, reviewer):
    ProjectFactory(lead_unit=unit, status=Status.SUBMITTED, submitted_at=timezone.now(), created_by=staff)

    assert queue(client, reviewer).context["projects"][0].submitter == staff


def test_reviewers_get_an_approve_button_and_a_return_form_with_a_required_reason(client, unit, staff, reviewer):
    project = submitted(unit, by=staff, at=timezone.now())

    page = queue(client, reviewer).content.decode()

    approve = re.search(rf'<form method="post" action="{reverse("project_approve", kwargs={"pk": project.pk})}"[^>]*>(.*?)</form>', page, re.S)
    back = re.search(rf'<form method="post" action="{reverse("project_return", kwargs={"pk": project.pk})}"[^>]*>(.*?)</form>', page, re.S)
    assert approve and back
    assert "csrfmiddlewaretoken" in approve.group(1) and "审核通过" in approve.group(1)
    assert "csrfmiddlewaretoken" in back.group(1)
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', back.group(1))
    assert '<label for="reason-' in back.group(1) and "退回原因" in back.group(1)
    assert f'name="version" value="{project.version}"' in back.group(1)


def test_leaders_see_the_queue_without_any_button(client, unit, staff):
    submitted(unit, by=staff, at=timezone.now(), code="SEEN")
    leader = user_with_role(Role.LEADER, username="leader")

    page = queue(client, leader).content.decode()

    assert "SEEN" in page
    assert "审核通过" not in page and "退回原因" not in page and "<form method=\"post\" action=\"/projects/" not in page


def test_an_empty_queue_says_there_is_nothing_to_review(client, reviewer, unit):
    assert "目前没有待审核的项目" in queue(client, reviewer).content.decode()


def test_user_text_is_escaped(client, unit, staff, reviewer):
    submitted(unit, by=staff, at=timezone.now(), name="<img src=x onerror=alert(1)>")

    page = queue(client, reviewer).content.decode()

    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_queue(client, django_assert_num_queries, unit, staff, reviewer, size):
    colleagues = [UserFactory(username=f"colleague{n}") for n in range(3)]
    partners = [UnitFactory(name=f"配合单位{n}") for n in range(2)]
    for n in range(size):
        submitted(unit, by=colleagues[n % 3], at=timezone.now() - n * AN_HOUR, cooperating=partners)
    client.force_login(reviewer)

    # session, user, groups, rule sets, the queue's count, its page, the page's cooperating units
    # with their names (one prefetch, added with the 配合单位 column), the page's submitters,
    # unread notifications, the menu's to-do counts (审核, 核实), the organisation (the page's title)
    with django_assert_num_queries(11):
        response = client.get(URL)

    assert len(response.context["projects"]) == size
    assert {project.cooperating_names for project in response.context["projects"]} == {"配合单位0、配合单位1"}


def test_the_submitter_is_found_after_the_real_submit_and_a_reviewer_s_edit(client, unit, staff, reviewer):
    project = services.submit(project=ProjectFactory(lead_unit=unit, status=Status.DRAFT), user=staff)
    project.name = "审核员改过的名称"
    project._history_user = reviewer
    project.save()

    assert queue(client, reviewer).context["projects"][0].submitter == staff


def test_approving_from_the_queue_goes_back_to_the_queue_but_never_off_site(client, db):
    RuleSetFactory()
    first = ProjectFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    second = ProjectFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(user_with_role(Role.REVIEWER, username="queue-reviewer"))
    queue = reverse("review_queue")
    response = client.post(reverse("project_approve", args=[first.pk]), {"next": queue})
    assert response["Location"] == queue
    response = client.post(reverse("project_approve", args=[second.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("project_detail", args=[second.pk])


def test_the_queue_is_paged_oldest_first_across_pages(client, db, monkeypatch):
    from projects.views import listing

    monkeypatch.setattr(listing, "REVIEW_PAGE_SIZE", 2)
    RuleSetFactory()
    start = timezone.now() - datetime.timedelta(days=10)
    projects = [
        ProjectFactory(status=Status.SUBMITTED, submitted_at=start + datetime.timedelta(days=i)) for i in range(5)
    ]
    client.force_login(user_with_role(Role.LEADER, username="queue-leader"))
    seen = []
    for number in (1, 2, 3):
        response = client.get(reverse("review_queue"), {"page": number})
        seen += [p.pk for p in response.context["projects"]]
    assert seen == [p.pk for p in projects]
    assert "共 5 个" in response.content.decode() and "第 3 / 3 页" in response.content.decode()
    assert client.get(reverse("review_queue"), {"page": "x"}).status_code == 200
