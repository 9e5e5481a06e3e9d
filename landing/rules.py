"""The rules a project's milestone dates obey (domain.md §9), as one pure function.

The entry form, the service that writes milestones and the Excel import all ask `date_problems`,
so a date refused in one is refused in all, with the same words. No database, no request.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from .models import MILESTONE_ORDER, MilestoneKind

PLANNED, ACTUAL = "planned_on", "actual_on"

# A milestone that needs the one before it reached: 投产 needs 开工, 达产 needs 投产. 注册 is
# optional (a project of a company already registered locally registers nothing), so 开工 needs nothing.
NEEDS = {MilestoneKind.PRODUCING: MilestoneKind.STARTED, MilestoneKind.FULL_PRODUCTION: MilestoneKind.PRODUCING}


@dataclass(frozen=True)
class Dates:
    """One milestone's planned and actual date (either may be empty)."""

    planned_on: datetime.date | None = None
    actual_on: datetime.date | None = None


def field_name(kind: str, which: str) -> str:
    """The form's field (and the error's key) for a milestone's date: `started_actual_on`."""
    return f"{kind}_{which}"


def date_problems(
    dates: Mapping[str, Dates], *, signed_on: datetime.date | None, today: datetime.date
) -> dict[str, str]:
    """Why these milestone dates (kind → Dates; a kind left out has none) cannot stand, by field
    (field_name(kind, PLANNED or ACTUAL)) → message; empty when they can."""
    problems: dict[str, str] = {}
    for which in (ACTUAL, PLANNED):
        previous: tuple[MilestoneKind, datetime.date] | None = None
        for kind in MILESTONE_ORDER:
            day = getattr(dates.get(kind, Dates()), which)
            if day is None:
                continue
            problem = _problem(kind, which, day, signed_on=signed_on, today=today, previous=previous)
            if which == ACTUAL and not problem and kind in NEEDS and _actual(dates, NEEDS[kind]) is None:
                needed = NEEDS[kind].label
                problem = f"填写{kind.label}日期须先有{needed}日期：项目{needed}之后才能{kind.label}，请先填写{needed}的实际日期。"
            if problem:
                problems[field_name(kind, which)] = problem
            previous = (kind, day)
    return problems


def _actual(dates: Mapping[str, Dates], kind: MilestoneKind) -> datetime.date | None:
    return dates.get(kind, Dates()).actual_on


def _problem(kind, which, day, *, signed_on, today, previous) -> str:
    kind_of_date = "实际" if which == ACTUAL else "计划"
    what = f"{kind.label}{kind_of_date}日期 {day:%Y-%m-%d} "
    if signed_on is None:
        return f"该项目还没有签约日期，不能填写{kind.label}日期：请先填写签约日期。"
    if which == ACTUAL and day > today:
        return f"{what}晚于今天（{today:%Y-%m-%d}）：节点达到后再填写实际日期，预计的日期请填在计划日期。"
    if day < signed_on:
        return f"{what}早于项目的签约日期 {signed_on:%Y-%m-%d}：节点在签约之后，请检查日期。"
    if previous is not None and day < previous[1]:
        before, before_day = previous
        return f"{what}早于{before.label}{kind_of_date}日期 {before_day:%Y-%m-%d}：节点不能早于前一个节点，请检查日期。"
    return ""
