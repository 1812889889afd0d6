"""The managers' calendar of a space: each slot as an event with its bookings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from sharemarket.accounts.models import User
from sharemarket.calendars import ics
from sharemarket.desks import rules
from sharemarket.desks.models import DeskBooking, Slot, Space
from sharemarket.extensions import db

PAST_DAYS = 14
AHEAD_DAYS = 90
MAX_EVENTS = 3000


def space_feed(*, space: Space, now: datetime, base_url: str) -> bytes:
    window = (
        Slot.space_id == space.id,
        Slot.ends_at >= now - timedelta(days=PAST_DAYS),
        Slot.starts_at < now + timedelta(days=AHEAD_DAYS),
    )
    slots = db.session.scalars(select(Slot).where(*window).order_by(Slot.starts_at, Slot.id).limit(MAX_EVENTS)).all()
    names: dict[int, list[str]] = {}
    holders = db.session.execute(
        select(DeskBooking.slot_id, User.display_name)
        .join(Slot, Slot.id == DeskBooking.slot_id)
        .join(User, User.id == DeskBooking.user_id)
        .where(*window, DeskBooking.status.in_(("confirmed", "checked_in")))
        .order_by(DeskBooking.id)
    )
    for slot_id, name in holders:
        names.setdefault(slot_id, []).append(name)
    calendar = ics.new_calendar(space.name)
    host = ics.uid_host(base_url)
    tz = rules.zone(space.timezone)
    for slot in slots:
        ics.add_event(
            calendar,
            uid=f"slot-{slot.id}@{host}",
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            tz=tz,
            summary=f"{slot.desk.label} {slot.booked}/{slot.capacity}",
            status="CANCELLED" if slot.cancelled else "CONFIRMED",
            now=now,
            description="\n".join(names.get(slot.id, [])) or None,
            location=space.address or space.place_label,
            url=f"{base_url.rstrip('/')}/spaces/{space.id}/schedule?day={slot.starts_at.astimezone(tz).date()}",
        )
    return ics.to_bytes(calendar)
