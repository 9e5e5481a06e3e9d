"""Start deadlines and colours of a signed project (domain.md §9), as pure date logic.

No ORM: figures/landing.py applies the same rules in SQL for lists, and the tests hold both to the
same days (tests/test_landing_rules.py). docs/landing.md, "Start deadlines and colours", states them.

- 开工时限: the start deadline is the signing date + the rule set's `start_limit_days`.
- 超时限未开工: the deadline is before the day looked at (`as_of`) and the project has no counted
  开工 on or before it. On the deadline day itself the project is not overdue yet.
- Colours, on `as_of`: red when the deadline has passed without 开工, or when the last update is
  `quiet_red_days` or more days old; yellow when the deadline is 0 to `deadline_warning_days` days
  ahead without 开工, or when the last update is `quiet_yellow_days` or more days old. A project that
  has reached 达产, or was withdrawn, is never coloured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self]


COLOUR_LABELS = {Colour.RED: "红色", Colour.YELLOW: "黄色"}


@dataclass(frozen=True)
class LandingRules:
    """A rule set's landing numbers (targets.models.RuleSet.as_landing_rules)."""

    start_limit_days: int = 180
    deadline_warning_days: int = 30
    quiet_yellow_days: int = 60
    quiet_red_days: int = 90


def start_deadline(signed_on: date, rules: LandingRules) -> date:
    """The last day a project signed on `signed_on` may start (开工时限)."""
    return signed_on + timedelta(days=rules.start_limit_days)


def started_by(started_on: date | None, as_of: date) -> bool:
    """Whether a counted 开工 (its actual date, None when there is none) happened on or before `as_of`."""
    return started_on is not None and started_on <= as_of


def overdue_not_started(*, deadline: date, started_on: date | None, as_of: date) -> bool:
    """超时限未开工 on `as_of`: the deadline has passed (the day after it at the earliest) without 开工."""
    return deadline < as_of and not started_by(started_on, as_of)


def days_overdue(deadline: date, as_of: date) -> int:
    """Days since the deadline, on `as_of` (1 on the day after the deadline)."""
    return (as_of - deadline).days


def colour(
    *,
    signed_on: date | None,
    started_on: date | None,
    last_update: date,
    as_of: date,
    rules: LandingRules,
    full_production: bool = False,
    withdrawn: bool = False,
) -> Colour | None:
    """The project's colour on `as_of` (None: not coloured).

    `started_on` is the actual date of its counted 开工 (None without one), `full_production` whether
    it has a counted 达产 on or before `as_of`, `last_update` the day of its latest update (the
    project's own change, a milestone's, an arrival entered: figures/landing.py gathers it).
    A project not signed yet has not begun to land: it is not coloured.
    """
    if signed_on is None or full_production or withdrawn:
        return None
    quiet_days = (as_of - last_update).days
    deadline = start_deadline(signed_on, rules)
    not_started = not started_by(started_on, as_of)
    if quiet_days >= rules.quiet_red_days or (not_started and deadline < as_of):
        return Colour.RED
    if quiet_days >= rules.quiet_yellow_days or (not_started and (deadline - as_of).days <= rules.deadline_warning_days):
        return Colour.YELLOW
    return None
