"""A figure against its target and time progress (序时进度): the colour rule and the `Figure`
view-model every page, the dashboard's export and the bulletin's web view read.

The figures stay Decimal; the `*_text` properties round them for display (lib.display).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lib import display
from targets import scoring

# Below this share of time progress a rate is "far behind" (严重滞后).
FAR_BEHIND_SHARE = Decimal("0.8")


class Progress(StrEnum):
    """A completion rate against time progress (序时进度); the value is the CSS class."""

    AHEAD = "progress-ahead"
    BEHIND = "progress-behind"
    FAR_BEHIND = "progress-far-behind"
    NONE = "progress-none"

    @property
    def label(self) -> str:
        return PROGRESS_LABELS[self]


PROGRESS_LABELS = {
    Progress.AHEAD: "达到序时进度",
    Progress.BEHIND: "落后序时进度",
    Progress.FAR_BEHIND: "严重滞后",
    Progress.NONE: "无目标",
}


def progress_of(rate: Decimal | None, time_progress: Decimal) -> Progress:
    """Ahead at or above time progress, behind down to 80% of it, far behind below; none without a target."""
    if rate is None:
        return Progress.NONE
    if rate >= time_progress:
        return Progress.AHEAD
    if rate >= time_progress * FAR_BEHIND_SHARE:
        return Progress.BEHIND
    return Progress.FAR_BEHIND


def legend(time_progress: Decimal) -> list[tuple[Progress, str]]:
    """The colour rule in words, with this period's thresholds."""
    far = time_progress * FAR_BEHIND_SHARE
    return [
        (Progress.AHEAD, f"达到序时进度：完成率 ≥ {display.rate(time_progress)}"),
        (Progress.BEHIND, f"落后序时进度：{display.rate(far)} ≤ 完成率 < {display.rate(time_progress)}"),
        (Progress.FAR_BEHIND, f"严重滞后：完成率 < {display.rate(far)}（序时进度的80%）"),
        (Progress.NONE, "– 未设目标，不考核"),
    ]


@dataclass(frozen=True)
class Figure:
    label: str
    actual: Decimal
    target: Decimal | None
    progress: Progress
    is_count: bool = False

    @classmethod
    def of(cls, label: str, actual: Decimal, target: Decimal | None, time_progress: Decimal, is_count: bool = False):
        return cls(label, actual, target, progress_of(scoring.completion_rate(actual, target), time_progress), is_count)

    @property
    def rate(self) -> Decimal | None:
        return scoring.completion_rate(self.actual, self.target)

    @property
    def actual_text(self) -> str:
        return display.amount(self.actual, self.is_count)

    @property
    def target_text(self) -> str:
        return display.amount(self.target, self.is_count)

    @property
    def rate_text(self) -> str:
        return display.rate(self.rate)


def indicator_figure(result: scoring.IndicatorResult, time_progress: Decimal) -> Figure:
    indicator = result.indicator
    return Figure.of(indicator.label, result.actual, result.target, time_progress, indicator.is_count)
