"""The targets pages: the table of 附件2 with derived 合计 rows, the rule set, history; reviewers edit."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from targets.models import RuleSet, Unit, UnitKind, UnitTarget
from tests.factories import RuleSetFactory, UnitFactory, UnitTargetFactory, user_with_role

INDICATORS = ["major_projects", "large_projects", "key_projects", "agreement_capital", "non_industrial_agreement_capital", "arrived_capital"]


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="审核员")


@pytest.fixture
def leader(db):
    return user_with_role(Role.LEADER, username="领导")


def get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


def table(response, kind):
    return next(t for t in response.context["tables"] if t.kind == kind)


def cells_of(kind_table):
    return {row.unit.name: row.cells for row in kind_table.rows}


# --- Which year ----------------------------------------------------------------------------


def test_the_targets_link_goes_to_the_latest_year_with_targets(client, fuling_2021, leader):
    UnitTargetFactory(year=2023, unit=Unit.objects.get(name="白涛园区"), agreement_capital=Decimal(1))

    response = get(client, leader, "target_table_latest")

    assert response["Location"] == reverse("target_table", kwargs={"year": 2023})


def test_without_any_target_the_targets_link_goes_to_the_current_year(client, leader):
    response = get(client, leader, "target_table_latest")

    assert response["Location"] == reverse("target_table", kwargs={"year": timezone.localdate().year})


def test_a_year_out_of_range_answers_404(client, leader):
    assert get(client, leader, "target_table", year=1999).status_code == 404
    assert get(client, leader, "target_table", year=99999).status_code == 404


# --- The table -----------------------------------------------------------------------------


def test_the_parks_table_has_two_header_rows_and_the_2021_targets(client, fuling_2021, leader):
    response = get(client, leader, "target_table", year=2021)

    parks = table(response, UnitKind.PARK)
    assert [c.label for c in parks.counts] == ["重大项目", "较大项目", "重点项目"]
    assert [c.label for c in parks.money] == ["协议资金", "其中：非工业", "到位资金"]
    assert cells_of(parks)["涪陵新城区"] == ["4", "4", "10", "160.00", "60.00", "60.00"]
    assert cells_of(parks)["清溪园区"] == ["–", "1", "2", "30.00", "–", "7.00"]
    page = response.content.decode()
    assert '<th colspan="3" class="group-head">项目个数（个）</th>' in page
    assert '<th colspan="3" class="group-head">资金（亿元）</th>' in page
    assert '<th rowspan="2">责任单位</th>' in page


def test_the_total_rows_are_derived_and_skip_units_without_a_target(client, fuling_2021, leader):
    response = get(client, leader, "target_table", year=2021)

    assert table(response, UnitKind.PARK).total == ["13", "17", "31", "580.00", "120.00", "201.00"]
    departments = table(response, UnitKind.DEPARTMENT)
    assert [c.label for c in departments.columns] == ["重大项目", "较大项目", "重点项目", "协议资金"]
    assert departments.total == ["7", "11", "19", "100.00"]
    assert cells_of(departments)["区财政局"] == ["–", "–", "–", "0.50"]
    assert '<tr class="total"><td>合计</td>' in response.content.decode()


def test_an_indicator_nobody_has_a_target_for_totals_as_no_target(client, leader):
    UnitTargetFactory(unit=UnitFactory(name="甲园区"), year=2024, agreement_capital=Decimal("3"))

    response = get(client, leader, "target_table", year=2024)

    assert table(response, UnitKind.PARK).total == ["–", "–", "–", "3.00", "–", "–"]


def test_a_department_given_an_arrived_capital_target_shows_that_column(client, leader):
    department = UnitFactory(name="区商务委", kind=UnitKind.DEPARTMENT)
    UnitTargetFactory(unit=department, year=2024, agreement_capital=Decimal("10"), arrived_capital=Decimal("2"))

    response = get(client, leader, "target_table", year=2024)

    assert [c.label for c in table(response, UnitKind.DEPARTMENT).money] == ["协议资金", "到位资金"]


def test_the_rule_set_is_shown_read_only(client, fuling_2021, leader):
    response = get(client, leader, "target_table", year=2021)

    page = response.content.decode()
    for text in ("<dt>重大项目投资门槛（亿元）</dt><dd>20</dd>", "区外市内项目权重", "20%", "联合招商牵头单位占比", "80%", "完成率计分上限", "120%"):
        assert text in page
    assert reverse("rules_edit", kwargs={"year": 2021}) not in page  # a leader gets no edit link


def test_a_year_without_rules_says_so(client, leader):
    response = get(client, leader, "target_table", year=2030)

    assert response.status_code == 200
    assert "2030年尚未设置考核规则" in response.content.decode()


def test_the_query_count_does_not_grow_with_units_targets_or_history(client, reviewer, django_assert_num_queries):
    RuleSetFactory(year=2021)
    client.force_login(reviewer)
    url = reverse("target_table", kwargs={"year": 2021})

    def add_units(n, kind):
        for _ in range(n):
            target = UnitTargetFactory(unit=UnitFactory(kind=kind), agreement_capital=Decimal("5"))
            target.agreement_capital = Decimal("6")
            target.save()

    add_units(2, UnitKind.PARK)
    add_units(1, UnitKind.DEPARTMENT)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_units(15, UnitKind.PARK)
    add_units(15, UnitKind.DEPARTMENT)
    RuleSet.objects.get(year=2021).save()

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(table(response, UnitKind.PARK).rows) == 17 and len(response.context["changes"]) > 30


# --- Editing targets -------------------------------------------------------------------------


def formset_data(response, **values_by_unit):
    """The edit page's formset as posted back, with some units' cells replaced ({name: {field: text}})."""
    formset = response.context["formset"]
    data = {f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()}
    for form in formset.forms:
        data[form.add_prefix("unit_id")] = form.instance.unit_id
        for name in INDICATORS:
            value = getattr(form.instance, name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        for name, text in values_by_unit.get(form.instance.unit.name, {}).items():
            data[form.add_prefix(name)] = text
    return data


def edit_page(client, reviewer, year=2021):
    return get(client, reviewer, "target_edit", year=year)


def test_the_edit_page_has_a_row_per_assessed_unit_even_without_a_target_row(client, fuling_2021, reviewer):
    UnitFactory(name="新设园区", kind=UnitKind.PARK, sort_order=99)
    UnitFactory(name="其他单位", kind=UnitKind.OTHER)

    response = edit_page(client, reviewer)

    names = [form.instance.unit.name for form in response.context["formset"]]
    assert len(names) == 23 and "新设园区" in names and "其他单位" not in names
    assert names.index("白涛园区") < names.index("区财政局")  # parks first
    assert not UnitTarget.objects.filter(unit__name="新设园区").exists()  # nothing written on GET


def test_saving_changes_targets_clears_an_empty_cell_and_records_who(client, fuling_2021, reviewer):
    data = formset_data(edit_page(client, reviewer), 白涛园区={"major_projects": "5", "arrived_capital": ""})

    response = client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    assert response.status_code == 302 and response["Location"] == reverse("target_table", kwargs={"year": 2021})
    target = UnitTarget.objects.get(year=2021, unit__name="白涛园区")
    assert (target.major_projects, target.arrived_capital, target.agreement_capital) == (5, None, Decimal("150"))
    record = target.history.latest()
    assert record.history_user == reviewer
    assert UnitTarget.history.exclude(history_change_reason="初始数据").count() == 1  # unchanged rows were not saved


def test_a_missing_row_is_created_when_a_value_is_entered(client, fuling_2021, reviewer):
    UnitFactory(name="新设园区", kind=UnitKind.PARK, sort_order=99)
    data = formset_data(edit_page(client, reviewer), 新设园区={"agreement_capital": "12.5"})

    client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    target = UnitTarget.objects.get(year=2021, unit__name="新设园区")
    assert (target.agreement_capital, target.major_projects) == (Decimal("12.5"), None)


def test_targets_of_a_new_year_start_empty_and_are_created_on_save(client, fuling_2021, reviewer):
    data = formset_data(edit_page(client, reviewer, 2022), 白涛园区={"major_projects": "3"})

    client.post(reverse("target_edit", kwargs={"year": 2022}), data)

    assert list(UnitTarget.objects.filter(year=2022).values_list("unit__name", "major_projects")) == [("白涛园区", 3)]


def test_a_zero_target_is_refused_and_nothing_is_saved(client, fuling_2021, reviewer):
    data = formset_data(edit_page(client, reviewer), 白涛园区={"major_projects": "0"}, 临港经济区={"key_projects": "9"})

    response = client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    assert response.status_code == 200
    assert "目标值须大于0；不考核的指标请留空" in response.content.decode()
    assert UnitTarget.objects.get(year=2021, unit__name="临港经济区").key_projects == 6
    assert not UnitTarget.history.exists()


@pytest.mark.parametrize(
    "cell, message",
    [
        ({"agreement_capital": "abc"}, "请填写数字。"),
        ({"major_projects": "1.5"}, "请填写整数。"),
        ({"agreement_capital": "-3"}, "目标值须大于0"),
        ({"agreement_capital": "0.00001"}, "最多4位小数"),
    ],
)
def test_garbage_is_refused_next_to_the_cell(client, fuling_2021, reviewer, cell, message):
    data = formset_data(edit_page(client, reviewer), 白涛园区=cell)

    response = client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not UnitTarget.history.exists()


def test_a_post_without_the_formset_data_is_refused_with_a_message(client, fuling_2021, reviewer):
    client.force_login(reviewer)

    response = client.post(reverse("target_edit", kwargs={"year": 2021}), {})

    assert response.status_code == 200
    assert "表单数据不完整，请刷新页面后重新填写。" in response.content.decode()
    assert UnitTarget.objects.filter(year=2021, agreement_capital__isnull=False).count() == 22


def test_rows_shifted_by_a_unit_added_meanwhile_are_refused(client, fuling_2021, reviewer):
    data = formset_data(edit_page(client, reviewer))
    UnitFactory(name="甲新园区", kind=UnitKind.PARK, sort_order=0)

    response = client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    assert response.status_code == 200
    assert "单位列表已变化" in response.content.decode()


def test_leaders_and_staff_may_not_edit_targets(client, fuling_2021, leader):
    staff = user_with_role(Role.STAFF, Unit.objects.get(name="白涛园区"), username="白涛填报员")
    for user in (leader, staff):
        client.force_login(user)
        assert client.post(reverse("target_edit", kwargs={"year": 2021}), {}).status_code == 403
    assert not UnitTarget.history.exists()


def test_the_history_shows_when_who_unit_field_old_and_new(client, fuling_2021, reviewer):
    data = formset_data(edit_page(client, reviewer), 白涛园区={"agreement_capital": "155.5"})
    client.post(reverse("target_edit", kwargs={"year": 2021}), data)

    response = get(client, reviewer, "target_table", year=2021)

    change = response.context["changes"][0]
    assert (change.who, change.subject, change.field, change.old, change.new) == ("审核员", "白涛园区", "协议资金（亿元）", "150", "155.5")
    assert abs(timezone.now() - change.when) < datetime.timedelta(minutes=1)
    page = response.content.decode()
    assert timezone.localtime(change.when).strftime("%Y-%m-%d %H:%M") in page and "155.5" in page


# --- Editing the rule set ------------------------------------------------------------------------


def rules_data(rule_set, **changes):
    data = {f.name: str(getattr(rule_set, f.name)) for f in RuleSet._meta.concrete_fields if f.name not in ("id", "year")}
    data.update(changes)
    return data


def test_a_new_years_rules_start_as_a_copy_of_the_latest_year(client, fuling_2021, reviewer):
    response = get(client, reviewer, "rules_edit", year=2022)

    form = response.context["form"]
    assert form.initial["major_investment"] == Decimal("20") and form.initial["lead_share"] == Decimal("0.8")
    assert not RuleSet.objects.filter(year=2022).exists()  # created only when saved

    response = client.post(reverse("rules_edit", kwargs={"year": 2022}), rules_data(RuleSet.objects.get(year=2021), rate_cap="1.3"))

    assert response.status_code == 302
    created = RuleSet.objects.get(year=2022)
    assert (created.rate_cap, created.major_investment) == (Decimal("1.3"), Decimal("20"))
    assert created.history.get().history_user == reviewer


def test_changing_the_rules_is_recorded_in_the_history(client, fuling_2021, reviewer):
    client.force_login(reviewer)
    client.post(reverse("rules_edit", kwargs={"year": 2021}), rules_data(RuleSet.objects.get(year=2021), lead_share="0.7"))

    changes = get(client, reviewer, "target_table", year=2021).context["changes"]

    assert RuleSet.objects.get(year=2021).lead_share == Decimal("0.7")
    assert [(c.subject, c.field, c.new) for c in changes if c.field == "联合招商牵头单位占比"] == [("年度规则", "联合招商牵头单位占比", "0.7")]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"weight_inside_city": "1.5"}, "权重须在0到1之间（如20%填0.2）。"),
        ({"weight_outside_city": "-0.1"}, "权重须在0到1之间（如20%填0.2）。"),
        ({"lead_share": "0"}, "须大于0且不超过1（如80%填0.8）。"),
        ({"rate_cap": "0"}, "须大于0（如120%填1.2）。"),
        ({"major_investment": "5"}, "重大项目投资门槛不能低于较大项目投资门槛。"),
        ({"key_investment": "-1"}, "不能为负数。"),
        ({"score_agreement_capital": "abc"}, "请填写数字。"),
        ({"rate_cap": ""}, "必填。"),
        (
            {name: "0" for name in ["score_agreement_capital", "score_arrived_capital", "score_major_projects",
                                    "score_large_projects", "score_key_projects", "score_non_industrial"]},
            "各指标的分值权重不能全为0",
        ),
    ],
)  # fmt: skip
def test_the_rules_are_validated_with_chinese_messages(client, fuling_2021, reviewer, changes, message):
    client.force_login(reviewer)
    before = rules_data(RuleSet.objects.get(year=2021))

    response = client.post(reverse("rules_edit", kwargs={"year": 2021}), {**before, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert rules_data(RuleSet.objects.get(year=2021)) == before
