"""Fill a database with seeded synthetic projects for the ranking benchmark.

    DATABASE_URL=sqlite:////tmp/fuling_bench_50k.sqlite3 python bench/generate.py --projects 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuling_bench python bench/generate.py --projects 500000 --reset

`--projects N` is the number of *approved* projects; about 5% more projects in other
statuses come on top. Every project gets exactly three arrival entries, most dated
2021, some 2020 or 2022. The same seed gives the same data on every database.

`--enterprises N --leads N --activities N` (0 by default) add the pipeline before a
signature: target enterprises (with list memberships and chain links), leads in every stage,
and activities over the ISO weeks of 2021; with them ~30% of the bench projects get a chain
link. `--projects 0` adds only the pipeline, beside bench projects already there:

    DATABASE_URL=... python bench/generate.py --projects 0 --enterprises 100000 --leads 200000 --activities 2000000

Rows are written in bulk, bypassing the ORM (executemany on SQLite, COPY on
PostgreSQL): 500k projects and 1.5M arrivals load in minutes rather than an hour.
Bench projects carry the code prefix BENCH-, bench leads BENCH-XS-, bench enterprises'
names and activities' summaries the label 【基准】: that is what `--reset` deletes.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from chains.models import ChainNode  # noqa: E402
from groups.models import SpecialGroup  # noqa: E402
from leads.models import (  # noqa: E402
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
from leads.regions import REGIONS  # noqa: E402
from landing.models import MILESTONE_ORDER, Milestone  # noqa: E402
from projects.models import Arrival, Cooperation, Origin, Project, Sector, Status  # noqa: E402
from supervision.models import KeyTask, ReportState, TaskReport, TaskStatus, due_date  # noqa: E402
from targets.models import RuleSet, Unit, UnitKind  # noqa: E402

CODE_PREFIX = "BENCH-"
NON_APPROVED_SHARE = 0.05
CREATED_AT = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC)



# --- Reference data ------------------------------------------------------------------


def ensure_reference_data() -> None:
    """The 22 units with their 2021 targets and the 2021 rule set: the project's fixture."""
    if Unit.objects.assessed().count() >= 22 and RuleSet.objects.filter(year=2021).exists():
        return
    call_command("loaddata", "fuling_2021", verbosity=0)
    print("loaded fixture fuling_2021")


# --- Synthetic projects ----------------------------------------------------------------
# Money is generated in whole 万元 (1e-4 亿元) integers, so it is exact in every database.


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def agreement_capital(rng: random.Random) -> int:
    """Most projects 0.01–5亿 (skewed small), some 5–10亿, a few 10–60亿; in 万元."""
    roll = rng.random()
    if roll < 0.01:
        return rng.randint(100_000, 600_000)
    if roll < 0.04:
        return rng.randint(50_000, 100_000)
    return int(100 * (500 ** rng.random()))  # log-uniform between 100万 and 5亿


def expected_output(rng: random.Random, capital: int) -> int | None:
    """A third of the projects state an output, usually 0.5–3× the investment."""
    if rng.random() >= 1 / 3:
        return None
    if rng.random() < 0.01:
        return rng.randint(300_000, 800_000)  # a big-output project, large or major by output
    return int(capital * rng.uniform(0.5, 3))


def arrival_dates(rng: random.Random, signed_on: datetime.date | None) -> list[datetime.date]:
    """Three entries, mostly in 2021; some in 2022, and in 2020 for projects signed then."""
    start = signed_on or datetime.date(2021, 1, 1)
    dates = []
    for _ in range(3):
        roll = rng.random()
        if roll < 0.1:
            dates.append(random_day(rng, datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)))
        elif roll < 0.2 and start.year == 2020:
            dates.append(random_day(rng, start, datetime.date(2020, 12, 31)))
        else:
            dates.append(random_day(rng, max(start, datetime.date(2021, 1, 1)), datetime.date(2021, 12, 31)))
    return sorted(dates)


def generate(rng: random.Random, approved: int, units: list[int], parks: list[int], first_id: dict):
    """Rows for projects, cooperations and arrivals: one dict per row, keyed by column name."""
    others = round(approved * NON_APPROVED_SHARE / (1 - NON_APPROVED_SHARE))
    statuses = [Status.APPROVED] * approved + [
        rng.choice([Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN]) for _ in range(others)
    ]
    rng.shuffle(statuses)
    origins = [Origin.OUTSIDE_CITY] * 6 + [Origin.INSIDE_CITY] * 3 + [Origin.INSIDE_DISTRICT]
    projects, cooperations, arrivals = [], [], []
    project_id, cooperation_id, arrival_id = first_id["project"], first_id["cooperation"], first_id["arrival"]
    for number, status in enumerate(statuses, start=1):
        # Parks lead most projects (about 78%): they carry 580 of the 680亿 agreement target.
        lead = rng.choice(parks) if rng.random() < 0.7 else rng.choice(units)
        capital = agreement_capital(rng)
        signed_on = random_day(rng, datetime.date(2020, 1, 1), datetime.date(2021, 12, 31))
        if status == Status.DRAFT and rng.random() < 0.5:
            signed_on = None
        reviewed = status in (Status.APPROVED, Status.RETURNED)
        projects.append(
            {
                "id": project_id,
                "code": f"{CODE_PREFIX}{number:07d}",
                "name": f"基准测试项目{number}",
                "investor": f"投资方{rng.randint(1, 5000)}",
                "lead_unit_id": lead,
                "group_id": None,
                "sector": Sector.INDUSTRIAL if rng.random() < 0.55 else Sector.NON_INDUSTRIAL,
                "origin": rng.choice(origins),
                "agreement_capital": capital,
                "expected_output": expected_output(rng, capital),
                "signed_on": signed_on,
                "status": status,
                "return_reason": "材料不全" if status == Status.RETURNED else "",
                "submitted_at": CREATED_AT if status != Status.DRAFT else None,
                "reviewed_at": CREATED_AT if reviewed else None,
                "reviewed_by_id": None,
                "created_by_id": None,
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "version": 1,
            }
        )
        partners = rng.sample([u for u in units if u != lead], rng.randint(1, 3)) if rng.random() < 0.2 else []
        projects[-1]["cooperating_count"] = len(partners)  # what Project.set_cooperating_units keeps
        for unit in partners:
            cooperations.append({"id": cooperation_id, "project_id": project_id, "unit_id": unit})
            cooperation_id += 1
        for day in arrival_dates(rng, signed_on):
            amount = max(1, int(capital * rng.uniform(0.02, 0.3)))
            arrivals.append(
                {
                    "id": arrival_id,
                    "project_id": project_id,
                    "arrived_on": day,
                    "amount": amount,
                    "note": "",
                    "evidence": "",
                    "evidence_name": "",
                    "verified": rng.random() < 0.5,
                    "verified_by_id": None,
                    "verified_at": None,
                    "created_by_id": None,
                    "created_at": CREATED_AT,
                }
            )
            arrival_id += 1
        project_id += 1
    return projects, cooperations, arrivals


# --- Synthetic pipeline: target enterprises, leads, activities --------------------------------

LABEL = "【基准】"  # bench enterprises' names and activities' summaries start with it
LEAD_CODE_PREFIX = "BENCH-XS-"
PIPELINE_CREATED_AT = datetime.datetime(2021, 1, 4, 9, 0, tzinfo=datetime.UTC)
# The ISO weeks of 2021: Monday 4 January 2021 to Sunday 2 January 2022.
FIRST_MONDAY = datetime.date(2021, 1, 4)
WEEKS = 52
DAYS = [FIRST_MONDAY + datetime.timedelta(days=n) for n in range(7 * WEEKS)]
PROJECT_LINK_SHARE = 10  # projects whose id % 10 < 3 get a chain link: 30%
TRADES = ["新材料", "锂电池材料", "集成电路", "智能终端", "生物医药", "食品加工", "冷链物流", "装备制造", "页岩气化工", "文旅康养"]
STEPS = ["上门拜访对接", "邀请来涪考察", "报送项目方案", "洽谈投资协议条款", "对接用地和厂房", "提交区政府审议"]
PEOPLE = ["张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "周婷"]
# Most leads open; some paused, stopped or signed (a signed lead needs a project: without one
# left it becomes stopped).
STAGE_MIX = (
    [LeadStage.CLUE] * 30 + [LeadStage.CONTACT] * 25 + [LeadStage.NEGOTIATING] * 18 + [LeadStage.ABOUT_TO_SIGN] * 7
    + [LeadStage.PAUSED] * 8 + [LeadStage.STOPPED] * 7 + [LeadStage.SIGNED] * 5
)  # fmt: skip
KIND_MIX = [ActivityKind.VISIT_OUT] * 4 + [ActivityKind.VISIT_IN] * 3 + [ActivityKind.TALKS] * 2 + [
    ActivityKind.EVENT,
    ActivityKind.INSPECTION,
    ActivityKind.PUBLICITY,
]
KINDS_WITH_A_LEAD = {ActivityKind.VISIT_OUT, ActivityKind.VISIT_IN, ActivityKind.TALKS, ActivityKind.INSPECTION}
WHAT = {
    ActivityKind.VISIT_OUT: "赴外拜访企业",
    ActivityKind.VISIT_IN: "接待企业来访考察",
    ActivityKind.TALKS: "项目洽谈",
    ActivityKind.EVENT: "参加招商推介会",
    ActivityKind.INSPECTION: "赴先进地区考察学习",
    ActivityKind.PUBLICITY: "招商新闻宣传",
}
EnterpriseLink = TargetEnterprise.chain_links.through
PIPELINE_MODELS = [TargetEnterprise, ListMembership, EnterpriseLink, Lead, Activity]


def ensure_chains() -> None:
    """The district's industry chains (the `chains_2021` fixture, as bootstrap loads it)."""
    if ChainNode.objects.links().exists():
        return
    call_command("loaddata", "chains_2021", verbosity=0)
    print("loaded fixture chains_2021")


def pipeline_reference(units: list[int], parks: list[int]) -> dict:
    """What the pipeline rows point at, read once, in a stable order."""
    links = list(ChainNode.objects.links().filter(is_active=True).order_by("pk").values_list("pk", "group_id"))
    groups = list(SpecialGroup.objects.order_by("pk").values_list("pk", flat=True))
    landing = {}
    for group_id, unit_id in SpecialGroup.landing_units.through.objects.order_by("pk").values_list("specialgroup_id", "unit_id"):
        landing.setdefault(unit_id, []).append(group_id)
    links_of_group = {}
    for link, group in links:
        links_of_group.setdefault(group, []).append(link)
    return {
        "units": units,
        "parks": parks,
        "departments": [u for u in units if u not in parks],
        "groups": groups,
        "groups_of_unit": landing,
        "links": [link for link, _group in links],
        "links_of_group": links_of_group,
        # Approved bench projects no lead points at yet: what signed leads were converted into.
        "projects": list(
            Project.objects.filter(code__startswith=CODE_PREFIX, status=Status.APPROVED, lead__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    }


def project_chain_link(project_id: int, links: list[int]) -> int | None:
    """The chain link a bench project gets: 30% of them, by id, so SQL can say the same."""
    if not links or project_id % PROJECT_LINK_SHARE >= 3:
        return None
    return links[(project_id // PROJECT_LINK_SHARE) % len(links)]


def give_projects_chain_links(projects: list[dict], links: list[int]) -> None:
    for row in projects:
        row["chain_link_id"] = project_chain_link(row["id"], links)


def link_existing_projects(links: list[int]) -> int:
    """project_chain_link as one UPDATE, for bench projects written by an earlier run."""
    if not links:
        return 0
    cases = " ".join(f"WHEN {n} THEN {link}" for n, link in enumerate(links))
    table = connection.ops.quote_name(Project._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET chain_link_id = CASE (id / {PROJECT_LINK_SHARE}) % {len(links)} {cases} END "
            f"WHERE code LIKE %s AND chain_link_id IS NULL AND id % {PROJECT_LINK_SHARE} < 3",
            [CODE_PREFIX + "%"],
        )
        return cursor.rowcount


def generate_pipeline(rng: random.Random, enterprises: int, leads: int, ref: dict, first_id: dict) -> dict:
    """Rows for enterprises, their list memberships and chain links, and leads (last_activity_on
    still empty: activity_rows fills it in as it goes)."""
    provinces = list(REGIONS)
    enterprise_rows, memberships, enterprise_links = [], [], []
    enterprise_id, membership_id, link_id = first_id["enterprise"], first_id["membership"], first_id["enterprise_link"]
    links = ref["links"]
    for number in range(1, enterprises + 1):
        province = city = ""
        if rng.random() < 0.95:
            province = rng.choice(provinces)
            city = rng.choice(REGIONS[province])
        credit_code = f"BENCH{number:013d}" if rng.random() < 0.3 else ""
        enterprise_rows.append(
            {
                "id": enterprise_id,
                "name": f"{LABEL}{city or '某地'}{rng.choice(TRADES)}有限公司（{number}号）",
                "credit_code": credit_code,
                "province": province,
                "city": city,
                "is_local": rng.random() < 0.1,
                "parent_id": None,
                "note": "",
                "created_by_id": None,
                "created_by_unit_id": rng.choice(ref["units"]) if rng.random() < 0.5 else None,
                "created_at": PIPELINE_CREATED_AT,
                "updated_at": PIPELINE_CREATED_AT,
            }
        )
        if rng.random() < 0.2:
            for list_name in rng.sample(list(ListName), rng.randint(1, 2)):
                memberships.append(
                    {
                        "id": membership_id,
                        "enterprise_id": enterprise_id,
                        "list_name": list_name.value,
                        "year": 2021,
                        "rank": rng.randint(1, 500),
                        "source": "基准测试",
                    }
                )
                membership_id += 1
        if links:
            for link in rng.sample(links, min(len(links), rng.choice([0, 1, 1, 1, 2, 2, 3]))):
                enterprise_links.append({"id": link_id, "targetenterprise_id": enterprise_id, "chainnode_id": link})
                link_id += 1
        enterprise_id += 1

    free_projects = list(ref["projects"])
    rng.shuffle(free_projects)
    lead_rows = []
    lead_id = first_id["lead"]
    for number in range(1, leads + 1):
        unit = rng.choice(ref["parks"]) if ref["parks"] and rng.random() < 0.6 else rng.choice(ref["units"])
        own_groups = ref["groups_of_unit"].get(unit)
        group = None
        if own_groups and rng.random() < 0.8:
            group = rng.choice(own_groups)
        elif ref["groups"] and rng.random() < 0.5:
            group = rng.choice(ref["groups"])
        group_links = ref["links_of_group"].get(group) if group else None
        chain_link = None
        if group_links and rng.random() < 0.8:
            chain_link = rng.choice(group_links)
        elif links and rng.random() < 0.3:
            chain_link = rng.choice(links)
        enterprise = rng.choice(enterprise_rows)["id"] if enterprise_rows and rng.random() < 0.85 else None
        stage = rng.choice(STAGE_MIX)
        project = None
        if stage == LeadStage.SIGNED:
            if free_projects:
                project = free_projects.pop()
            else:
                stage = LeadStage.STOPPED
        is_open = stage in OPEN_STAGES
        created_at = PIPELINE_CREATED_AT - datetime.timedelta(days=rng.randint(0, 90))
        lead_rows.append(
            {
                "id": lead_id,
                "code": f"{LEAD_CODE_PREFIX}{number:06d}",
                "name": f"{LABEL}{rng.choice(TRADES)}项目{number}",
                "enterprise_id": enterprise,
                "owner_unit_id": unit,
                "responsible_person": rng.choice(PEOPLE) if is_open or rng.random() < 0.5 else "",
                "group_id": group,
                "chain_link_id": chain_link,
                "channel": rng.choice(list(Channel)).value,
                "stage": stage.value,
                "intended_investment": int(100 * (3000 ** rng.random())) if rng.random() < 0.8 else None,
                "next_step": rng.choice(STEPS) if is_open or rng.random() < 0.3 else "",
                # Open leads' deadlines around the end of 2021; relative to today most are past.
                "deadline": random_day(rng, datetime.date(2021, 10, 1), datetime.date(2022, 3, 31)) if is_open else None,
                "resume_on": random_day(rng, datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))
                if stage == LeadStage.PAUSED
                else None,
                "stop_reason": "企业调整投资计划，暂不考虑西南布局。" if stage == LeadStage.STOPPED else "",
                "last_activity_on": None,
                "project_id": project,
                "overdue_since": None,
                "stale_since": None,
                "created_by_id": None,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        lead_id += 1
    return {"enterprises": enterprise_rows, "memberships": memberships, "enterprise_links": enterprise_links, "leads": lead_rows}


def activity_rows(rng: random.Random, count: int, pipeline: dict, ref: dict, first_id: dict):
    """`count` activities over the ISO weeks of 2021, one dict at a time (2M rows are never held
    whole). Units differ in how busy they are; about half the visits, talks and inspections
    follow one of the unit's leads (its open ones three times as likely), whose last_activity_on
    is moved as they go."""
    units = ref["units"]
    busyness = [rng.choice([1, 1, 2, 3, 5, 8]) for _ in units]
    cumulative = list(itertools.accumulate(busyness))
    leads = pipeline["leads"]
    leads_of_unit = {}
    for index, lead in enumerate(leads):
        weight = 3 if lead["stage"] in OPEN_STAGES else 1
        leads_of_unit.setdefault(lead["owner_unit_id"], []).extend([index] * weight)
    enterprises = pipeline["enterprises"]
    places = [city for cities in list(REGIONS.values())[:31] for city in cities[:3]]
    participants = ["分管领导、招商科", "主要负责人、招商专员", "招商科全体", "招商专员"]
    activity_id = first_id["activity"]
    for _ in range(count):
        unit = rng.choices(units, cum_weights=cumulative)[0]
        kind = rng.choice(KIND_MIX)
        day = rng.choice(DAYS)
        lead = enterprise = None
        own = leads_of_unit.get(unit)
        if own and kind in KINDS_WITH_A_LEAD and rng.random() < 0.5:
            lead = leads[rng.choice(own)]
            enterprise = lead["enterprise_id"]
            if lead["last_activity_on"] is None or lead["last_activity_on"] < day:
                lead["last_activity_on"] = day
        elif enterprises and kind in KINDS_WITH_A_LEAD and rng.random() < 0.2:
            enterprise = rng.choice(enterprises)["id"]
        yield {
            "id": activity_id,
            "kind": kind.value,
            "date": day,
            "unit_id": unit,
            "participants": rng.choice(participants),
            "place": rng.choice(places),
            "summary": f"{LABEL}{WHAT[kind]}" + (f"：{lead['name'].removeprefix(LABEL)}" if lead else ""),
            "lead_id": lead["id"] if lead else None,
            "enterprise_id": enterprise,
            "attachment": "",
            "attachment_name": "",
            "created_by_id": None,
            "created_at": datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC),
        }
        activity_id += 1


def check_columns(model, row: dict) -> None:
    """A row names every column of the table, so no NOT NULL column is left to chance."""
    columns = {field.column for field in model._meta.concrete_fields}
    if set(row) != columns:
        raise SystemExit(
            f"{model._meta.label}: the generator's columns differ from the model's: "
            f"missing {sorted(columns - set(row))}, unknown {sorted(set(row) - columns)}"
        )


@transaction.atomic
def write_pipeline(pipeline: dict, activities) -> int:
    """Enterprises, memberships, chain links, then the activities as generated, then the leads
    (whose last_activity_on the activities set): foreign keys are checked at commit on both
    databases. The number of activities written."""
    tables = [
        (TargetEnterprise, "enterprises"),
        (ListMembership, "memberships"),
        (EnterpriseLink, "enterprise_links"),
        (Lead, "leads"),
    ]
    for model, key in tables:
        if pipeline[key]:
            check_columns(model, pipeline[key][0])
    write(TargetEnterprise, pipeline["enterprises"])
    write(ListMembership, pipeline["memberships"])
    write(EnterpriseLink, pipeline["enterprise_links"])
    activities = iter(activities)
    first = next(activities, None)
    written = 0
    if first is not None:
        check_columns(Activity, first)
        written = write(Activity, itertools.chain([first], activities))
    write(Lead, pipeline["leads"])
    reset_sequences(PIPELINE_MODELS)
    return written


# --- Writing fast ------------------------------------------------------------------------

MONEY_COLUMNS = {"agreement_capital", "expected_output", "amount", "intended_investment"}


def as_db_value(column: str, value):
    if value is None:
        return None
    if column in MONEY_COLUMNS:
        return f"{value // 10000}.{value % 10000:04d}"  # 万元 integer -> 亿元 text, exact
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def write(model, rows, batch: int = 50_000) -> int:
    """Write `rows` (a list, or any iterable of dicts with the same keys: an iterator is consumed
    as it is written, never held whole) into `model`'s table; the number of rows written."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = list(first)
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([as_db_value(c, row[c]) for c in columns])
                    written += 1
        return written
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, batch)):
            cursor.executemany(sql, [[as_db_value(c, row[c]) for c in columns] for row in chunk])
            written += len(chunk)
    return written


# Milestones (landing): an approved project whose id % 4 is n has reached the first n of 开工,
# 投产, 达产, this many days after signing; one in three of them is still 待核实.
MILESTONE_DAYS = (90, 300, 540)


def milestone_rows(projects: list[dict], first_id: int):
    """The approved projects' milestones, derived from their rows (no random draw: the projects'
    stream stays what it was)."""
    milestone_id = first_id
    for project in projects:
        if project["status"] != Status.APPROVED or project["signed_on"] is None:
            continue
        for kind, days in zip(MILESTONE_ORDER[1 : 1 + project["id"] % 4], MILESTONE_DAYS):
            verified = milestone_id % 3 != 0
            yield {
                "id": milestone_id,
                "project_id": project["id"],
                "kind": kind.value,
                "planned_on": None,
                "actual_on": project["signed_on"] + datetime.timedelta(days=days),
                "evidence": "",
                "evidence_name": "",
                "verified": verified,
                "verified_by_id": None,
                "verified_at": CREATED_AT if verified else None,
                "updated_by_id": None,
                "updated_at": CREATED_AT,
            }
            milestone_id += 1


# Project column (projects.landing_facts) ← the milestone kind whose verified date it keeps.
FACT_COLUMNS = {"started": "started_on", "producing": "producing_on", "full_production": "full_production_on"}


def keep_landing_facts(projects: list[dict], first_milestone_id: int) -> None:
    """The projects' landing columns as projects.landing_facts keeps them: the verified milestones' dates,
    and the last update (every bench row is stamped CREATED_AT). One pass over the milestones
    the projects will have, none held."""
    by_id = {project["id"]: project for project in projects}
    for project in projects:
        project.update({column: None for column in FACT_COLUMNS.values()}, last_update_at=project["updated_at"])
    for milestone in milestone_rows(projects, first_milestone_id):
        if milestone["verified"] and milestone["kind"] in FACT_COLUMNS:
            by_id[milestone["project_id"]][FACT_COLUMNS[milestone["kind"]]] = milestone["actual_on"]


@transaction.atomic
def write_all(projects: list[dict], cooperations: list[dict], arrivals: list[dict]) -> None:
    first_milestone_id = next_ids()["milestone"]
    keep_landing_facts(projects, first_milestone_id)
    write(Project, projects)
    write(Cooperation, cooperations)
    write(Arrival, arrivals)
    write(Milestone, milestone_rows(projects, first_milestone_id))
    reset_sequences()


def assessed_units() -> tuple[list[int], list[int]]:
    """Ids of the assessed units, and of the parks among them, in a stable order."""
    units = Unit.objects.assessed().order_by("pk")
    return list(units.values_list("pk", flat=True)), list(units.filter(kind=UnitKind.PARK).values_list("pk", flat=True))


def next_ids() -> dict:
    def after(model):
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    return {
        "project": after(Project),
        "cooperation": after(Cooperation),
        "arrival": after(Arrival),
        "milestone": after(Milestone),
        "enterprise": after(TargetEnterprise),
        "membership": after(ListMembership),
        "enterprise_link": after(EnterpriseLink),
        "lead": after(Lead),
        "activity": after(Activity),
    }


def reset_sequences(models=(Project, Cooperation, Arrival, Milestone)) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; SQLite follows by itself."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def delete_bench_pipeline(cursor) -> None:
    """Bench activities, leads, and enterprises with their memberships and chain links."""
    table = {model: model._meta.db_table for model in PIPELINE_MODELS}
    leads = f"SELECT id FROM {table[Lead]} WHERE code LIKE %s"
    enterprises = f"SELECT id FROM {table[TargetEnterprise]} WHERE name LIKE %s"
    cursor.execute(
        f"DELETE FROM {table[Activity]} WHERE summary LIKE %s OR lead_id IN ({leads})", [LABEL + "%", LEAD_CODE_PREFIX + "%"]
    )
    cursor.execute(f"DELETE FROM {table[Lead]} WHERE code LIKE %s", [LEAD_CODE_PREFIX + "%"])
    cursor.execute(f"DELETE FROM {table[ListMembership]} WHERE enterprise_id IN ({enterprises})", [LABEL + "%"])
    cursor.execute(f"DELETE FROM {table[EnterpriseLink]} WHERE targetenterprise_id IN ({enterprises})", [LABEL + "%"])
    cursor.execute(f"DELETE FROM {table[TargetEnterprise]} WHERE name LIKE %s", [LABEL + "%"])


def delete_bench_data() -> None:
    bench = f"SELECT id FROM {Project._meta.db_table} WHERE code LIKE %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TaskReport._meta.db_table} WHERE progress LIKE %s", [LABEL + "%"])
        delete_bench_pipeline(cursor)  # first: signed bench leads point at bench projects
        for model in (Arrival, Cooperation, Milestone):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE project_id IN ({bench})", [CODE_PREFIX + "%"])
        cursor.execute(f"DELETE FROM {Project._meta.db_table} WHERE code LIKE %s", [CODE_PREFIX + "%"])


# --- Key-task reports (supervision) -----------------------------------------------------------
# A year of quarterly reports by every unit reporting on each of the plan's 15 tasks: the
# matrix's size is tasks × units, whatever the projects. In the last quarter one report in five is
# missing (marked overdue, as the daily job does) and one in ten returned.

TASK_REPORT_YEAR = 2021
TASK_STATUSES = (TaskStatus.ON_TRACK, TaskStatus.ON_TRACK, TaskStatus.BEHIND, TaskStatus.DONE)


def task_report_rows(year: int = TASK_REPORT_YEAR) -> list[TaskReport]:
    reports, n, pair = [], 0, 0
    for task in KeyTask.objects.filter(year=year).prefetch_related("lead_units", "responsible_units").order_by("number"):
        units = {unit.pk for unit in task.lead_units.all()} | {unit.pk for unit in task.responsible_units.all()}
        for unit_id in sorted(units):
            pair += 1
            for quarter in range(1, 5):
                n += 1
                due = due_date(year, quarter)
                filed = datetime.datetime.combine(due, datetime.time(10), tzinfo=datetime.UTC) - datetime.timedelta(days=n % 3)
                report = TaskReport(
                    task=task, unit_id=unit_id, year=year, quarter=quarter,
                    progress=f"{LABEL}第{quarter}季度进展情况", problems="无", next_steps=f"{LABEL}下步计划",
                    status=TASK_STATUSES[n % len(TASK_STATUSES)], state=ReportState.SUBMITTED,
                    submitted_at=filed, first_submitted_at=filed,
                )
                if quarter == 4 and pair % 5 == 0:
                    report.progress, report.problems, report.next_steps, report.status = LABEL, "", "", ""
                    report.state, report.submitted_at, report.first_submitted_at = ReportState.DUE, None, None
                    report.overdue_since = due + datetime.timedelta(days=1)
                elif quarter == 4 and pair % 10 == 1:
                    report.state, report.return_comment = ReportState.RETURNED, "请补充具体数据。"
                    report.returned_at = filed + datetime.timedelta(days=2)
                reports.append(report)
    return reports


def write_task_reports(year: int = TASK_REPORT_YEAR) -> int:
    """The plan's key tasks (their fixture, if not loaded) and the year's reports, unless the year
    has reports already."""
    if not KeyTask.objects.filter(year=year).exists():
        call_command("loaddata", "key_tasks_2021", verbosity=0)
    if TaskReport.objects.filter(year=year).exists():
        return 0
    return len(TaskReport.objects.bulk_create(task_report_rows(year), batch_size=2000))


def analyze() -> None:
    """Fresh statistics; on PostgreSQL also the visibility map, as autovacuum would set it
    soon after a load, so index-only scans do not fetch the heap."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, required=True, help="number of approved projects (0: none)")
    parser.add_argument("--enterprises", type=int, default=0, help="number of target enterprises")
    parser.add_argument("--leads", type=int, default=0, help="number of leads")
    parser.add_argument("--activities", type=int, default=0, help="number of activities, over the ISO weeks of 2021")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--reset", action="store_true", help="delete previous bench data (projects and pipeline) first")
    args = parser.parse_args(argv)
    pipeline_wanted = args.enterprises > 0 or args.leads > 0 or args.activities > 0

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.reset:
        started = time.perf_counter()
        delete_bench_data()
        print(f"deleted previous bench data in {time.perf_counter() - started:.1f} s")
    else:
        if args.projects > 0 and Project.objects.filter(code__startswith=CODE_PREFIX).exists():
            sys.exit("bench data already present: pass --reset to replace it")
        if pipeline_wanted and (
            Lead.objects.filter(code__startswith=LEAD_CODE_PREFIX).exists()
            or TargetEnterprise.objects.filter(name__startswith=LABEL).exists()
            or Activity.objects.filter(summary__startswith=LABEL).exists()
        ):
            sys.exit("bench pipeline data already present: pass --reset to replace it (and the bench projects)")
    ensure_reference_data()
    links = []
    if pipeline_wanted:
        ensure_chains()
        links = list(ChainNode.objects.links().filter(is_active=True).order_by("pk").values_list("pk", flat=True))

    units, parks = assessed_units()
    total = time.perf_counter()
    if args.projects > 0:
        started = time.perf_counter()
        projects, cooperations, arrivals = generate(random.Random(args.seed), args.projects, units, parks, next_ids())
        if pipeline_wanted:
            give_projects_chain_links(projects, links)
        print(
            f"generated {len(projects)} projects, {len(cooperations)} cooperations, {len(arrivals)} arrivals "
            f"in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        write_all(projects, cooperations, arrivals)
        print(f"written in {time.perf_counter() - started:.1f} s")
        del projects, cooperations, arrivals
    elif pipeline_wanted:
        started = time.perf_counter()
        linked = link_existing_projects(links)
        print(f"gave {linked} existing bench projects a chain link in {time.perf_counter() - started:.1f} s")
    if pipeline_wanted:
        started = time.perf_counter()
        ref = pipeline_reference(units, parks)
        rng = random.Random(args.seed + 1)  # a stream of its own: the projects stay what they were
        first_id = next_ids()
        pipeline = generate_pipeline(rng, args.enterprises, args.leads, ref, first_id)
        print(
            f"generated {len(pipeline['enterprises'])} enterprises, {len(pipeline['memberships'])} list memberships, "
            f"{len(pipeline['enterprise_links'])} chain links, {len(pipeline['leads'])} leads "
            f"in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        written = write_pipeline(pipeline, activity_rows(rng, args.activities, pipeline, ref, first_id))
        print(f"generated and written {written} activities, then the leads, in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    written = write_task_reports()
    print(f"wrote {written} key-task reports of {TASK_REPORT_YEAR} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    analyze()
    print(f"(VACUUM) ANALYZE in {time.perf_counter() - started:.1f} s")
    print(f"total {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main()
