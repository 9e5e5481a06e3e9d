"""The activity ledger's pages (招商活动台账): the list and its filters, one activity, its form
from a lead's page, its deletion and its attachment, per role; a lead's last-activity date
following its activities; a list whose query count does not grow with the rows."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from access import permissions
from access.roles import Role, access_of
from leads import services
from leads.forms import leads_to_record_for
from leads.models import Activity, ActivityKind
from targets.models import UnitKind
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    SpecialGroupFactory,
    TargetEnterpriseFactory,
    UnitFactory,
    client_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%%EOF\n"
# The session, the user, their groups and unit, the count, the organisation, the to-do block,
# the unit filter's choices, the rows with their unit, lead and enterprise.
LIST_QUERIES = 9


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def world(media):
    own, other, landing = UnitFactory(name="甲园区"), UnitFactory(name="乙园区"), UnitFactory(name="丙园区")
    group = SpecialGroupFactory()
    group.landing_units.set([landing])
    return {
        "own": own,
        "other": other,
        "landing": landing,
        "group": group,
        "staff": user_with_role(Role.STAFF, own, username="staff"),
        "other_staff": user_with_role(Role.STAFF, other, username="other"),
        "landing_staff": user_with_role(Role.STAFF, landing, username="landing"),
        "reviewer": user_with_role(Role.REVIEWER, username="reviewer"),
        "leader": user_with_role(Role.LEADER, username="leader"),
    }


def facts(**overrides) -> dict:
    data = {"kind": ActivityKind.VISIT_OUT, "date": days_ago(1).isoformat(), "summary": "拜访企业总部"}
    return {**data, "participants": "张三", "place": "深圳", **overrides}


def pdf(name="纪要.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def create(user, data, query=""):
    return client_for(user).post(reverse("activity_create") + query, data)


# --- Who sees what ---------------------------------------------------------------------------------


def test_staff_see_their_units_activities_and_those_of_leads_they_follow(world):
    mine = ActivityFactory(unit=world["own"], summary="本单位活动")
    followed = ActivityFactory(unit=world["other"], lead=LeadFactory(owner_unit=world["other"], group=world["group"]))
    ActivityFactory(unit=world["other"], summary="别的单位的活动")
    assert set(Activity.objects.visible_to(world["staff"])) == {mine}
    assert set(Activity.objects.visible_to(world["landing_staff"])) == {followed}
    assert Activity.objects.visible_to(world["leader"]).count() == 3
    assert Activity.objects.visible_to(world["reviewer"]).count() == 3


def test_a_user_without_a_role_sees_no_activity(world, django_user_model):
    ActivityFactory(unit=world["own"])
    assert not Activity.objects.visible_to(django_user_model.objects.create_user("nobody"))


def test_another_units_activity_answers_404(world):
    activity = ActivityFactory(unit=world["own"])
    for name in ("activity_detail", "activity_edit", "activity_attachment"):
        assert client_for(world["other_staff"]).get(reverse(name, args=[activity.pk])).status_code == 404
    assert client_for(world["other_staff"]).post(reverse("activity_delete", args=[activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_owner_unit_reviewer_and_leader_read_it_and_only_the_leader_may_not_change_it(world):
    activity = ActivityFactory(unit=world["own"], summary="赴深圳拜访")
    for role in ("staff", "reviewer", "leader"):
        response = client_for(world[role]).get(reverse("activity_detail", args=[activity.pk]))
        assert response.status_code == 200
        assert "赴深圳拜访" in response.content.decode()
        assert (reverse("activity_edit", args=[activity.pk]) in response.content.decode()) is (role != "leader")
    assert client_for(world["leader"]).get(reverse("activity_edit", args=[activity.pk])).status_code == 403
    assert client_for(world["leader"]).post(reverse("activity_delete", args=[activity.pk])).status_code == 403
    assert client_for(world["leader"]).get(reverse("activity_create")).status_code == 403


def test_a_landing_units_staff_read_a_followed_leads_activity_but_do_not_change_it(world):
    lead = LeadFactory(owner_unit=world["other"], group=world["group"])
    activity = ActivityFactory(unit=world["other"], lead=lead)
    client = client_for(world["landing_staff"])
    assert client.get(reverse("activity_detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("activity_edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("activity_delete", args=[activity.pk])).status_code == 403



def test_the_leads_offered_to_record_for_are_those_the_predicate_allows(world):
    leads = [LeadFactory(owner_unit=world["own"]), LeadFactory(owner_unit=world["other"], group=world["group"])]
    for role in ("staff", "other_staff", "landing_staff", "reviewer", "leader"):
        user = world[role]
        offered = set(leads_to_record_for(user))
        for lead in leads:
            allowed = permissions.can_record_activity_for(access_of(user), lead)
            assert (lead in offered) is allowed, (role, lead)
    assert not permissions.records_activities(access_of(world["leader"]))

# --- Recording one, from a lead's page ------------------------------------------------------------------


def test_the_lead_page_offers_to_record_an_activity_for_it(world):
    lead = LeadFactory(owner_unit=world["own"])
    page = client_for(world["staff"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert f"{reverse('activity_create')}?lead={lead.pk}" in page
    page = client_for(world["leader"]).get(reverse("lead_detail", args=[lead.pk])).content.decode()
    assert f"{reverse('activity_create')}?lead={lead.pk}" not in page


def test_the_form_from_a_lead_is_prefilled_with_the_lead_and_its_enterprise(world):
    enterprise = TargetEnterpriseFactory()
    lead = LeadFactory(owner_unit=world["own"], enterprise=enterprise)
    form = client_for(world["staff"]).get(reverse("activity_create") + f"?lead={lead.pk}").context["form"]
    assert form.initial["lead"] == lead
    assert form.initial["enterprise"] == enterprise


def test_recording_from_a_lead_moves_its_last_activity_date_and_goes_back_to_the_lead(world):
    lead = LeadFactory(owner_unit=world["own"], last_activity_on=days_ago(10))
    response = create(world["staff"], facts(lead=lead.code, date=days_ago(2).isoformat()), query=f"?lead={lead.pk}")
    assert response.status_code == 302
    assert response["Location"] == reverse("lead_detail", args=[lead.pk])
    activity = Activity.objects.get()
    assert (activity.unit, activity.lead, activity.created_by) == (world["own"], lead, world["staff"])
    lead.refresh_from_db()
    assert lead.last_activity_on == days_ago(2)
    assert activity.history.get().history_user == world["staff"]


def test_an_older_activity_does_not_move_the_last_activity_date_back(world):
    lead = LeadFactory(owner_unit=world["own"], last_activity_on=days_ago(1))
    create(world["staff"], facts(lead=lead.code, date=days_ago(20).isoformat()))
    lead.refresh_from_db()
    assert lead.last_activity_on == days_ago(1)


def test_recording_without_a_lead_goes_to_the_activity(world):
    response = create(world["staff"], facts())
    assert response["Location"] == reverse("activity_detail", args=[Activity.objects.get().pk])


def test_recording_from_an_enterprise_goes_back_to_it(world):
    enterprise = TargetEnterpriseFactory()
    response = create(world["staff"], facts(enterprise=enterprise.name), query=f"?enterprise={enterprise.pk}")
    assert response["Location"] == reverse("enterprise_detail", args=[enterprise.pk])
    page = client_for(world["staff"]).get(reverse("enterprise_detail", args=[enterprise.pk])).content.decode()
    assert "拜访企业总部" in page
    assert f"{reverse('activity_create')}?enterprise={enterprise.pk}" in page


def test_staff_record_for_their_own_unit_whatever_they_post(world):
    create(world["staff"], facts(unit=world["other"].pk))
    assert Activity.objects.get().unit == world["own"]


def test_a_landing_units_staff_do_not_record_for_a_lead_they_only_follow(world):
    lead = LeadFactory(owner_unit=world["other"], group=world["group"])
    form = client_for(world["landing_staff"]).get(reverse("activity_create") + f"?lead={lead.pk}").context["form"]
    assert form.initial["lead"] is None
    assert lead not in form.fields["lead"].queryset
    assert "没有这个编号的线索，或您无权为它登记活动" in errors_of(create(world["landing_staff"], facts(lead=lead.code)))


def test_reviewers_record_for_any_lead_under_any_unit(world):
    lead = LeadFactory(owner_unit=world["other"])
    assert create(world["reviewer"], facts(unit=world["own"].pk, lead=lead.code)).status_code == 302
    lead.refresh_from_db()
    assert lead.last_activity_on == days_ago(1)


def test_reviewers_record_for_any_assessed_unit_and_are_offered_no_other(world):
    outside = UnitFactory(name="其他单位", kind=UnitKind.OTHER)
    retired = UnitFactory(name="撤并单位", is_active=False)
    form = client_for(world["reviewer"]).get(reverse("activity_create")).context["form"]
    offered = set(form.fields["unit"].queryset)
    assert {world["own"], world["other"]} <= offered
    assert not {outside, retired} & offered
    assert create(world["reviewer"], facts(unit=world["other"].pk)).status_code == 302
    assert Activity.objects.get().unit == world["other"]
    response = create(world["reviewer"], facts(unit=outside.pk))
    assert "请选择有效的单位" in response.content.decode()


# --- Bad input ---------------------------------------------------------------------------------------


def errors_of(response) -> str:
    assert response.status_code == 200
    assert not Activity.objects.exists()
    return response.content.decode()


def test_a_summary_is_required(world):
    assert "请填写事由" in errors_of(create(world["staff"], facts(summary="  ")))


def test_an_activity_cannot_be_dated_after_today(world):
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert "活动日期不能晚于今天" in errors_of(create(world["staff"], facts(date=tomorrow)))


def test_today_is_a_valid_date(world):
    assert create(world["staff"], facts(date=TODAY.isoformat())).status_code == 302


def test_a_lead_is_typed_by_its_code_in_any_case_and_the_form_lists_no_leads(world):
    lead = LeadFactory(owner_unit=world["own"], code="XS2021-00042")
    LeadFactory.create_batch(3, owner_unit=world["own"])
    page = client_for(world["staff"]).get(reverse("activity_create")).content.decode()
    assert "<option" not in page.split('name="lead"')[1][:200]
    assert create(world["staff"], facts(lead=" xs2021-00042 ")).status_code == 302
    assert Activity.objects.get().lead == lead


def test_another_units_lead_forged_into_the_form_is_refused(world):
    theirs = LeadFactory(owner_unit=world["other"])
    assert "没有这个编号的线索，或您无权为它登记活动" in errors_of(create(world["staff"], facts(lead=theirs.code)))
    theirs.refresh_from_db()
    assert theirs.last_activity_on is None


def test_an_unknown_enterprise_is_refused(world):
    assert "企业库中没有这家企业" in errors_of(create(world["staff"], facts(enterprise=999999)))


def test_an_attachment_of_another_kind_is_refused(world):
    upload = SimpleUploadedFile("名单.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    errors = errors_of(create(world["staff"], facts(attachment=upload)))
    assert "附件只能是" in errors and "签到表" in errors and "银行回单" not in errors


def test_a_too_big_attachment_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assert "附件文件过大" in errors_of(create(world["staff"], facts(attachment=pdf(body=PDF + b"x" * 2000))))


def test_an_attachment_whose_content_is_not_what_its_name_says_is_refused(world):
    assert "不是真正的 PDF" in errors_of(create(world["staff"], facts(attachment=pdf(body=b"hello"))))


# --- The attachment ------------------------------------------------------------------------------------


def test_the_attachment_is_kept_under_a_random_name_and_downloaded_by_whoever_sees_the_activity(world):
    create(world["staff"], facts(attachment=pdf("../座谈会纪要.pdf")))
    activity = Activity.objects.get()
    assert activity.attachment_name == "座谈会纪要.pdf"
    assert "座谈会纪要" not in activity.attachment.name
    url = reverse("activity_attachment", args=[activity.pk])
    for role in ("staff", "reviewer", "leader"):
        response = client_for(world[role]).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    assert client_for(world["other_staff"]).get(url).status_code == 404
    inline = client_for(world["staff"]).get(url + "?inline=1")
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")


def test_an_activity_without_an_attachment_answers_404_for_it(world):
    activity = ActivityFactory(unit=world["own"])
    assert client_for(world["staff"]).get(reverse("activity_attachment", args=[activity.pk])).status_code == 404


# --- Correcting and deleting ---------------------------------------------------------------------------


def test_editing_the_date_recomputes_the_leads_last_activity_date(world):
    lead = LeadFactory(owner_unit=world["own"])
    ActivityFactory(unit=world["own"], lead=lead, date=days_ago(30))
    create(world["staff"], facts(lead=lead.code, date=days_ago(2).isoformat()))
    latest = Activity.objects.get(date=days_ago(2))
    response = client_for(world["staff"]).post(
        reverse("activity_edit", args=[latest.pk]), facts(lead=lead.code, date=days_ago(40).isoformat())
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.last_activity_on == days_ago(30)


def test_moving_an_activity_to_another_lead_recomputes_both(world):
    first, second = LeadFactory(owner_unit=world["own"]), LeadFactory(owner_unit=world["own"])
    create(world["staff"], facts(lead=first.code, date=days_ago(3).isoformat()))
    activity = Activity.objects.get()
    edit = reverse("activity_edit", args=[activity.pk])
    client_for(world["staff"]).post(edit, facts(lead=second.code, date=days_ago(3).isoformat()))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_activity_on, second.last_activity_on) == (None, days_ago(3))


def test_deleting_recomputes_the_leads_last_activity_date_from_the_rest(world):
    lead = LeadFactory(owner_unit=world["own"])
    ActivityFactory(unit=world["own"], lead=lead, date=days_ago(30))
    create(world["staff"], facts(lead=lead.code, date=days_ago(2).isoformat()))
    latest = Activity.objects.get(date=days_ago(2))
    response = client_for(world["reviewer"]).post(reverse("activity_delete", args=[latest.pk]))
    assert response["Location"] == reverse("activity_list")
    lead.refresh_from_db()
    assert lead.last_activity_on == days_ago(30)
    assert latest.history.latest().history_type == "-"


def test_deleting_the_last_activity_leaves_the_lead_without_a_date(world):
    lead = LeadFactory(owner_unit=world["own"])
    recorded = {"kind": ActivityKind.TALKS, "date": days_ago(1), "unit": world["own"], "summary": "洽谈", "lead": lead}
    activity = services.record_activity(user=world["staff"], facts=recorded)
    services.delete_activity(activity=activity, user=world["staff"])
    lead.refresh_from_db()
    assert lead.last_activity_on is None


def test_deleting_only_on_post(world):
    activity = ActivityFactory(unit=world["own"])
    assert client_for(world["staff"]).get(reverse("activity_delete", args=[activity.pk])).status_code == 405
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_a_new_attachment_replaces_the_old_one_once_committed(world, media, django_capture_on_commit_callbacks):
    create(world["staff"], facts(attachment=pdf("旧.pdf")))
    activity = Activity.objects.get()
    old_path = media / activity.attachment.name
    assert old_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["staff"]).post(reverse("activity_edit", args=[activity.pk]), facts(attachment=pdf("新.pdf")))
    activity.refresh_from_db()
    assert activity.attachment_name == "新.pdf"
    assert not old_path.exists()


# --- The list --------------------------------------------------------------------------------------------


def listed(user, query="") -> list[Activity]:
    response = client_for(user).get(reverse("activity_list") + query)
    assert response.status_code == 200
    return [row.record for row in response.context["table"].page.object_list]


def test_the_list_shows_only_what_the_user_sees(world):
    mine = ActivityFactory(unit=world["own"])
    ActivityFactory(unit=world["other"])
    assert listed(world["staff"]) == [mine]
    assert len(listed(world["leader"])) == 2


def test_the_list_filters_by_date_unit_kind_lead_enterprise_and_keyword(world):
    lead, enterprise = LeadFactory(owner_unit=world["own"]), TargetEnterpriseFactory(name="长江精工有限公司")
    old = ActivityFactory(unit=world["own"], date=days_ago(40), kind=ActivityKind.TALKS)
    recent = ActivityFactory(unit=world["own"], date=days_ago(3), lead=lead, summary="签约仪式筹备")
    visit = ActivityFactory(unit=world["other"], date=days_ago(5), enterprise=enterprise, kind=ActivityKind.VISIT_IN)
    reviewer = world["reviewer"]
    assert listed(reviewer, f"?date_from={days_ago(10).isoformat()}") == [recent, visit]
    assert listed(reviewer, f"?date_to={days_ago(10).isoformat()}") == [old]
    assert listed(reviewer, f"?unit={world['other'].pk}") == [visit]
    assert listed(reviewer, "?kind=talks") == [old]
    assert listed(reviewer, f"?lead={lead.pk}") == [recent]
    assert listed(reviewer, f"?enterprise={enterprise.pk}") == [visit]
    assert listed(reviewer, "?keyword=精工") == [visit]
    assert listed(reviewer, "?keyword=签约仪式") == [recent]


def test_bad_filters_show_errors_and_no_rows(world):
    ActivityFactory(unit=world["own"])
    assert listed(world["reviewer"], "?date_from=2021-13-01") == []


def test_a_staff_member_filtering_by_another_units_lead_sees_nothing_of_it(world):
    theirs = LeadFactory(owner_unit=world["other"])
    ActivityFactory(unit=world["other"], lead=theirs, summary="别人的活动")
    response = client_for(world["staff"]).get(reverse("activity_list") + f"?lead={theirs.pk}")
    assert "别人的活动" not in response.content.decode()
    assert theirs.name not in response.content.decode()


def test_the_export_has_the_rows_the_user_sees_as_filtered(world):
    ActivityFactory(unit=world["own"], summary="本单位洽谈", kind=ActivityKind.TALKS)
    ActivityFactory(unit=world["own"], summary="本单位拜访")
    ActivityFactory(unit=world["other"], summary="别的单位的洽谈", kind=ActivityKind.TALKS)
    response = client_for(world["staff"]).get(reverse("activity_export") + "?kind=talks")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("日期", "类型", "单位", "事由")
    assert [row[3] for row in rows[1:]] == ["本单位洽谈"]


def test_the_list_asks_the_same_number_of_queries_however_many_rows(world, django_assert_num_queries):
    def seed(n):
        for _ in range(n):
            lead = LeadFactory(owner_unit=world["own"], enterprise=TargetEnterpriseFactory())
            ActivityFactory(unit=world["own"], lead=lead, enterprise=lead.enterprise, attachment=pdf())

    client = client_for(world["staff"])
    client.get(reverse("activity_list"))  # the session and the user, read once
    seed(2)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("activity_list")).status_code == 200
    seed(20)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("activity_list"))
    assert len(response.context["table"].page.object_list) == 22

