"""A clearly labelled synthetic data set (演示数据) so a newcomer's dashboard is not empty.

Only `make run` on the embedded SQLite default loads it (bootstrap --demo refuses a database
given by DATABASE_URL). Every demo project's name starts with 【演示】, its code with DEMO and
its investor with 演示, so it can never be mistaken for real data, and `remove_demo_data` finds
all of it.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from groups.models import SpecialGroup
from targets.models import Unit, UnitTarget

from landing.models import MILESTONE_ORDER, Milestone, MilestoneKind

from .models import Arrival, Origin, Project, Sector, Status

DEMO_PREFIX = "【演示】"
CODE_PREFIX = "DEMO"
INDUSTRIES = ["新材料", "锂电池材料", "页岩气化工", "食品加工", "榨菜精深加工", "冷链物流", "数字经济", "装备制造",
              "生物医药", "文旅康养", "现代农业", "智能终端", "新能源汽车零部件", "商贸综合体", "职业教育"]
PLACES = ["上海", "深圳", "成都", "北京", "杭州", "苏州", "西安", "南京", "武汉", "香港"]
STATUS_MIX = [Status.APPROVED] * 85 + [Status.SUBMITTED] * 5 + [Status.DRAFT] * 4 + [Status.RETURNED] * 3 + [
    Status.WITHDRAWN
] * 3
DEMO_VERIFIED_SHARE = 0.9
ORIGIN_MIX = [Origin.OUTSIDE_CITY] * 14 + [Origin.INSIDE_CITY] * 5 + [Origin.INSIDE_DISTRICT]


def has_demo_data() -> bool:
    return Project.objects.filter(code__startswith=CODE_PREFIX).exists()


@transaction.atomic
def load_demo_data(*, year: int, user=None, seed: int = 2021) -> int:
    """Synthetic projects for every unit with targets in `year`: returns how many were created."""
    rng = random.Random(seed)
    units = list(Unit.objects.assessed())
    targets = {t.unit_id: t for t in UnitTarget.objects.filter(year=year)}
    groups_by_unit: dict[int, list[SpecialGroup]] = {}
    for group in SpecialGroup.objects.prefetch_related("landing_units"):
        for unit in group.landing_units.all():
            groups_by_unit.setdefault(unit.pk, []).append(group)
    all_groups = list(SpecialGroup.objects.all())
    number = 0
    for unit in units:
        target = targets.get(unit.pk)
        for facts in _projects_for(rng, unit, target, year):
            number += 1
            groups = groups_by_unit.get(unit.pk) or all_groups
            project = _create(rng, facts, number, unit, rng.choice(groups) if rng.random() < 0.6 else None, year, user)
            if rng.random() < 0.2:
                partner = rng.choice([u for u in units if u.pk != unit.pk])
                project.set_cooperating_units([partner.pk], user=user)
    return number


def remove_demo_data() -> int:
    projects = Project.objects.filter(code__startswith=CODE_PREFIX)
    count = projects.count()
    projects.delete()
    return count


def _projects_for(rng: random.Random, unit: Unit, target: UnitTarget | None, year: int):
    goal_base = target.agreement_capital if target and target.agreement_capital else Decimal(2)
    goal = goal_base * Decimal(str(round(rng.uniform(0.35, 1.25), 2)))
    majors = (target.major_projects or 0) if target else 0
    larges = (target.large_projects or 0) if target else 0
    total = Decimal(0)
    while total < goal:
        roll = rng.random()
        if majors and roll < 0.2:
            capital = rng.uniform(20, 32)
        elif larges and roll < 0.45:
            capital = rng.uniform(10, 18)
        else:
            capital = rng.uniform(0.3, max(0.5, min(9.0, float(goal_base) / 3)))
        capital = Decimal(str(round(capital, 2)))
        total += capital
        yield capital


def _create(rng, capital: Decimal, number: int, unit: Unit, group, year: int, user) -> Project:
    industry = rng.choice(INDUSTRIES)
    status = rng.choice(STATUS_MIX)
    signed_on = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
    sector = Sector.INDUSTRIAL if rng.random() < 0.6 else Sector.NON_INDUSTRIAL
    now = timezone.now()
    project = Project(
        code=f"{CODE_PREFIX}{year}-{number:04d}",
        name=f"{DEMO_PREFIX}{industry}项目（{number}号）",
        investor=f"演示{rng.choice(PLACES)}{industry}有限公司",
        lead_unit=unit,
        group=group,
        sector=sector,
        origin=rng.choice(ORIGIN_MIX),
        agreement_capital=capital,
        expected_output=(capital * Decimal(str(round(rng.uniform(0.8, 2.5), 2)))).quantize(Decimal("0.01"))
        if rng.random() < 0.5
        else None,
        signed_on=signed_on,
        status=status,
        return_reason="【演示】请补充投资协议扫描件。" if status == Status.RETURNED else "",
        submitted_at=now if status != Status.DRAFT else None,
        reviewed_at=now if status in (Status.APPROVED, Status.RETURNED) else None,
        reviewed_by=user if status in (Status.APPROVED, Status.RETURNED) else None,
        created_by=user,
    )
    # Drawn where the stage field was drawn, so the seed gives the demo it always gave.
    reached = rng.randint(0, 3)  # how many of 开工, 投产, 达产 it has reached
    project._history_user = user
    project.save()
    if status == Status.APPROVED:
        _add_arrivals(rng, project, year, user)
        _add_milestones(project, reached, user)
    return project


# Days after signing each milestone is reached in the demo; never after today.
DEMO_MILESTONE_DAYS = {MilestoneKind.STARTED: 60, MilestoneKind.PRODUCING: 240, MilestoneKind.FULL_PRODUCTION: 420}


def _add_milestones(project: Project, reached: int, user) -> None:
    """开工, then 投产, then 达产 up to `reached`, unverified for the last one (the queue has some)."""
    kinds = MILESTONE_ORDER[1 : 1 + reached]
    for kind in kinds:
        day = project.signed_on + datetime.timedelta(days=DEMO_MILESTONE_DAYS[kind])
        if day > timezone.localdate():
            return
        milestone = Milestone(project=project, kind=kind, actual_on=day, updated_by=user)
        if kind != kinds[-1]:
            milestone.verified, milestone.verified_by, milestone.verified_at = True, user, timezone.now()
        milestone._history_user = user
        milestone.save()


def _add_arrivals(rng, project: Project, year: int, user) -> None:
    share = Decimal(str(round(rng.uniform(0.15, 0.6), 2)))
    entries = rng.randint(1, 3)
    for _ in range(entries):
        day = project.signed_on + datetime.timedelta(days=rng.randint(10, 200))
        if day.year != year:
            continue
        amount = (project.agreement_capital * share / entries).quantize(Decimal("0.0001"))
        if amount <= 0:
            continue
        arrival = Arrival(project=project, arrived_on=day, amount=amount, note="【演示】到位资金", created_by=user)
        # Most entries verified, so the figures are not empty; a few left 待核实 for the verification queue.
        if rng.random() < DEMO_VERIFIED_SHARE:
            arrival.verified, arrival.verified_by, arrival.verified_at = True, user, timezone.now()
        arrival._history_user = user
        arrival.save()
