"""Geometry of the server-rendered SVG bar charts (drawn by templates/impact/_chart.html).

The drawing is small (360 units wide) so that its text stays readable on a phone, where the SVG
is scaled down least; a vertical axis with round ticks tells the size of the bars, and the
months are named on the horizontal axis every few bars (the year under January and the first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 360, 210
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 6, 12, 38
# Months named on the horizontal axis at most (the others are in the table and the tooltips).
MONTH_LABELS_MAX = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: date
    value: float
    named: bool  # the month is written under the bar
    with_year: bool  # and the year under it


@dataclass(frozen=True)
class Tick:
    y: float
    value: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    left = PAD_LEFT
    right = WIDTH - PAD_RIGHT
    baseline = HEIGHT - PAD_BOTTOM


def nice_top(value: float) -> float:
    """The round number (1, 1.2, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten) at or above
    `value`: the top of the axis, halved for the middle tick."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.2, 1.5, 2, 3, 4, 5, 6, 8, 10) if value <= step * power * (1 + 1e-9))


def month_chart(series: dict[date, float]) -> Chart:
    """One bar per month, left to right, on an axis from 0 to a round number with three ticks."""
    months = sorted(series)
    top = nice_top(max(series.values(), default=0))
    usable = HEIGHT - PAD_BOTTOM - PAD_TOP
    ticks = [Tick(y=round(HEIGHT - PAD_BOTTOM - usable * share, 1), value=top * share) for share in (0, 0.5, 1)]
    if not months:
        return Chart([], ticks)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / len(months)
    every = math.ceil(len(months) / MONTH_LABELS_MAX)
    bars = []
    for index, month in enumerate(months):
        value = series[month] or 0.0
        height = usable * value / top
        named = index % every == 0
        bars.append(
            Bar(
                x=round(PAD_LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - PAD_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                month=month,
                value=value,
                named=named,
                with_year=named and (index == 0 or month.month <= every),
            )
        )
    return Chart(bars, ticks)
