"""批量审核通过 (review_approve_selected): the projects ticked in the review queue are approved,
each checked as a single approval is (reviewers only, still submitted, unchanged since the
page showed it, signed); the others are skipped and the reviewer is told which and why."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from projects import services
from projects.history import project_history
from projects.models import Project, Status
from tests.factories import ProjectFactory, RuleSetFactory, UnitFactory, client_for, user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("review_approve_selected")
QUEUE = reverse("review_queue")


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    unit = UnitFactory(name="甲园区")
    return {
        "unit": unit,
        "staff": user_with_role(Role.STAFF, unit, username="staff"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李审核"),
    }


def queued(world, **facts) -> Project:
    return ProjectFactory(lead_unit=world["unit"], status=Status.SUBMITTED, submitted_at=timezone.now(), **facts)


def ticked(*projects) -> dict:
    """The form as the queue sends it: one "id:version" per ticked box."""
    return {"project": [f"{project.pk}:{project.version}" for project in projects], "next": QUEUE}


def approve(user, data, follow=True):
    return client_for(user).post(URL, data, follow=follow)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def status_of(project) -> str:
    return Project.objects.get(pk=project.pk).status


def test_a_reviewer_approves_every_ticked_project_and_is_told_how_many(world):
    first, second, unticked = queued(world, code="A-1"), queued(world, code="A-2"), queued(world, code="A-3")

    response = approve(world["reviewer"], ticked(first, second))

    assert response.redirect_chain == [(QUEUE, 302)]
    assert messages_of(response) == ["已审核通过 2 个项目（A-1、A-2），将计入考核。"]
    assert (status_of(first), status_of(second), status_of(unticked)) == (Status.APPROVED, Status.APPROVED, Status.SUBMITTED)
    approved = Project.objects.get(pk=first.pk)
    assert approved.reviewed_by == world["reviewer"] and approved.reviewed_at is not None and approved.version == 2


def test_each_approval_is_its_own_event_in_the_history_with_the_reviewer(world):
    project = queued(world)

    approve(world["reviewer"], ticked(project))

    latest = project_history(project)[0]
    assert (latest.label, latest.who) == ("审核通过", "李审核")


def test_a_project_changed_since_the_page_showed_it_is_skipped_with_the_reason(world):
    stale, fresh = queued(world, code="STALE", name="已改动项目"), queued(world, code="FRESH")
    data = ticked(stale, fresh)
    services.update_project(
        project=stale, user=world["staff"], facts={"name": "又改了"}, cooperating_unit_ids=[], version=stale.version
    )

    response = approve(world["reviewer"], data)

    assert status_of(stale) == Status.SUBMITTED and status_of(fresh) == Status.APPROVED
    assert messages_of(response) == [
        "已审核通过 1 个项目（FRESH），将计入考核。",
        "未审核通过 STALE「又改了」：该项目在您打开页面后已被修改，请打开项目核对后再审核。",
    ]


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RETURNED, Status.WITHDRAWN, Status.DRAFT])
def test_a_project_no_longer_submitted_is_skipped(world, status):
    project = queued(world, code="GONE")
    # Its state changed without a new version (as no service does), so the state is what refuses.
    Project.objects.filter(pk=project.pk).update(status=status)

    response = approve(world["reviewer"], ticked(project))

    assert status_of(project) == status
    label = Status(status).label
    assert messages_of(response) == [f"未审核通过 GONE「{project.name}」：只有待审核的项目可以审核；该项目当前状态为「{label}」。"]


def test_a_project_without_a_signing_date_is_skipped_with_the_single_approval_s_message(world):
    unsigned = queued(world, code="UNSIGNED", signed_on=None)

    response = approve(world["reviewer"], ticked(unsigned))

    assert status_of(unsigned) == Status.SUBMITTED
    assert messages_of(response) == [f"未审核通过 UNSIGNED「{unsigned.name}」：{services.NEEDS_SIGNING_DATE}"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
def test_only_reviewers_approve_several(world, role):
    project = queued(world)
    user = world["staff"] if role is Role.STAFF else user_with_role(role, username="someone")

    assert approve(user, ticked(project), follow=False).status_code == 403
    assert status_of(project) == Status.SUBMITTED


def test_an_administrator_approves_several_too(world):
    project = queued(world)

    assert approve(user_with_role(Role.ADMINISTRATOR, username="admin"), ticked(project), follow=False).status_code == 302
    assert status_of(project) == Status.APPROVED


def test_it_is_post_only(world):
    project = queued(world)

    assert client_for(world["reviewer"]).get(URL, ticked(project)).status_code == 405
    assert status_of(project) == Status.SUBMITTED


def test_nothing_ticked_says_so(world):
    response = approve(world["reviewer"], {"next": QUEUE})

    assert response.redirect_chain == [(QUEUE, 302)]
    assert messages_of(response) == ["请先勾选要审核通过的项目。"]


def test_unknown_ids_and_malformed_values_are_ignored(world):
    project = queued(world, code="REAL")

    response = approve(world["reviewer"], {"project": ["999999:1", "abc", "1:x", "²:1", f"{project.pk}:{project.version}"]})

    assert messages_of(response) == ["已审核通过 1 个项目（REAL），将计入考核。"]
    only_unknown = approve(world["reviewer"], {"project": ["999999:1"]})
    assert messages_of(only_unknown) == ["所选项目已不存在。"]


def test_it_goes_back_to_the_queue_page_it_came_from_but_never_off_site(world):
    project = queued(world)
    page_two = f"{QUEUE}?page=2"

    assert approve(world["reviewer"], {**ticked(project), "next": page_two}, follow=False)["Location"] == page_two
    other = queued(world)
    assert approve(world["reviewer"], {**ticked(other), "next": "https://evil.example/"}, follow=False)["Location"] == QUEUE


def test_a_skipped_project_s_name_is_escaped_in_the_message(world):
    project = queued(world, name="<img src=x onerror=alert(1)>", signed_on=None)

    page = approve(world["reviewer"], ticked(project)).content.decode()

    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_queue_has_one_confirmed_bulk_form_and_a_box_per_row_for_reviewers_only(world):
    first, second = queued(world), queued(world)

    page = client_for(world["reviewer"]).get(QUEUE).content.decode()

    form = re.search(r'<form id="bulk-approve" method="post" action="([^"]+)"[^>]*data-confirm="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert form and form.group(1) == URL and "审核通过" in form.group(2)
    assert "csrfmiddlewaretoken" in form.group(3) and "批量审核通过" in form.group(3)
    boxes = re.findall(r'<input type="checkbox" name="project" value="([^"]+)" form="bulk-approve"', page)
    assert boxes == [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]

    leader_page = client_for(user_with_role(Role.LEADER, username="leader")).get(QUEUE).content.decode()
    assert "bulk-approve" not in leader_page and 'name="project"' not in leader_page


def test_an_empty_queue_has_no_bulk_form(world):
    assert "bulk-approve" not in client_for(world["reviewer"]).get(QUEUE).content.decode()
