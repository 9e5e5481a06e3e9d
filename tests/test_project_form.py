"""The project form: create and edit, server-side checks, the score preview, the same-investor
warning, and "never lose an edit" (a version checked on save)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from projects.models import ZERO_AGREEMENT_CAPITAL, Origin, Project, Sector, Status
from tests.factories import client_for, OrganisationFactory, ProjectFactory, RuleSetFactory, SpecialGroupFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    OrganisationFactory()  # codes FL<year>-NNNNN
    return {"a": UnitFactory(name="甲园区"), "b": UnitFactory(name="乙园区"), "c": UnitFactory(name="丙部门")}


@pytest.fixture
def staff(units):
    return user_with_role(Role.STAFF, units["a"], username="staff_a", first_name="张", last_name="")


@pytest.fixture
def reviewer():
    return user_with_role(Role.REVIEWER, username="reviewer", first_name="审核员李")


def form_data(**overrides) -> dict:
    data = {
        "code": "",
        "name": "新材料产业园",
        "investor": "重庆某某实业有限公司",
        "sector": Sector.INDUSTRIAL,
        "origin": Origin.OUTSIDE_CITY,
        "agreement_capital": "12.5",
        "expected_output": "",
        "signed_on": "2021-05-10",
        "group": "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


# --- Creating ---------------------------------------------------------------------------


def test_staff_create_a_draft_for_their_own_unit(staff, units):
    response = client_for(staff).post(reverse("project_create"), form_data(cooperating_units=[units["b"].pk]))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert (project.lead_unit, project.status, project.created_by) == (units["a"], Status.DRAFT, staff)
    assert [c.unit for c in project.cooperations.all()] == [units["b"]]
    assert project.cooperating_count == 1 and project.version == 1


def test_invisible_control_characters_pasted_into_the_texts_are_not_kept(staff):
    data = form_data(code="FL2021-00009\x01", name="\x01=HYPERLINK(\"x\")\x7f", investor="某某\x00\t集团\n有限公司")
    client_for(staff).post(reverse("project_create"), data)

    project = Project.objects.get()
    assert (project.code, project.name, project.investor) == ("FL2021-00009", '=HYPERLINK("x")', "某某 集团 有限公司")


def test_staff_cannot_choose_another_lead_unit(staff, units):
    page = client_for(staff).get(reverse("project_create"))
    assert "lead_unit" not in page.context["form"].fields
    assert "甲园区" in page.content.decode()
    client_for(staff).post(reverse("project_create"), form_data(lead_unit=units["b"].pk))
    assert Project.objects.get().lead_unit == units["a"]


def test_a_reviewer_chooses_the_lead_unit_and_the_project_goes_to_the_review_queue(reviewer, units):
    client_for(reviewer).post(reverse("project_create"), form_data(lead_unit=units["b"].pk))
    project = Project.objects.get()
    assert project.lead_unit == units["b"]
    assert project.status == Status.SUBMITTED and project.submitted_at is not None


def test_a_reviewer_must_choose_a_lead_unit(reviewer):
    response = client_for(reviewer).post(reverse("project_create"), form_data())
    assert response.status_code == 200 and errors_of(response, "lead_unit")
    assert not Project.objects.exists()


def test_leaders_may_not_create(units):
    leader = user_with_role(Role.LEADER, username="leader")
    assert client_for(leader).get(reverse("project_create")).status_code == 403
    assert client_for(leader).post(reverse("project_create"), form_data()).status_code == 403


def test_staff_without_a_unit_may_not_create():
    orphan = user_with_role(Role.STAFF, username="orphan")
    assert client_for(orphan).get(reverse("project_create")).status_code == 403


def test_a_blank_code_is_generated_from_the_signing_years_sequence(staff):
    ProjectFactory(code="FL2021-00001")  # taken: skipped
    ProjectFactory(code="FL2022-00100")  # given explicitly: does not move the 2022 sequence
    client = client_for(staff)
    client.post(reverse("project_create"), form_data(name="甲"))
    client.post(reverse("project_create"), form_data(name="乙", signed_on="2022-01-05"))
    client.post(reverse("project_create"), form_data(name="丙"))
    codes = dict(Project.objects.filter(name__in=["甲", "乙", "丙"]).values_list("name", "code"))
    assert codes == {"甲": "FL2021-00002", "乙": "FL2022-00001", "丙": "FL2021-00003"}


def test_an_explicit_code_far_above_the_sequence_does_not_move_it(staff):
    client = client_for(staff)
    client.post(reverse("project_create"), form_data(name="甲"))
    client.post(reverse("project_create"), form_data(name="乙", code="FL2021-90000"))
    client.post(reverse("project_create"), form_data(name="丙"))
    codes = dict(Project.objects.values_list("name", "code"))
    assert codes == {"甲": "FL2021-00001", "乙": "FL2021-90000", "丙": "FL2021-00002"}


def test_the_code_help_and_the_origin_help_name_the_organisations_prefix_and_places(staff):
    page = client_for(staff).get(reverse("project_create")).content.decode()
    assert "如 FL2021-00001" in page
    assert "市外（重庆市以外，含境外）、区外市内（重庆市内、涪陵区外）或 区内（涪陵区内）。" in page


def test_an_unsigned_project_gets_a_code_of_this_year(staff):
    client_for(staff).post(reverse("project_create"), form_data(signed_on=""))
    assert Project.objects.get().code == f"FL{timezone.localdate().year}-00001"


def test_a_code_already_in_use_is_refused(staff):
    ProjectFactory(code="FL2021-00001")
    response = client_for(staff).post(reverse("project_create"), form_data(code="FL2021-00001"))
    assert response.status_code == 200 and errors_of(response, "code")
    assert Project.objects.count() == 1


# --- Server-side checks, with the message next to the field ----------------------------


def test_it_refuses_a_cooperating_unit_equal_to_the_lead(staff, units):
    response = client_for(staff).post(reverse("project_create"), form_data(cooperating_units=[units["a"].pk, units["b"].pk]))
    assert any("配合单位不能是牵头单位本身" in error for error in errors_of(response, "cooperating_units"))
    assert not Project.objects.exists()


def test_it_refuses_a_cooperating_unit_equal_to_the_lead_a_reviewer_chose(reviewer, units):
    data = form_data(lead_unit=units["c"].pk, cooperating_units=[units["c"].pk])
    response = client_for(reviewer).post(reverse("project_create"), data)
    assert any("配合单位不能是牵头单位本身" in error for error in errors_of(response, "cooperating_units"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agreement_capital", "-1", "金额不能为负数"),
        ("agreement_capital", "10000.0001", "超过 10000 亿元"),
        ("agreement_capital", "150000000", "请检查是否按万元或元填写"),
        ("agreement_capital", "1.23456", "最多保留 4 位小数"),
        ("agreement_capital", "一百", "请输入数字"),
        ("agreement_capital", "", "必填"),
        ("expected_output", "-0.5", "金额不能为负数"),
        ("expected_output", "20000", "超过 10000 亿元"),
        ("signed_on", "1999-12-31", "不能早于 2000 年"),
        ("signed_on", "2021-02-30", ""),
        ("name", "", "必填"),
    ],
)
def test_it_refuses_a_wrong_value_with_a_message_next_to_the_field(staff, field, value, message):
    response = client_for(staff).post(reverse("project_create"), form_data(**{field: value}))
    assert response.status_code == 200
    errors = errors_of(response, field)
    assert errors and message in " ".join(errors)
    assert '<p class="error" role="alert">' in response.content.decode()
    assert not Project.objects.exists()


def test_it_refuses_a_signing_date_more_than_30_days_ahead(staff):
    today = timezone.localdate()
    too_late = today + datetime.timedelta(days=31)
    response = client_for(staff).post(reverse("project_create"), form_data(signed_on=too_late.isoformat()))
    assert "不能晚于今天之后 30 天" in " ".join(errors_of(response, "signed_on"))
    just_in = today + datetime.timedelta(days=30)
    client_for(staff).post(reverse("project_create"), form_data(signed_on=just_in.isoformat()))
    assert Project.objects.get().signed_on == just_in


def test_it_accepts_trailing_zeros_and_the_largest_plausible_amount(staff):
    client = client_for(staff)
    client.post(reverse("project_create"), form_data(name="零头", agreement_capital="1.50000"))
    client.post(reverse("project_create"), form_data(name="大", agreement_capital="10000", expected_output="0.0001"))
    amounts = dict(Project.objects.values_list("name", "agreement_capital"))
    assert amounts == {"零头": Decimal("1.5"), "大": Decimal(10000)}


@pytest.mark.parametrize("value", ["0", "0.0000", "-0"])
def test_a_zero_agreement_capital_is_refused_even_for_a_draft(staff, value):
    response = client_for(staff).post(reverse("project_create"), form_data(agreement_capital=value))
    assert errors_of(response, "agreement_capital") == [ZERO_AGREEMENT_CAPITAL]
    assert not Project.objects.exists()


def test_an_approved_project_keeps_its_signing_date(reviewer, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.APPROVED)
    data = form_data(code=project.code, lead_unit=units["a"].pk, signed_on="", version=project.version)
    response = client_for(reviewer).post(reverse("project_edit", args=[project.pk]), data)
    assert response.status_code == 200
    assert "已审核的项目必须有签约日期" in " ".join(errors_of(response, "signed_on"))
    project.refresh_from_db()
    assert project.signed_on == datetime.date(2021, 3, 15)


# --- The score preview: shown, never saved ----------------------------------------------


def preview(client, url, **overrides):
    return client.post(url, {**form_data(**overrides), "preview": "1"})


def test_preview_shows_tier_and_credit_per_unit_without_saving(staff, units):
    RuleSetFactory(year=2021)
    response = preview(
        client_for(staff),
        reverse("project_create"),
        origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL,
        agreement_capital="12",
        cooperating_units=[units["b"].pk],
    )
    assert response.status_code == 200 and not Project.objects.exists()
    result = response.context["preview"]
    assert result.tier.label == "较大项目" and result.counts
    credits = [(credit.unit.name, credit.lead, credit.agreement_capital) for credit in result.credits]
    assert credits == [("甲园区", True, Decimal("1.92")), ("乙园区", False, Decimal("0.48"))]
    page = response.content.decode()
    assert "较大项目" in page and "1.92" in page and "0.48" in page and "尚未保存" in page
    assert 'value="新材料产业园"' in page  # what was typed stays on the form


def test_preview_splits_the_cooperating_share_equally(staff, units):
    RuleSetFactory(year=2021)
    data = {"agreement_capital": "25", "cooperating_units": [units["b"].pk, units["c"].pk]}
    result = preview(client_for(staff), reverse("project_create"), **data).context["preview"]
    assert result.tier.label == "重大项目"
    assert [credit.agreement_capital for credit in result.credits] == [Decimal(20), Decimal("2.5"), Decimal("2.5")]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"origin": Origin.INSIDE_DISTRICT}, "权重为 0"),
        ({"agreement_capital": "0.1"}, "未达工业一般项目标准（0.2 亿元）"),
        ({"agreement_capital": "0.01", "sector": Sector.NON_INDUSTRIAL}, "未达非工业一般项目标准（0.05 亿元）"),
        ({"signed_on": "2020-06-01"}, "2020年尚未设置考核规则"),
        ({"signed_on": ""}, "尚未填写签约日期"),
    ],
)
def test_preview_says_why_a_project_would_not_count(staff, overrides, reason):
    RuleSetFactory(year=2021)
    response = preview(client_for(staff), reverse("project_create"), **overrides)
    result = response.context["preview"]
    assert not result.counts and reason in result.reason and not result.credits
    assert "不计入考核" in response.content.decode()


def test_preview_uses_the_rule_set_of_the_signing_year(staff):
    RuleSetFactory(year=2021)
    RuleSetFactory(year=2022, key_investment=Decimal(5))
    client = client_for(staff)
    assert preview(client, reverse("project_create"), agreement_capital="3").context["preview"].tier.label == "重点项目"
    later = preview(client, reverse("project_create"), agreement_capital="3", signed_on="2022-01-10").context["preview"]
    assert later.tier.label == "一般项目" and later.year == 2022


def test_preview_of_an_invalid_form_shows_the_errors_instead(staff):
    response = preview(client_for(staff), reverse("project_create"), agreement_capital="-3")
    assert response.context["preview"] is None and errors_of(response, "agreement_capital")
    assert "请先改正" in response.content.decode()


def test_preview_on_the_edit_page_saves_nothing(staff, units):
    RuleSetFactory(year=2021)
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT)
    url = reverse("project_edit", args=[project.pk])
    response = preview(client_for(staff), url, code=project.code, agreement_capital="30", version=project.version)
    assert response.context["preview"].tier.label == "重大项目"
    project.refresh_from_db()
    assert project.agreement_capital == Decimal(1) and project.version == 1


# --- Same investor, same year: a warning, not a block -----------------------------------


def test_it_warns_about_the_same_investor_in_the_same_year_and_still_saves(staff, units):
    ProjectFactory(code="FL2021-00009", name="别家项目", lead_unit=units["b"], investor="重庆某某 实业有限公司")
    own = ProjectFactory(code="FL2021-00010", name="自家项目", lead_unit=units["a"], investor="重庆某某实业有限公司")
    ProjectFactory(code="FL2021-00011", investor="重庆某某实业有限公司", status=Status.WITHDRAWN)
    ProjectFactory(code="FL2020-00001", investor="重庆某某实业有限公司", signed_on=datetime.date(2020, 5, 1))
    client = client_for(staff)
    warned = preview(client, reverse("project_create"), investor=" 重庆某某实业有限公司 ")
    duplicates = warned.context["duplicates"]
    assert [match.code for match in duplicates.visible] == ["FL2021-00010"] and duplicates.others == 1
    page = warned.content.decode()
    assert "注意可能重复计数" in page and reverse("project_detail", args=[own.pk]) in page
    assert "另有 1 个其他单位的项目投资方相同，审核员会核对。" in page
    saved = client.post(reverse("project_create"), form_data(investor="重庆某某实业有限公司"))
    assert saved.status_code == 302 and Project.objects.filter(name="新材料产业园").exists()


def test_the_investor_match_ignores_case_and_spaces(reviewer, units):
    ProjectFactory(code="FL2021-00001", investor="ACME Holdings Ltd", lead_unit=units["b"])
    response = preview(client_for(reviewer), reverse("project_create"), investor="acme  holdingsltd", lead_unit=units["a"].pk)
    duplicates = response.context["duplicates"]
    assert [match.code for match in duplicates.visible] == ["FL2021-00001"] and duplicates.others == 0


def test_another_units_project_with_the_same_investor_is_counted_never_named(staff, reviewer, units):
    hidden = ProjectFactory(code="FL2021-00077", name="乙园区的秘密项目", lead_unit=units["b"], investor="共同投资方")
    own = ProjectFactory(code="FL2021-00078", name="自家项目", lead_unit=units["a"], status=Status.DRAFT, investor="共同投资方")
    client = client_for(staff)
    pages = {
        "preview": preview(client, reverse("project_create"), investor="共同投资方").content.decode(),
        "form": client.get(reverse("project_edit", args=[own.pk])).content.decode(),
        "detail": client.get(reverse("project_detail", args=[own.pk])).content.decode(),
    }
    for where, page in pages.items():
        assert "另有 1 个其他单位的项目投资方相同，审核员会核对。" in page, where
        for secret in (hidden.code, hidden.name, "牵头单位：乙园区", reverse("project_detail", args=[hidden.pk])):
            assert secret not in page, (where, secret)
    seen_by_reviewer = client_for(reviewer).get(reverse("project_detail", args=[own.pk])).content.decode()
    assert hidden.code in seen_by_reviewer and hidden.name in seen_by_reviewer and "牵头单位：乙园区" in seen_by_reviewer
    assert "其他单位的项目投资方相同" not in seen_by_reviewer


def test_the_warning_shows_in_the_preview_before_anything_is_saved(staff, units):
    ProjectFactory(code="FL2021-00010", name="自家旧项目", lead_unit=units["a"], investor="某投资方")
    page = preview(client_for(staff), reverse("project_create"), investor="某投资方").content.decode()
    assert "注意可能重复计数" in page and "FL2021-00010 自家旧项目" in page
    assert not Project.objects.filter(name="新材料产业园").exists()


def test_there_is_no_warning_for_another_investor_or_the_project_itself(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, investor="唯一投资方")
    ProjectFactory(investor="另一家公司")
    page = client_for(staff).get(reverse("project_edit", args=[project.pk]))
    assert page.context["duplicates"] is None and "注意可能重复计数" not in page.content.decode()


# --- Editing, and never losing an edit ---------------------------------------------------


def edit_data(project, **overrides) -> dict:
    stored = {
        "code": project.code,
        "name": project.name,
        "investor": project.investor,
        "agreement_capital": str(project.agreement_capital),
        "version": project.version,
    }
    return form_data(**{**stored, **overrides})


def test_the_edit_form_shows_the_stored_values_and_the_version(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, cooperating=[units["c"]], version=4)
    page = client_for(staff).get(reverse("project_edit", args=[project.pk]))
    form = page.context["form"]
    assert form["version"].value() == 4 and form["cooperating_units"].value() == [units["c"].pk]
    html = page.content.decode()
    assert 'name="version" value="4"' in html and project.code in html


def test_an_edit_is_saved_and_the_version_goes_up(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT)
    data = edit_data(project, name="改名后的项目", agreement_capital="3.25", cooperating_units=[units["b"].pk])
    response = client_for(staff).post(reverse("project_edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.agreement_capital, project.version) == ("改名后的项目", Decimal("3.25"), 2)
    assert project.lead_unit == units["a"] and project.cooperating_count == 1


def test_of_two_people_editing_the_same_project_the_second_is_refused_and_the_first_change_stays(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, name="原名")
    colleague = user_with_role(Role.REVIEWER, username="colleague", first_name="王五")
    first, second = client_for(colleague), client_for(staff)
    url = reverse("project_edit", args=[project.pk])
    first_form, second_form = first.get(url).context["form"], second.get(url).context["form"]
    assert first_form["version"].value() == second_form["version"].value() == 1

    saved = first.post(url, edit_data(project, name="第一人的修改", lead_unit=units["a"].pk))
    refused = second.post(url, edit_data(project, name="第二人的修改", agreement_capital="7.5"))

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    when = timezone.localtime(Project.objects.get().updated_at).strftime("%H:%M")
    assert f"该项目已被 王五 于 {when} 修改，您的修改未保存；请刷新后重新填写" in page
    assert 'value="第二人的修改"' in page and 'value="7.5"' in page  # nothing typed is lost
    project.refresh_from_db()
    assert (project.name, project.agreement_capital, project.version) == ("第一人的修改", Decimal(1), 2)


def test_saving_the_refused_form_again_is_refused_again(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT, version=1)
    Project.objects.filter(pk=project.pk).update(version=2)
    url = reverse("project_edit", args=[project.pk])
    client = client_for(staff)
    for _ in range(2):
        response = client.post(url, edit_data(project, name="过时的修改"))
        assert response.status_code == 409
        assert 'name="version" value="1"' in response.content.decode()
    assert Project.objects.get().name != "过时的修改"


def test_an_edit_without_a_version_is_not_saved(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.DRAFT)
    data = edit_data(project, name="无版本号")
    del data["version"]
    response = client_for(staff).post(reverse("project_edit", args=[project.pk]), data)
    assert response.status_code == 200 and "页面缺少版本号" in response.content.decode()
    assert Project.objects.get().name != "无版本号"


def test_a_submitted_project_cannot_be_edited_by_its_staff_but_by_a_reviewer(staff, reviewer, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.SUBMITTED)
    url = reverse("project_edit", args=[project.pk])
    assert client_for(staff).get(url).status_code == 403
    assert client_for(staff).post(url, edit_data(project, name="偷偷改")).status_code == 403
    response = client_for(reviewer).post(url, edit_data(project, name="审核员改", lead_unit=units["a"].pk))
    assert response.status_code == 302 and Project.objects.get().name == "审核员改"


def test_a_withdrawn_project_cannot_be_edited(reviewer, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.WITHDRAWN)
    assert client_for(reviewer).get(reverse("project_edit", args=[project.pk])).status_code == 403


def test_a_reviewer_may_move_the_lead_to_a_former_cooperating_unit(reviewer, units):
    project = ProjectFactory(lead_unit=units["a"], cooperating=[units["b"]])
    data = edit_data(project, lead_unit=units["b"].pk, cooperating_units=[units["a"].pk])
    assert client_for(reviewer).post(reverse("project_edit", args=[project.pk]), data).status_code == 302
    project.refresh_from_db()
    assert project.lead_unit == units["b"] and [c.unit for c in project.cooperations.all()] == [units["a"]]


def test_the_edit_page_shows_the_return_reason(staff, units):
    project = ProjectFactory(lead_unit=units["a"], status=Status.RETURNED, return_reason="请补充投资协议扫描件")
    page = client_for(staff).get(reverse("project_edit", args=[project.pk])).content.decode()
    assert "招商局退回了该项目" in page and "请补充投资协议扫描件" in page


def test_the_form_offers_the_special_groups(staff):
    group = SpecialGroupFactory(name="新材料招商组")
    page = client_for(staff).get(reverse("project_create")).content.decode()
    assert "新材料招商组" in page
    client_for(staff).post(reverse("project_create"), form_data(group=group.pk))
    assert Project.objects.get().group == group
