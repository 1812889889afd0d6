"""A member's private calendar feed: their bookings of every kind, from the base `Booking` fields.

Each kind only has to `describe` its bookings (title, link, location), so loans, desk seats
and ride seats all appear once their kinds exist.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.bookings.kinds import handler_for
from sharemarket.bookings.models import Booking, BookingEvent
from sharemarket.calendars import ics
from sharemarket.extensions import db

PAST_DAYS = 30
MAX_EVENTS = 500
# What a calendar shows for each booking status.
ICS_STATUS = {
    "confirmed": "CONFIRMED",
    "active": "CONFIRMED",
    "overdue": "CONFIRMED",
    "checked_in": "CONFIRMED",
    "returned": "CONFIRMED",
    "requested": "TENTATIVE",
    "waitlisted": "TENTATIVE",
    "cancelled": "CANCELLED",
    "declined": "CANCELLED",
    "expired": "CANCELLED",
    "no_show": "CANCELLED",
}
STATUS_TEXT = {
    "requested": _l("Requested, waiting for an answer"),
    "waitlisted": _l("On the waitlist"),
    "cancelled": _l("Cancelled"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
    "no_show": _l("Released: not checked in"),
}


def feed_token(user: User) -> str:
    """The user's feed token, made on first use."""
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(32)
        db.session.flush()
    return user.calendar_token


def reset_feed_token(user: User) -> str:
    """A new feed URL; the old one stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or user.status != "active":
        return None
    return user


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def _sequences(booking_ids: list[int]) -> dict[int, int]:
    if not booking_ids:
        return {}
    rows = db.session.execute(
        select(BookingEvent.booking_id, func.count(BookingEvent.id))
        .where(BookingEvent.booking_id.in_(booking_ids))
        .group_by(BookingEvent.booking_id)
    ).all()
    return {booking_id: count - 1 for booking_id, count in rows}


def user_feed(*, user: User, now: datetime, base_url: str, timezone) -> bytes:
    """The user's bookings that end after a month ago, as events in the town's timezone."""
    found = db.session.scalars(
        select(Booking)
        .where(Booking.user_id == user.id, Booking.ends_at >= now - timedelta(days=PAST_DAYS))
        .order_by(Booking.starts_at, Booking.id)
        .limit(MAX_EVENTS)
    ).all()
    with force_locale(user.locale):
        name = str(_l("sharemarket: my bookings"))
        return bookings_calendar(found, name=name, now=now, base_url=base_url, timezone=timezone)


def bookings_calendar(found: list[Booking], *, name: str, now: datetime, base_url: str, timezone) -> bytes:
    """Bookings of any kind as VEVENTs; a cancelled one stays, marked STATUS:CANCELLED."""
    sequences = _sequences([b.id for b in found])
    host = ics.uid_host(base_url)
    calendar = ics.new_calendar(name)
    for booking in found:
        described = handler_for(booking).describe(booking)
        note = STATUS_TEXT.get(booking.status)
        ics.add_event(
            calendar,
            uid=f"booking-{booking.id}@{host}",
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            tz=timezone,
            summary=described["title"],
            status=ICS_STATUS.get(booking.status, "TENTATIVE"),
            now=now,
            sequence=sequences.get(booking.id, 0),
            description=str(note) if note else None,
            location=described.get("location"),
            url=base_url.rstrip("/") + described["link"] if described.get("link") else None,
            last_modified=booking.updated_at,
        )
    return ics.to_bytes(calendar)
