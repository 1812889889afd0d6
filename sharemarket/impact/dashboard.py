"""Read the pre-aggregated figures for a period, with small counts suppressed in public."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from sharemarket.desks.models import Space
from sharemarket.extensions import db
from sharemarket.impact.aggregate import month_start, months_between, next_month
from sharemarket.impact.models import ImpactFigure

# No published figure may come from fewer distinct people than this.
MIN_PEOPLE = 5
LICENSE = "ODbL-1.0"
LICENSE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
# Monthly dimensions, in display order; desk figures are weekly and per space.
MONTHLY = ("members", "items", "loans", "money_saved_eur", "carpool_seats", "km_shared", "co2_avoided_kg")
WEEKLY = ("desk_booked", "desk_capacity")


@dataclass(frozen=True)
class Period:
    first: date  # first day of the first month
    last: date  # first day of the last month

    @property
    def months(self) -> list[date]:
        return months_between(self.first, self.last)

    @property
    def end(self) -> date:
        return next_month(self.last)


def default_period(today: date) -> Period:
    last = today.replace(day=1)
    first = date(last.year - 1, last.month, 1)
    return Period(next_month(first), last)


def figures(period: Period, *, public: bool = True):
    """Rows (dimension, key, period start, value or None when suppressed, people) in order."""
    query = (
        select(ImpactFigure.dimension, ImpactFigure.key, ImpactFigure.month, ImpactFigure.value, ImpactFigure.people)
        .where(ImpactFigure.month >= period.first, ImpactFigure.month < period.end)
        .order_by(ImpactFigure.dimension, ImpactFigure.key, ImpactFigure.month)
        .execution_options(yield_per=1000)
    )
    for dimension, key, month, value, people in db.session.execute(query):
        hidden = public and people < MIN_PEOPLE
        yield dimension, key, month, None if hidden else round(value, 2), people


def summary(period: Period, *, public: bool = True) -> dict:
    """What the dashboard shows: per dimension, monthly totals and per-key totals; desk occupancy.
    Sums run in the database over the published figures (public: from at least MIN_PEOPLE)."""
    F = ImpactFigure
    in_period = (F.month >= period.first) & (F.month < period.end)
    shown = in_period & (F.people >= MIN_PEOPLE) if public else in_period
    monthly: dict[str, dict[date, float]] = {d: dict.fromkeys(period.months, 0.0) for d in MONTHLY}
    for dimension, month, value in db.session.execute(
        select(F.dimension, F.month, func.sum(F.value))
        .where(shown, F.dimension.in_(MONTHLY))
        .group_by(F.dimension, F.month)
    ):
        monthly[dimension][month] = value
    monthly["desk_occupancy"] = _monthly_occupancy(period, shown)
    by_key: dict[str, dict[str, float]] = defaultdict(dict)
    for dimension, key, value in db.session.execute(
        select(F.dimension, F.key, func.sum(F.value))
        .where(shown, F.dimension.in_(MONTHLY))
        .group_by(F.dimension, F.key)
        .order_by(F.dimension, F.key)
    ):
        by_key[dimension][key] = value
    desks: dict[str, dict[str, float]] = defaultdict(dict)
    for dimension, key, value in db.session.execute(
        select(F.dimension, F.key, func.sum(F.value)).where(shown, F.dimension.in_(WEEKLY)).group_by(F.dimension, F.key)
    ):
        desks[key][dimension] = value
    suppressed = (
        db.session.scalars(select(F.dimension).where(in_period, F.people < MIN_PEOPLE).distinct()).all()
        if public
        else []
    )
    names = dict(db.session.execute(select(Space.id, Space.name)).all())
    occupancy = [
        {
            "space": names.get(int(key), key),
            "booked": totals.get("desk_booked", 0),
            "capacity": totals["desk_capacity"],
            "rate": totals.get("desk_booked", 0) / totals["desk_capacity"] if totals["desk_capacity"] else 0.0,
        }
        for key, totals in sorted(desks.items(), key=lambda item: names.get(int(item[0]), ""))
        if "desk_capacity" in totals
    ]
    totals = {d: sum(monthly[d].values()) for d in MONTHLY}
    totals["members"] = max(monthly["members"].values(), default=0)
    capacity = sum(row["capacity"] for row in occupancy)
    totals["desk_occupancy"] = sum(row["booked"] for row in occupancy) / capacity if capacity else None
    return {
        "monthly": monthly,
        "by_key": dict(by_key),
        "totals": totals,
        "occupancy": occupancy,
        "suppressed": sorted(suppressed),
    }


def _monthly_occupancy(period: Period, shown) -> dict[date, float]:
    """Seats booked per 100 offered in all spaces, over the weeks whose Monday falls in each month."""
    F = ImpactFigure
    seats: dict[date, dict[str, float]] = {month: {} for month in period.months}
    for dimension, week, value in db.session.execute(
        select(F.dimension, F.month, func.sum(F.value))
        .where(shown, F.dimension.in_(WEEKLY))
        .group_by(F.dimension, F.month)
    ):
        totals = seats[month_start(week)]
        totals[dimension] = totals.get(dimension, 0) + value
    return {
        month: 100 * totals.get("desk_booked", 0) / totals["desk_capacity"] if totals.get("desk_capacity") else 0.0
        for month, totals in seats.items()
    }


def first_month() -> date | None:
    """The first month with figures: where the period picker starts."""
    return db.session.scalar(select(func.min(ImpactFigure.month)))


def weekly_occupancy(period: Period) -> dict:
    """For admins: every space's occupancy week by week, a row per week and a column per space
    (a cell is None for a week without slots there)."""
    cells: dict[tuple[str, date], dict[str, float]] = defaultdict(dict)
    for dimension, key, week, value, _people in figures(period, public=False):
        if dimension in WEEKLY:
            cells[(key, week)][dimension] = value
    names = dict(db.session.execute(select(Space.id, Space.name)).all())
    keys = sorted({key for key, _week in cells}, key=lambda key: names.get(int(key), key))
    weeks = sorted({week for _key, week in cells})

    def cell(key: str, week: date) -> dict | None:
        found = cells.get((key, week))
        if not found or not found.get("desk_capacity"):
            return None
        booked = found.get("desk_booked", 0)
        return {"booked": booked, "capacity": found["desk_capacity"], "rate": booked / found["desk_capacity"]}

    return {
        "spaces": [names.get(int(key), key) for key in keys],
        "weeks": [(week, [cell(key, week) for key in keys]) for week in weeks],
    }
