"""What the scheduler does for desks: release no-shows, remind members, close ended slots.

Each function is safe to run twice: it only moves bookings still in the status it looks for,
and its notifications carry dedupe keys.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.desks import rules
from sharemarket.desks.kind import DeskKind
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.desks.seats import booking_path
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.notifications.services import notify

BATCH = 500


def release_no_shows(now: datetime) -> dict:
    """Confirmed bookings not checked in 30 minutes after the start (or after a promotion from the
    waitlist, if later) become no-shows; the seat goes to the first on the waitlist."""
    cutoff = now - rules.NO_SHOW_AFTER
    # Narrowed to confirmed desk bookings through the (status, kind) index first: on its own, the
    # starts_at condition has SQLite walk every past booking of every kind (a million rows: seconds).
    confirmed_desks = select(Booking.id).where(Booking.status == "confirmed", Booking.kind == DeskKind.kind)
    due = db.session.scalars(
        select(DeskBooking)
        .where(
            DeskBooking.id.in_(confirmed_desks),
            DeskBooking.status == "confirmed",
            DeskBooking.starts_at <= cutoff,
            or_(DeskBooking.confirmed_at.is_(None), DeskBooking.confirmed_at <= cutoff),
        )
        .order_by(DeskBooking.starts_at, DeskBooking.id)
        .limit(BATCH)
    ).all()
    released = 0
    for booking in due:
        try:
            with db.session.begin_nested():
                bookings.system_act(booking=booking, action="no_show", now=now, note="not checked in")
        except DomainError:  # changed meanwhile (checked in or cancelled): leave it
            continue
        released += 1
        notify(
            user=booking.user,
            kind="desks",
            title=_l("Your desk seat was released"),
            body=_l(
                "You had not checked in 30 minutes after the start, so your seat at %(space)s was "
                "given to someone else. Check in from the booking page when you arrive.",
                space=booking.slot.space.name,
            ),
            link=booking_path(booking.id),
            now=now,
            email=False,
            dedupe_key=f"desk-no-show-{booking.id}",
        )
    return {"no_shows": released}


def remind_members(now: datetime) -> dict:
    """An hour before the start, tell each confirmed member (once)."""
    soon = db.session.scalars(
        select(DeskBooking)
        .where(
            DeskBooking.status == "confirmed",
            DeskBooking.starts_at > now,
            DeskBooking.starts_at <= now + rules.REMIND_BEFORE,
        )
        .order_by(DeskBooking.starts_at, DeskBooking.id)
        .limit(BATCH)
    ).all()
    sent = 0
    for booking in soon:
        slot = booking.slot
        local = slot.starts_at.astimezone(rules.zone(slot.space.timezone))
        note = notify(
            user=booking.user,
            kind="desks",
            title=_l("Your desk at %(space)s starts at %(time)s", space=slot.space.name, time=local.strftime("%H:%M")),
            body=_l(
                "%(desk)s at %(space)s is yours from %(time)s. Check in on arrival (from 15 minutes "
                "before); if you cannot come, cancel so someone else can have the seat.",
                desk=slot.desk.label,
                space=slot.space.name,
                time=local.strftime("%H:%M"),
            ),
            link=booking_path(booking.id),
            now=now,
            dedupe_key=f"desk-reminder-{booking.id}",
        )
        sent += note is not None
    return {"reminders": sent}


def close_past_slots(now: datetime) -> dict:
    """Ended slots are closed; whoever still waited on them is told no seat freed up."""
    ended = db.session.scalars(
        select(Slot).where(Slot.ends_at <= now, Slot.closed_at.is_(None)).order_by(Slot.ends_at).limit(BATCH)
    ).all()
    for slot in ended:
        waiting = db.session.scalars(
            select(DeskBooking)
            .where(DeskBooking.slot_id == slot.id, DeskBooking.status == "waitlisted")
            .order_by(DeskBooking.id)
        ).all()
        for booking in waiting:
            bookings.system_act(booking=booking, action="cancel", now=now, note="slot ended")
            notify(
                user=booking.user,
                kind="desks",
                title=_l("No seat freed up"),
                body=_l(
                    "No seat freed up at %(space)s for the slot you waited for. Your place on the waitlist is closed.",
                    space=slot.space.name,
                ),
                link=booking_path(booking.id),
                now=now,
                email=False,
                dedupe_key=f"desk-waitlist-closed-{booking.id}",
            )
        slot.closed_at = now
    db.session.flush()
    return {"slots_closed": len(ended)}
