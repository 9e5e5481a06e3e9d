"""Labelled demo target enterprises, leads and activities (演示数据) over the last weeks, so the
lead board, the battle map and the weekly activity index show something on first start.

Loaded with the demo projects (projects/demo.py) by `bootstrap --demo` only. Every name starts
with 【演示】, every lead code with DEMO, so none can be mistaken for real data and
`remove_demo_pipeline` finds all of it. Dates run back from `today`, so the last complete week
always has activity.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from chains.models import ChainNode
from groups.models import SpecialGroup
from targets.models import Unit

from .models import (
    OPEN_STAGES,
    Activity,
    ActivityKind,
    Channel,
    Lead,
    LeadStage,
    ListMembership,
    ListName,
    TargetEnterprise,
)

DEMO_PREFIX = "【演示】"
LEAD_CODE_PREFIX = "DEMO-XS"
WEEKS = 8
REGIONS = [
    ("广东省", "深圳市"), ("广东省", "广州市"), ("上海市", "上海市"), ("北京市", "北京市"), ("浙江省", "杭州市"),
    ("江苏省", "苏州市"), ("四川省", "成都市"), ("湖北省", "武汉市"), ("陕西省", "西安市"), ("福建省", "厦门市"),
]  # fmt: skip
TRADES = ["新材料", "锂电池材料", "集成电路", "智能终端", "生物医药", "食品加工", "冷链物流", "装备制造", "页岩气化工", "文旅康养"]
STEPS = ["上门拜访对接", "邀请来涪考察", "报送项目方案", "洽谈投资协议条款", "对接用地和厂房", "提交区政府审议"]
STAGE_MIX = (
    [LeadStage.CLUE] * 6 + [LeadStage.CONTACT] * 5 + [LeadStage.NEGOTIATING] * 4 + [LeadStage.ABOUT_TO_SIGN] * 2
    + [LeadStage.PAUSED, LeadStage.STOPPED]
)  # fmt: skip
# How busy each unit is: some units log several activities a week, some almost none.
KIND_MIX = [ActivityKind.VISIT_OUT] * 4 + [ActivityKind.VISIT_IN] * 3 + [ActivityKind.TALKS] * 2 + [
    ActivityKind.EVENT,
    ActivityKind.INSPECTION,
    ActivityKind.PUBLICITY,
]


def has_demo_pipeline() -> bool:
    return Lead.objects.filter(code__startswith=LEAD_CODE_PREFIX).exists()


@transaction.atomic
def load_demo_pipeline(*, today: datetime.date, user=None, seed: int = 2021) -> dict[str, int]:
    """Demo enterprises, leads and activities of the last WEEKS weeks: how many of each were created."""
    rng = random.Random(seed)
    units = list(Unit.objects.assessed())
    groups = list(SpecialGroup.objects.prefetch_related("landing_units"))
    links = list(ChainNode.objects.links().filter(is_active=True))
    enterprises = [_enterprise(rng, n, links, user) for n in range(1, 41)]
    leads = []
    for n in range(1, 81):
        unit = rng.choice(units)
        own_groups = [group for group in groups if unit in group.landing_units.all()] or groups
        leads.append(_lead(rng, n, unit, rng.choice(own_groups) if own_groups else None, rng.choice(enterprises), today, user))
    activities = []
    for unit in units:
        busyness = rng.choice([0, 1, 1, 2, 3, 5])
        for week in range(WEEKS):
            monday = today - datetime.timedelta(days=today.weekday() + 7 * (week + 1))
            for _ in range(rng.randint(0, busyness)):
                activities.append(_activity(rng, unit, monday + datetime.timedelta(days=rng.randint(0, 6)), leads, user))
    Activity.objects.bulk_create(activities)
    for lead in leads:
        dates = [a.date for a in activities if a.lead_id == lead.pk]
        if dates and lead.stage in OPEN_STAGES:
            Lead.objects.filter(pk=lead.pk).update(last_activity_on=max(dates))
    return {"enterprises": len(enterprises), "leads": len(leads), "activities": len(activities)}


def remove_demo_pipeline() -> int:
    activities = Activity.objects.filter(summary__startswith=DEMO_PREFIX)
    leads = Lead.objects.filter(code__startswith=LEAD_CODE_PREFIX)
    enterprises = TargetEnterprise.objects.filter(name__startswith=DEMO_PREFIX)
    count = activities.count() + leads.count() + enterprises.count()
    activities.delete()
    leads.delete()
    enterprises.delete()
    return count


def _enterprise(rng: random.Random, n: int, links: list[ChainNode], user) -> TargetEnterprise:
    province, city = rng.choice(REGIONS)
    trade = rng.choice(TRADES)
    enterprise = TargetEnterprise(
        name=f"{DEMO_PREFIX}{city.removesuffix('市')}{trade}集团有限公司（{n}号）",
        province=province,
        city=city,
        is_local=rng.random() < 0.15,
        note="演示数据",
        created_by=user,
    )
    enterprise._history_user = user
    enterprise.save()
    if links:
        enterprise.chain_links.set(rng.sample(links, k=min(len(links), rng.randint(1, 2))))
    if rng.random() < 0.5:
        ListMembership.objects.create(
            enterprise=enterprise,
            list_name=rng.choice(list(ListName)),
            year=2021,
            rank=rng.randint(1, 500),
            source="演示数据",
        )
    return enterprise


def _lead(rng, n: int, unit: Unit, group, enterprise: TargetEnterprise, today: datetime.date, user) -> Lead:
    stage = rng.choice(STAGE_MIX)
    links = list(enterprise.chain_links.all())
    lead = Lead(
        code=f"{LEAD_CODE_PREFIX}-{n:04d}",
        name=f"{DEMO_PREFIX}{enterprise.name.removeprefix(DEMO_PREFIX).split('集团')[0]}项目",
        enterprise=enterprise,
        owner_unit=unit,
        responsible_person=rng.choice(["张明", "李华", "王芳", "刘洋", "陈静", "杨帆"]),
        group=group,
        chain_link=links[0] if links else None,
        channel=rng.choice(list(Channel)),
        stage=stage,
        intended_investment=Decimal(str(round(rng.uniform(0.5, 30), 2))),
        next_step=rng.choice(STEPS),
        # Some deadlines already passed (overdue), most in the coming weeks.
        deadline=today + datetime.timedelta(days=rng.randint(-20, 60)),
        resume_on=today + datetime.timedelta(days=rng.randint(30, 120)) if stage == LeadStage.PAUSED else None,
        stop_reason="【演示】企业调整投资计划，暂不考虑西南布局。" if stage == LeadStage.STOPPED else "",
        created_by=user,
    )
    lead._history_user = user
    lead.save()
    return lead


def _activity(rng, unit: Unit, day: datetime.date, leads: list[Lead], user) -> Activity:
    kind = rng.choice(KIND_MIX)
    own = [lead for lead in leads if lead.owner_unit_id == unit.pk and lead.stage in OPEN_STAGES]
    lead = rng.choice(own) if own and kind in (ActivityKind.VISIT_OUT, ActivityKind.VISIT_IN, ActivityKind.TALKS) else None
    what = {
        ActivityKind.VISIT_OUT: "赴外拜访企业",
        ActivityKind.VISIT_IN: "接待企业来访考察",
        ActivityKind.TALKS: "项目洽谈",
        ActivityKind.EVENT: "参加招商推介会",
        ActivityKind.INSPECTION: "赴先进地区考察学习",
        ActivityKind.PUBLICITY: "招商新闻宣传",
    }[kind]
    return Activity(
        kind=kind,
        date=day,
        unit=unit,
        participants=rng.choice(["分管领导、招商科", "主要负责人、招商专员", "招商科全体"]),
        place=rng.choice([city for _province, city in REGIONS]),
        summary=f"{DEMO_PREFIX}{what}" + (f"：{lead.name.removeprefix(DEMO_PREFIX)}" if lead else ""),
        lead=lead,
        enterprise=lead.enterprise if lead else None,
        created_by=user,
    )
