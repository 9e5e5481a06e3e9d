"""Factories for every model, in one place."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from access.roles import Role

from chains.models import ChainNode, Level, Position
from groups.models import Person, SpecialGroup
from landing.models import Milestone, MilestoneKind, SigningEvent, SigningEventProject
from leads.models import Activity, ActivityKind, Channel, Lead, LeadStage, ListMembership, TargetEnterprise
from projects.models import Arrival, Origin, Project, Sector, Status
from targets.models import Membership, Organisation, RuleSet, Unit, UnitKind, UnitTarget


class OrganisationFactory(factory.django.DjangoModelFactory):
    """The organisation record, by default as fixtures/fuling_2021.json has it."""

    class Meta:
        model = Organisation
        django_get_or_create = ["id"]

    id = Organisation.ONLY
    district = "涪陵区"
    city = "重庆市"
    issuer = "涪陵区招商投资局"
    system_title = "涪陵区招商引资目标考核系统"
    code_prefix = "FL"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.PARK
    sort_order = factory.Sequence(lambda n: n)


class RuleSetFactory(factory.django.DjangoModelFactory):
    """The 2021 rules of domain.md, for any year."""

    class Meta:
        model = RuleSet
        django_get_or_create = ["year"]

    year = 2021
    major_investment = Decimal("20")
    major_output = Decimal("50")
    large_investment = Decimal("10")
    large_output = Decimal("30")
    key_investment = Decimal("1")
    general_industrial_investment = Decimal("0.2")
    general_non_industrial_investment = Decimal("0.05")
    weight_outside_city = Decimal("1")
    weight_inside_city = Decimal("0.2")
    weight_inside_district = Decimal("0")
    lead_share = Decimal("0.8")
    score_agreement_capital = Decimal("40")
    score_arrived_capital = Decimal("30")
    score_major_projects = Decimal("15")
    score_large_projects = Decimal("10")
    score_key_projects = Decimal("5")
    score_non_industrial = Decimal("0")
    rate_cap = Decimal("1.2")


class UnitTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitTarget

    year = 2021
    unit = factory.SubFactory(UnitFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"人员{n}")
    title = "区政府副区长"


class SpecialGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialGroup

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"测试招商组{n}")
    leader = factory.SubFactory(PersonFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    """An approved 市外 工业 project of 1亿 signed 2021-03-15 unless told otherwise."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T2021-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    investor = "测试投资有限公司"
    lead_unit = factory.SubFactory(UnitFactory)
    sector = Sector.INDUSTRIAL
    origin = Origin.OUTSIDE_CITY
    agreement_capital = Decimal("1")
    signed_on = datetime.date(2021, 3, 15)
    status = Status.APPROVED

    @factory.post_generation
    def cooperating(self, create, units, **kwargs):
        if units:
            self.set_cooperating_units([unit.pk for unit in units])


class ArrivalFactory(factory.django.DjangoModelFactory):
    """A verified entry (one that counts, domain.md §7) of 1亿 on 2021-06-30 unless told otherwise;
    `verified=False` makes an entry waiting for a reviewer (待核实)."""

    class Meta:
        model = Arrival

    project = factory.SubFactory(ProjectFactory)
    arrived_on = datetime.date(2021, 6, 30)
    amount = Decimal("1")
    verified = True
    verified_at = factory.Maybe("verified", factory.LazyFunction(timezone.now), None)


class ChainNodeFactory(factory.django.DjangoModelFactory):
    """A link (环节) under a chain under an industry, each made when not given."""

    class Meta:
        model = ChainNode

    name = factory.Sequence(lambda n: f"环节{n}")
    level = Level.LINK
    position = Position.MIDSTREAM
    parent = factory.Maybe(
        factory.LazyAttribute(lambda node: node.level == Level.LINK),
        factory.SubFactory(
            "tests.factories.ChainNodeFactory",
            level=Level.CHAIN,
            position="",
            name=factory.Sequence(lambda n: f"产业链{n}"),
            parent=factory.SubFactory(
                "tests.factories.ChainNodeFactory",
                level=Level.INDUSTRY,
                position="",
                parent=None,
                name=factory.Sequence(lambda n: f"主导产业{n}"),
            ),
        ),
        None,
    )


class TargetEnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetEnterprise

    name = factory.Sequence(lambda n: f"目标企业{n}有限公司")
    province = "广东省"
    city = "深圳市"


class ListMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListMembership

    enterprise = factory.SubFactory(TargetEnterpriseFactory)
    list_name = "global_500"
    year = 2021


class LeadFactory(factory.django.DjangoModelFactory):
    """An open lead (线索 stage) with everything an open lead needs, due 2021-06-30."""

    class Meta:
        model = Lead

    code = factory.Sequence(lambda n: f"XS2021-{n:05d}")
    name = factory.Sequence(lambda n: f"测试线索{n}")
    owner_unit = factory.SubFactory(UnitFactory)
    responsible_person = "张三"
    channel = Channel.VISITS
    stage = LeadStage.CLUE
    next_step = "上门拜访"
    deadline = datetime.date(2021, 6, 30)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An outside visit (外出拜访) on 2021-06-08 (ISO week 23)."""

    class Meta:
        model = Activity

    kind = ActivityKind.VISIT_OUT
    date = datetime.date(2021, 6, 8)
    unit = factory.SubFactory(UnitFactory)
    summary = factory.Sequence(lambda n: f"拜访企业{n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A verified 开工 on 2021-06-09 unless told otherwise."""

    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = MilestoneKind.STARTED
    actual_on = datetime.date(2021, 6, 9)
    verified = True
    verified_at = factory.Maybe("verified", factory.LazyFunction(timezone.now), None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("测试密码-123456")


def user_with_role(role: Role, unit: Unit | None = None, **kwargs) -> User:
    """A user in `role`'s group; unit staff need their `unit`."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if unit is not None:
        Membership.objects.create(user=user, unit=unit)
    return user


def client_for(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def domain_example(*, arrived_on: datetime.date = datetime.date(2021, 10, 15)) -> dict[str, Project]:
    """domain.md §6 on the 2021 reference units (load `fuling_2021` first): a 市外 工业 major
    project of 25亿 signed 2021-03-15 by 涪陵新城区 alone, 3亿 of it arrived on `arrived_on`;
    a 区外市内 非工业 large project of 12亿 signed 2021-05-10, lead 临港经济区, cooperating 区商务委."""
    unit = Unit.objects.get_by_natural_key
    first = ProjectFactory(lead_unit=unit("涪陵新城区"), agreement_capital=Decimal("25"), signed_on=datetime.date(2021, 3, 15))
    ArrivalFactory(project=first, amount=Decimal("3"), arrived_on=arrived_on)
    joint = ProjectFactory(
        lead_unit=unit("临港经济区"),
        cooperating=[unit("区商务委")],
        agreement_capital=Decimal("12"),
        origin=Origin.INSIDE_CITY,
        sector=Sector.NON_INDUSTRIAL,
        signed_on=datetime.date(2021, 5, 10),
    )
    return {"first": first, "joint": joint}


class SigningEventFactory(factory.django.DjangoModelFactory):
    """A signing ceremony on 2021-03-15 (ProjectFactory's signing date) unless told otherwise."""

    class Meta:
        model = SigningEvent

    name = factory.Sequence(lambda n: f"集中签约活动{n}")
    date = datetime.date(2021, 3, 15)
    place = "区会议中心"
    organiser = factory.SubFactory(UnitFactory)


class SigningEventProjectFactory(factory.django.DjangoModelFactory):
    """A project signed at an event: by default a new approved project signed on the event's date."""

    class Meta:
        model = SigningEventProject

    event = factory.SubFactory(SigningEventFactory)
    project = factory.SubFactory(ProjectFactory, signed_on=factory.SelfAttribute("..event.date"))


# --- Key tasks and the groups' reports (supervision) -------------------------------------------


class KeyTaskFactory(factory.django.DjangoModelFactory):
    """A 2021 task; `units=[...]` makes them its responsible units (the first one also leads it)."""

    class Meta:
        model = "supervision.KeyTask"
        skip_postgeneration_save = True

    year = 2021
    number = factory.Sequence(lambda n: 100 + n)
    title = factory.Sequence(lambda n: f"测试任务{n}")
    action_number = 1
    action = "聚焦“懂你”，开展招商理念提升行动"
    lead_text = "测试牵头单位"
    responsible_text = "测试责任单位"

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.lead_units.set(extracted[:1])
            self.responsible_units.set(extracted)


class TaskReportFactory(factory.django.DjangoModelFactory):
    """A filed report (正常推进) on `task` by `unit` for 2021 Q2, filed on time (2021-07-02)."""

    class Meta:
        model = "supervision.TaskReport"

    task = factory.SubFactory(KeyTaskFactory)
    unit = factory.SubFactory(UnitFactory)
    year = 2021
    quarter = 2
    progress = "已完成本季度工作"
    problems = "无"
    next_steps = "继续推进"
    status = "on_track"
    state = "submitted"
    submitted_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2021, 7, 2, 10)))
    first_submitted_at = factory.SelfAttribute("submitted_at")


def seat_commissioner(group: SpecialGroup, unit: Unit, position: int = 1):
    """A commissioner from `unit` in `group`'s seat `position` (1: the one who reports for the group)."""
    person = PersonFactory(unit=unit, title=f"{unit.name}负责人")
    return group.seats.create(person=person, position=position)


class SupplementaryAgreementFactory(factory.django.DjangoModelFactory):
    """A verified supplementary agreement (补充协议, domain.md §8) adding 1亿 on 2021-09-30 unless
    told otherwise; `verified=False` makes one waiting for a reviewer (待核实)."""

    class Meta:
        model = "projects.SupplementaryAgreement"

    project = factory.SubFactory(ProjectFactory)
    signed_on = datetime.date(2021, 9, 30)
    amount = Decimal("1")
    verified = True
    verified_at = factory.Maybe("verified", factory.LazyFunction(timezone.now), None)
