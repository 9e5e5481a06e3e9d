"""The project detail page: facts, tier and credits, buttons by role, the arrived-capital ledger
with evidence files, and a query count that does not grow with the ledger or the history."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access.roles import Role
from projects import services
from projects.models import Arrival, Origin, Sector, Status
from tests.factories import ArrivalFactory, client_for, ProjectFactory, RuleSetFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.fixture(autouse=True)
def _uploads_in_a_fresh_folder(media):
    return media


@pytest.fixture
def world():
    RuleSetFactory(year=2021)
    lead, partner, stranger = UnitFactory(name="甲园区"), UnitFactory(name="乙部门"), UnitFactory(name="丙园区")
    return {
        "lead": lead,
        "partner": partner,
        "staff": user_with_role(Role.STAFF, lead, username="staff", first_name="张三"),
        "partner_staff": user_with_role(Role.STAFF, partner, username="partner"),
        "stranger": user_with_role(Role.STAFF, stranger, username="stranger"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer", first_name="李审核"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def detail(user, project):
    return client_for(user).get(reverse("project_detail", args=[project.pk]))


# --- Facts, tier, credits --------------------------------------------------------------------


def test_it_shows_the_facts_tier_and_each_units_credit(world):
    project = ProjectFactory(
        name="冷链物流园",
        investor="某某物流集团",
        lead_unit=world["lead"],
        cooperating=[world["partner"]],
        sector=Sector.NON_INDUSTRIAL,
        origin=Origin.INSIDE_CITY,
        agreement_capital=Decimal(12),
    )
    ArrivalFactory(project=project, amount=Decimal(5), arrived_on=datetime.date(2021, 9, 1))
    response = detail(world["staff"], project)
    page = response.content.decode()
    for text in ("冷链物流园", "某某物流集团", "甲园区", "乙部门", "非工业", "区外市内", "较大项目", "已审核"):
        assert text in page
    credits = [(c.unit.name, c.agreement_capital, c.arrived_capital) for c in response.context["preview"].credits]
    assert credits == [("甲园区", Decimal("1.92"), Decimal("0.8")), ("乙部门", Decimal("0.48"), Decimal("0.2"))]
    assert "1.92" in page and "0.48" in page and "0.80" in page


def test_it_says_when_a_project_counts_nowhere(world):
    project = ProjectFactory(lead_unit=world["lead"], origin=Origin.INSIDE_DISTRICT)
    page = detail(world["staff"], project).content.decode()
    assert "不计入考核" in page and "权重为 0" in page


def test_it_says_an_unapproved_project_counts_only_once_approved(world):
    project = ProjectFactory(lead_unit=world["lead"], status=Status.DRAFT)
    assert "审核通过后按下表计入考核" in detail(world["staff"], project).content.decode()


def test_it_escapes_what_users_typed(world):
    project = ProjectFactory(lead_unit=world["lead"], name="<script>alert(1)</script>")
    page = detail(world["staff"], project).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_it_warns_about_another_project_of_the_same_investor_that_year(world):
    project = ProjectFactory(lead_unit=world["lead"], investor="Acme 集团")
    twin = ProjectFactory(code="FL2021-00777", lead_unit=world["partner"], investor="acme集团")
    page = detail(world["reviewer"], project).content.decode()
    assert "注意可能重复计数" in page and "FL2021-00777" in page
    assert reverse("project_detail", args=[twin.pk]) in page


# --- Which buttons, for whom --------------------------------------------------------------


def buttons(page: str) -> set[str]:
    found = set()
    for label, marker in [
        ("edit", "/edit/\">编辑"),
        ("submit", ">提交审核</button>"),
        ("withdraw", ">确认撤回</button>"),
        ("approve", ">审核通过</button>"),
        ("return", ">退回修改</button>"),
        ("add_arrival", ">登记到位资金</button>"),
    ]:
        if marker in page:
            found.add(label)
    return found


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (Status.DRAFT, "staff", {"edit", "submit", "withdraw", "add_arrival"}),
        (Status.RETURNED, "staff", {"edit", "submit", "withdraw", "add_arrival"}),
        (Status.SUBMITTED, "staff", {"withdraw", "add_arrival"}),
        (Status.APPROVED, "staff", {"add_arrival"}),
        (Status.WITHDRAWN, "staff", set()),
        (Status.APPROVED, "partner_staff", set()),
        (Status.SUBMITTED, "reviewer", {"edit", "withdraw", "approve", "return", "add_arrival"}),
        (Status.APPROVED, "reviewer", {"edit", "withdraw", "add_arrival"}),
        (Status.WITHDRAWN, "reviewer", set()),
        (Status.SUBMITTED, "leader", set()),
        (Status.APPROVED, "leader", set()),
    ],
)
def test_it_shows_only_the_actions_the_user_may_take(world, status, role, expected):
    project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]], status=status)
    assert buttons(detail(world[role], project).content.decode()) == expected


def test_a_leader_sees_the_project_but_no_edit_button_at_all(world):
    project = ProjectFactory(lead_unit=world["lead"], status=Status.DRAFT)
    response = detail(world["leader"], project)
    assert response.status_code == 200 and project.name in response.content.decode()
    assert reverse("project_edit", args=[project.pk]) not in response.content.decode()


def test_another_units_project_answers_404(world):
    project = ProjectFactory(lead_unit=world["lead"])
    assert detail(world["stranger"], project).status_code == 404


# --- The arrived-capital ledger ---------------------------------------------------------------


def add(user, project, **data):
    return client_for(user).post(reverse("arrival_add", args=[project.pk]), data)


def test_the_ledger_lists_entries_with_evidence_and_verification(world):
    project = ProjectFactory(lead_unit=world["lead"])
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 5, 1), amount=Decimal("0.25"), note="首笔", verified=False)
    add(world["staff"], project, arrived_on="2021-06-30", amount="0.5", note="二期", evidence=SimpleUploadedFile("回单.pdf", PDF))
    second = Arrival.objects.get(note="二期")
    services.verify_arrival(arrival=second, user=world["reviewer"])
    page = detail(world["staff"], project).content.decode()
    assert page.index("首笔") < page.index("二期")
    assert "已核实 0.50 亿元" in page and "待核实 0.25 亿元（1 笔）" in page
    assert reverse("arrival_evidence", args=[project.pk, second.pk]) in page and "回单.pdf" in page
    assert "已核实" in page and "李审核" in page and "待核实" in page


def test_staff_add_an_entry_without_a_file(world):
    project = ProjectFactory(lead_unit=world["lead"])
    client = client_for(world["staff"])
    response = client.post(reverse("arrival_add", args=[project.pk]), {"arrived_on": "2021-06-30", "amount": "0.5", "note": "二期到位"})
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    arrival = Arrival.objects.get()
    assert (arrival.amount, arrival.note, arrival.created_by, bool(arrival.evidence)) == (Decimal("0.5"), "二期到位", world["staff"], False)
    assert "已登记到位资金 0.50 亿元" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "金额必须大于 0"),
        ({"amount": "-1"}, "amount", "金额不能为负数"),
        ({"amount": "20000"}, "amount", "超过 10000 亿元"),
        ({"amount": "0.00001"}, "amount", "最多保留 4 位小数"),
        ({"arrived_on": "2999-01-01"}, "arrived_on", "不能晚于今天"),
        ({"arrived_on": ""}, "arrived_on", "必填"),
    ],
)
def test_it_refuses_a_wrong_entry_with_the_message_next_to_the_field(world, data, field, message):
    project = ProjectFactory(lead_unit=world["lead"])
    response = add(world["staff"], project, **{"arrived_on": "2021-06-30", "amount": "1", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["arrival_form"].errors[field])
    assert message in response.content.decode()
    assert not Arrival.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("回单.pdf", PDF), ("照片.PNG", PNG), ("扫描.jpg", JPEG), ("扫描.jpeg", JPEG)],
)
def test_it_keeps_an_evidence_file_under_a_random_name(world, media, name, content):
    project = ProjectFactory(lead_unit=world["lead"])
    add(world["staff"], project, arrived_on="2021-06-30", amount="1", evidence=SimpleUploadedFile(name, content))
    arrival = Arrival.objects.get()
    assert arrival.evidence_name == name
    stored = arrival.evidence.name
    assert stored.startswith(f"evidence/{project.pk}/") and name.rsplit(".", 1)[0] not in stored
    assert (media / stored).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("回单.exe", b"MZ\x90\x00", "凭证只能是 pdf、jpg、jpeg、png 文件"),
        ("回单.html", b"<html><script>", "凭证只能是"),
        ("回单", PDF, "凭证只能是"),
        ("回单.pdf", b"<html><script>alert(1)</script>", "不是真正的 PDF 文件"),
        ("回单.png", PDF, "不是真正的 PNG 文件"),
        ("回单.jpg", PNG, "不是真正的 JPG 文件"),
    ],
)
def test_it_refuses_an_evidence_file_by_extension_and_by_content(world, media, name, content, message):
    project = ProjectFactory(lead_unit=world["lead"])
    response = add(world["staff"], project, arrived_on="2021-06-30", amount="1", evidence=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in " ".join(response.context["arrival_form"].errors["evidence"])
    assert not Arrival.objects.exists() and not list(media.rglob("*.*"))


def test_it_refuses_an_evidence_file_over_the_size_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    project = ProjectFactory(lead_unit=world["lead"])
    big = SimpleUploadedFile("回单.pdf", PDF + b"0" * 1024)
    response = add(world["staff"], project, arrived_on="2021-06-30", amount="1", evidence=big)
    assert "凭证文件过大" in " ".join(response.context["arrival_form"].errors["evidence"])
    assert not Arrival.objects.exists()


def test_the_evidence_is_a_download_with_its_original_name(world):
    project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]])
    add(world["staff"], project, arrived_on="2021-06-30", amount="1", evidence=SimpleUploadedFile("银行回单 6月.pdf", PDF))
    arrival = Arrival.objects.get()
    url = reverse("arrival_evidence", args=[project.pk, arrival.pk])
    for role in ("staff", "partner_staff", "reviewer", "leader"):
        response = client_for(world[role]).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E9%93%B6%E8%A1%8C%E5%9B%9E%E5%8D%95%206%E6%9C%88.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world["stranger"]).get(url).status_code == 404


def test_the_evidence_answers_404_without_a_file_or_for_another_projects_entry(world):
    project = ProjectFactory(lead_unit=world["lead"])
    without = ArrivalFactory(project=project)
    elsewhere = ArrivalFactory(project=ProjectFactory(lead_unit=world["lead"]))
    client = client_for(world["staff"])
    assert client.get(reverse("arrival_evidence", args=[project.pk, without.pk])).status_code == 404
    assert client.get(reverse("arrival_evidence", args=[project.pk, elsewhere.pk])).status_code == 404


def test_a_reviewer_verifies_an_entry(world):
    project = ProjectFactory(lead_unit=world["lead"])
    arrival = ArrivalFactory(project=project, verified=False)
    url = reverse("arrival_verify", args=[project.pk, arrival.pk])
    assert client_for(world["staff"]).post(url).status_code == 403
    response = client_for(world["reviewer"]).post(url)
    assert response.status_code == 302
    arrival.refresh_from_db()
    assert arrival.verified and arrival.verified_by == world["reviewer"] and arrival.verified_at is not None
    first_time = arrival.verified_at
    client_for(world["reviewer"]).post(url)
    arrival.refresh_from_db()
    assert arrival.verified_at == first_time  # verifying twice changes nothing


def test_cooperating_staff_and_leaders_may_not_add_entries(world):
    project = ProjectFactory(lead_unit=world["lead"], cooperating=[world["partner"]])
    for role in ("partner_staff", "leader"):
        assert add(world[role], project, arrived_on="2021-06-30", amount="1").status_code == 403
    assert not Arrival.objects.exists()


def test_a_withdrawn_project_takes_no_entries(world):
    project = ProjectFactory(lead_unit=world["lead"], status=Status.WITHDRAWN)
    assert add(world["reviewer"], project, arrived_on="2021-06-30", amount="1").status_code == 403


# --- Query count: constant in the ledger and history sizes -----------------------------------


# session, user, role (groups; for staff also membership and unit), project, its cooperations, arrivals, rule set,
# same investor (for staff also which they may open), history of project / cooperations / arrivals, units, users;
# for reviewers also their unread notifications (the menu's badge); the lead unit's 协议资金 target (is the
# amount unusual, 金额已核对); the menu's to-do counts; the organisation (the page's title); the
# milestones (the timeline and the stage) and their history (landing); the supplementary agreements and the
# investor's approved projects the user may see (是否为已有项目的补充协议？), and the agreements' history
QUERIES_FOR_STAFF = 23
QUERIES_FOR_REVIEWER = 22


def grow(project, world, n: int) -> None:
    """n arrivals (half verified, with evidence) and n edits: n more rows in the ledger and ~2n in the history."""
    for i in range(n):
        arrival = services.add_arrival(
            project=project,
            user=world["staff"],
            arrived_on=datetime.date(2021, 4, 1) + datetime.timedelta(days=i),
            amount=Decimal("0.1"),
            note=f"第{i}笔",
            evidence=SimpleUploadedFile(f"{i}.pdf", PDF),
        )
        if i % 2:
            services.verify_arrival(arrival=arrival, user=world["reviewer"])
        project.refresh_from_db()
        services.update_project(
            project=project,
            user=world["reviewer"],
            facts={"name": f"名称{i}", "group": None},
            cooperating_unit_ids=[world["partner"].pk] if i % 2 else [],
            version=project.version,
        )


@pytest.mark.parametrize(("role", "queries"), [("staff", QUERIES_FOR_STAFF), ("reviewer", QUERIES_FOR_REVIEWER)])
@pytest.mark.parametrize("size", [2, 12])
def test_the_query_count_does_not_grow_with_arrivals_and_history(world, django_assert_num_queries, role, queries, size):
    project = ProjectFactory(lead_unit=world["lead"], investor="某某集团", status=Status.SUBMITTED)
    ProjectFactory(lead_unit=world["partner"], investor="某某集团")  # a same-investor warning to show
    grow(project, world, size)
    client = client_for(world[role])
    with django_assert_num_queries(queries):
        response = client.get(reverse("project_detail", args=[project.pk]))
    assert len(response.context["arrivals"]) == size and len(response.context["history"]) >= 2 * size
