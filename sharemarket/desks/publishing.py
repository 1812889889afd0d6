"""Managers publish slots (one, or a weekly schedule in the space's local time) and cancel them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.db import lock_row
from sharemarket.desks import rules
from sharemarket.desks.models import Desk, DeskBooking, Slot, Space
from sharemarket.desks.services import desks_by_ids, get_desk, require_manager
from sharemarket.errors import Conflict, ValidationFailed
from sharemarket.extensions import db

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Repeat:
    weekdays: list[int]
    until: date


def _check_terms(capacity: object, price_cents: object, errors: dict) -> None:
    if not isinstance(capacity, int) or not 1 <= capacity <= rules.MAX_CAPACITY:
        errors["capacity"] = [_l("Give a capacity from 1 to %(n)s.", n=rules.MAX_CAPACITY)]
    if not isinstance(price_cents, int) or not 0 <= price_cents <= rules.MAX_PRICE_CENTS:
        errors["price_cents"] = [_l("Give a price of 0 or more, in cents.")]


def _check_weekdays(weekdays: list[int], field: str, errors: dict) -> None:
    if not weekdays:
        errors[field] = [_l("Choose at least one day of the week.")]
    elif any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        errors[field] = [_l("Days of the week go from 0 (Monday) to 6 (Sunday).")]


def _check_period(first_day: date, last_day: date, field: str, errors: dict) -> None:
    if last_day < first_day:
        errors[field] = [_l("The last day must not be before the first.")]
    elif last_day > rules.one_year_after(first_day):
        errors[field] = [_l("Publish at most one year at a time.")]


def publish_slots(
    *,
    space: Space,
    actor: User,
    desk_id: int,
    start: datetime,
    end: datetime,
    capacity: int,
    now: datetime,
    price_cents: int = 0,
    repeat: Repeat | None = None,
) -> list[Slot]:
    """One slot, or with `repeat` the same local hours on those weekdays through `until`."""
    require_manager(space, actor)
    desk = get_desk(space, desk_id)
    errors: dict[str, list] = {}
    _check_terms(capacity, price_cents, errors)
    if start.tzinfo is None or end.tzinfo is None:
        errors["start"] = [_l("Give instants with their offset, e.g. 2026-12-01T09:00:00+01:00.")]
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    if end <= start:
        errors["end"] = [_l("The end must be after the start.")]
    elif end - start > rules.MAX_SLOT_LENGTH:
        errors["end"] = [_l("A slot lasts at most 24 hours.")]
    if start < now:
        errors["start"] = [_l("This slot would start in the past.")]
    tz = rules.zone(space.timezone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if repeat is not None:
        _check_weekdays(repeat.weekdays, "repeat.weekdays", errors)
        _check_period(local_start.date(), repeat.until, "repeat.until", errors)
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    if repeat is None:
        intervals = [(start.astimezone(UTC), end.astimezone(UTC))]
    else:
        intervals = rules.local_occurrences(
            first_day=local_start.date(),
            last_day=repeat.until,
            weekdays=repeat.weekdays,
            start=local_start.time(),
            end=local_end.time(),
            tz=tz,
            end_day_offset=(local_end.date() - local_start.date()).days,
        )
        intervals = [(s, e) for s, e in intervals if e > s and s >= now]
        if not intervals:
            raise ValidationFailed.field("repeat.weekdays", _l("No day of that period falls on these weekdays."))
    return _create(space, desk, intervals, capacity, price_cents, actor, now)


def publish_schedule(
    *,
    space: Space,
    actor: User,
    desk_ids: list[int],
    first_day: date,
    last_day: date,
    weekdays: list[int],
    hours: list[tuple[time, time]],
    now: datetime,
    capacity: int | None = None,
    price_cents: int = 0,
) -> list[Slot]:
    """'Weekdays 09:00–13:00 and 14:00–18:00 from day to day' for several desks: all or nothing.

    Without a capacity each desk's slots take its number of seats.
    """
    require_manager(space, actor)
    errors: dict[str, list] = {}
    desks = desks_by_ids(space, desk_ids) if desk_ids else []
    if not desks:
        errors["desks"] = [_l("Choose at least one desk.")]
    _check_terms(capacity if capacity is not None else 1, price_cents, errors)
    _check_weekdays(weekdays, "weekdays", errors)
    _check_period(first_day, last_day, "last_day", errors)
    if not hours:
        errors["hours"] = [_l("Give at least one range of hours.")]
    elif any(end <= start for start, end in hours):
        errors["hours"] = [_l("Each range must end after it starts.")]
    elif rules.first_overlap([(datetime.combine(first_day, s), datetime.combine(first_day, e)) for s, e in hours]):
        errors["hours"] = [_l("The ranges of hours overlap each other.")]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    tz = rules.zone(space.timezone)
    intervals = sorted(
        interval
        for start, end in hours
        for interval in rules.local_occurrences(
            first_day=first_day, last_day=last_day, weekdays=weekdays, start=start, end=end, tz=tz
        )
    )
    if not intervals:
        raise ValidationFailed.field("weekdays", _l("No day of that period falls on these weekdays."))
    if intervals[0][0] < now:
        raise ValidationFailed.field("first_day", _l("The first slot would start in the past."))
    created = []
    for desk in desks:
        created += _create(space, desk, intervals, capacity or desk.seats, price_cents, actor, now)
    return created


def _create(
    space: Space, desk: Desk, intervals: list[Interval], capacity: int, price_cents: int, actor: User, now: datetime
) -> list[Slot]:
    """Insert the slots unless one overlaps a live slot of the desk, under the desk's row lock."""
    lock_row(db.session, Desk, desk.id)
    existing = db.session.execute(
        select(Slot.starts_at, Slot.ends_at).where(
            Slot.desk_id == desk.id,
            Slot.cancelled_at.is_(None),
            Slot.starts_at < max(e for _, e in intervals),
            Slot.ends_at > min(s for s, _ in intervals),
        )
    ).all()
    tagged = [(tuple(row), "existing") for row in existing] + [(interval, "new") for interval in intervals]
    clash = rules.first_overlap([interval for interval, _ in tagged])
    if clash is not None:
        (a, _tag_a), (b, _tag_b) = tagged[clash[0]], tagged[clash[1]]
        tz = rules.zone(space.timezone)
        raise Conflict(
            _l(
                "%(desk)s already has a slot that overlaps %(when)s.",
                desk=desk.label,
                when=max(a[0], b[0]).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ),
            {"start": [_l("Overlaps another slot of this desk.")]},
        )
    slots = [
        Slot(
            desk_id=desk.id,
            space_id=space.id,
            starts_at=s,
            ends_at=e,
            capacity=capacity,
            booked=0,
            price_cents=price_cents,
            currency="EUR",
            created_at=now,
            created_by_id=actor.id,
        )
        for s, e in intervals
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(slots)
            db.session.flush()
    except IntegrityError:  # the exclusion constraint (PostgreSQL) caught what the lock should have
        raise Conflict(_l("Another slot of this desk overlaps."), {"start": [_l("Overlaps.")]}) from None
    return slots


def cancel_slot(*, slot: Slot, actor: User, now: datetime) -> Slot:
    """Cancel a slot that has not ended: its bookings are cancelled and each booker told."""
    from sharemarket.desks.seats import tell_slot_cancelled

    require_manager(slot.space, actor)
    lock_row(db.session, Slot, slot.id)
    db.session.refresh(slot)
    if slot.cancelled_at is not None:
        raise Conflict(_l("This slot is already cancelled."))
    if now >= slot.ends_at:
        raise Conflict(_l("This slot has ended; it can no longer be cancelled."))
    slot.cancelled_at = now
    db.session.flush()
    open_bookings = db.session.scalars(
        select(DeskBooking)
        .where(DeskBooking.slot_id == slot.id, DeskBooking.status.in_(("confirmed", "waitlisted")))
        .order_by(DeskBooking.id)
    ).all()
    for booking in open_bookings:
        bookings.system_act(booking=booking, action="cancel", now=now, note="slot cancelled")
        tell_slot_cancelled(booking, now)
    db.session.flush()
    return slot
