"""How full a space was or will be, per day and per week, in its own timezone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from sharemarket.desks import rules
from sharemarket.desks.models import DeskBooking, Slot, Space
from sharemarket.extensions import db


@dataclass
class Row:
    first_day: date
    slots: int = 0
    seats: int = 0
    booked: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return rules.occupancy_percent(self.booked, self.seats)

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)


def _rows(space: Space, starts: list[date], end_day: date) -> list[Row]:
    """One row per period starting on each of `starts` (the last one ends before `end_day`)."""
    tz = rules.zone(space.timezone)
    start = rules.local_day_bounds(starts[0], tz)[0]
    end = rules.local_day_bounds(end_day, tz)[0]
    live = (Slot.space_id == space.id, Slot.cancelled_at.is_(None), Slot.starts_at >= start, Slot.starts_at < end)
    slots = db.session.execute(select(Slot.id, Slot.starts_at, Slot.capacity, Slot.booked).where(*live)).all()
    statuses = db.session.execute(
        select(DeskBooking.slot_id, DeskBooking.status, func.count(DeskBooking.id))
        .join(Slot, Slot.id == DeskBooking.slot_id)
        .where(*live)
        .group_by(DeskBooking.slot_id, DeskBooking.status)
    ).all()
    by_slot: dict[int, dict[str, int]] = {}
    for slot_id, status, count in statuses:
        by_slot.setdefault(slot_id, {})[status] = count
    rows = [Row(day) for day in starts]
    for slot_id, starts_at, capacity, booked in slots:
        local_day = starts_at.astimezone(tz).date()
        row = next(r for r in reversed(rows) if r.first_day <= local_day)
        row.slots += 1
        row.seats += capacity
        row.booked += booked
        for status, count in by_slot.get(slot_id, {}).items():
            row.statuses[status] = row.statuses.get(status, 0) + count
    return rows


def by_day(space: Space, first_day: date, days: int = 7) -> list[Row]:
    starts = [first_day + timedelta(days=i) for i in range(days)]
    return _rows(space, starts, first_day + timedelta(days=days))


def by_week(space: Space, monday: date, weeks: int = 8) -> list[Row]:
    starts = [monday + timedelta(weeks=i) for i in range(weeks)]
    return _rows(space, starts, monday + timedelta(weeks=weeks))
