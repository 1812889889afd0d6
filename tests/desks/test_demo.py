from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sharemarket.demo import load_all
from sharemarket.desks import rules
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.extensions import db

PARIS = rules.zone("Europe/Paris")


def _local_starts(day) -> set[str]:
    starts = db.session.scalars(select(Slot.starts_at)).all()
    return {f"{s.astimezone(PARIS):%H:%M}" for s in starts if s.astimezone(PARIS).date() == day}


def test_demo_started_on_a_weekday_morning_has_desks_free_that_very_day(app):
    now = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # a Tuesday, 08:30 in Lorient
    load_all(now=now)
    today = now.astimezone(PARIS).date()
    assert _local_starts(today) == {"09:00", "14:00"}
    assert _local_starts(today + timedelta(days=1)) == {"09:00", "14:00"}
    assert db.session.scalar(select(DeskBooking.id).where(DeskBooking.status == "waitlisted")) is not None


def test_demo_started_in_the_afternoon_publishes_no_slot_in_the_past(app):
    now = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 15:30 in Lorient
    load_all(now=now)
    assert _local_starts(now.astimezone(PARIS).date()) == set()
