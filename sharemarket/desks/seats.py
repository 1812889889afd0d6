"""Booking a seat on a slot: capacity, waitlist, cancellation, check-in, no-shows.

Every change to a slot's seats happens under the slot's row lock, re-reading the booking's
status there, and the seat count moves with a conditional UPDATE that the CHECK constraint on
`slots` backs: whatever the number of concurrent requests, a slot never holds more than its
capacity, and a seat is never freed twice.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.db import lock_row
from sharemarket.desks import rules
from sharemarket.desks.models import DeskBooking, Slot, SpaceManager
from sharemarket.errors import BookingConflict, Conflict, InvalidTransition, NotAllowed, SlotFull
from sharemarket.extensions import db
from sharemarket.notifications.services import notify

SLOTS = Slot.__table__


def booking_path(booking_id: int) -> str:
    return f"/desk-bookings/{booking_id}"


def _take_seat(slot_id: int) -> bool:
    taken = db.session.execute(
        SLOTS.update()
        .where(SLOTS.c.id == slot_id, SLOTS.c.booked < SLOTS.c.capacity, SLOTS.c.cancelled_at.is_(None))
        .values(booked=SLOTS.c.booked + 1)
    ).rowcount
    return taken == 1


def _free_seat(slot_id: int) -> None:
    db.session.execute(
        SLOTS.update().where(SLOTS.c.id == slot_id, SLOTS.c.booked > 0).values(booked=SLOTS.c.booked - 1)
    )


def _lock_slot(slot: Slot) -> None:
    lock_row(db.session, Slot, slot.id)


def book(*, slot: Slot, user: User, now: datetime, waitlist: bool = False) -> DeskBooking:
    """A seat on the slot (`confirmed`), or with `waitlist` a place in line when it is full."""
    if user.status != "active":
        raise NotAllowed(_l("This account cannot book."))
    space = slot.space
    if space.max_future_bookings:
        # Serialises this member's own bookings, so two at once cannot both pass the limit.
        lock_row(db.session, User, user.id)
    _lock_slot(slot)
    db.session.refresh(slot)
    if slot.cancelled_at is not None:
        raise Conflict(_l("This slot was cancelled."))
    if now >= slot.ends_at:
        raise Conflict(_l("This slot has ended."))
    mine = db.session.scalar(
        select(DeskBooking.id).where(DeskBooking.slot_id == slot.id, DeskBooking.open_user_id == user.id)
    )
    if mine is not None:
        raise BookingConflict(_l("You already have a booking on this slot."))
    if space.max_future_bookings:
        upcoming = db.session.scalar(
            select(func.count(DeskBooking.id))
            .join(Slot, Slot.id == DeskBooking.slot_id)
            .where(
                Slot.space_id == space.id,
                DeskBooking.user_id == user.id,
                DeskBooking.status.in_(("confirmed", "waitlisted")),
                DeskBooking.ends_at > now,
            )
        )
        if upcoming >= space.max_future_bookings:
            raise Conflict(
                _l("This space allows at most %(n)s upcoming bookings per member.", n=space.max_future_bookings)
            )
    if _take_seat(slot.id):
        status = "confirmed"
    elif waitlist:
        status = "waitlisted"
    else:
        raise SlotFull(_l("This slot is full. Join the waitlist to be booked when a seat frees up."))
    db.session.expire(slot, ["booked"])
    booking = DeskBooking(
        status=status,
        user_id=user.id,
        slot_id=slot.id,
        open_user_id=user.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        late_cancel=False,
        confirmed_at=now if status == "confirmed" else None,
    )
    return bookings.start(booking, now=now, actor_id=user.id)


def waitlist_position(booking: DeskBooking) -> int | None:
    if booking.status != "waitlisted":
        return None
    return db.session.scalar(
        select(func.count(DeskBooking.id)).where(
            DeskBooking.slot_id == booking.slot_id, DeskBooking.status == "waitlisted", DeskBooking.id <= booking.id
        )
    )


def _promote_next(slot: Slot, now: datetime) -> None:
    """Give a freed seat to the first in line, at once, and tell them."""
    if slot.cancelled_at is not None or now >= slot.ends_at:
        return
    first = db.session.scalar(
        select(DeskBooking)
        .where(DeskBooking.slot_id == slot.id, DeskBooking.status == "waitlisted")
        .order_by(DeskBooking.id)
        .limit(1)
    )
    if first is None:
        return
    bookings.system_act(booking=first, action="promote", now=now, note="a seat freed up")
    notify(
        user=first.user,
        kind="desks",
        title=_l("A seat freed up: you are booked"),
        body=_l(
            "A seat freed up at %(space)s (%(desk)s) and it is yours. If you cannot come, cancel it "
            "so the next person can have it.",
            space=slot.space.name,
            desk=slot.desk.label,
        ),
        link=booking_path(first.id),
        now=now,
        dedupe_key=f"desk-promoted-{first.id}",
    )


def _status_in_database(booking: DeskBooking) -> str | None:
    table = Booking.__table__
    return db.session.execute(select(table.c.status).where(table.c.id == booking.id)).scalar()


def on_transition(booking: DeskBooking, action: str, old_status: str, actor_id: int | None, now: datetime) -> None:
    with db.session.no_autoflush:
        slot = booking.slot
        _lock_slot(slot)
        if _status_in_database(booking) != old_status:
            raise InvalidTransition(_l("This booking changed meanwhile. Reload the page and try again."))
        db.session.refresh(slot, ["booked", "cancelled_at"])
    if action == "promote":
        if not _take_seat(slot.id):
            raise SlotFull(_l("This slot is full."))
        booking.confirmed_at = now
    if action == "cancel" and old_status == "confirmed" and actor_id == booking.user_id:
        booking.late_cancel = rules.is_late_cancellation(slot.starts_at, slot.space.cancel_cutoff_hours, now)
    if action == "check_in":
        booking.checked_in_at = now
    if booking.status in booking_rules.FINAL:
        booking.open_user_id = None
    if old_status in booking_rules.HOLDING and booking.status not in booking_rules.HOLDING:
        _free_seat(slot.id)
        _promote_next(slot, now)
    db.session.expire(slot, ["booked"])
    if action == "cancel" and actor_id is not None and actor_id != booking.user_id:
        notify(
            user=booking.user,
            kind="desks",
            title=_l("Your desk booking was cancelled"),
            body=_l("The managers of %(space)s cancelled your booking.", space=slot.space.name),
            link=booking_path(booking.id),
            now=now,
        )


def check_action(booking: DeskBooking, action: str, now: datetime) -> None:
    slot = booking.slot
    if action == "check_in" and not rules.can_check_in(slot.starts_at, slot.ends_at, now):
        opens, closes = rules.check_in_window(slot.starts_at, slot.ends_at)
        if now < opens:
            raise Conflict(_l("Check-in opens 15 minutes before the start."))
        raise Conflict(_l("This slot has ended: check-in is closed."))
    if action == "cancel" and booking.status == "confirmed" and now >= slot.ends_at:
        raise Conflict(_l("This slot has ended: the booking can no longer be cancelled."))


def tell_slot_cancelled(booking: DeskBooking, now: datetime) -> None:
    slot = booking.slot
    notify(
        user=booking.user,
        kind="desks",
        title=_l("A desk slot you booked was cancelled"),
        body=_l(
            "%(space)s cancelled the slot of %(desk)s you had booked. Your booking is cancelled; "
            "look for another slot on the space's page.",
            space=slot.space.name,
            desk=slot.desk.label,
        ),
        link=f"/spaces/{slot.space_id}",
        now=now,
        dedupe_key=f"desk-slot-cancelled-{booking.id}",
    )


def provider_ids(booking: DeskBooking) -> set[int]:
    return booking.slot.space.manager_ids


def handled_by(user_id: int):
    return (
        select(DeskBooking.id)
        .join(Slot, Slot.id == DeskBooking.slot_id)
        .join(SpaceManager, SpaceManager.space_id == Slot.space_id)
        .where(SpaceManager.user_id == user_id)
    )
