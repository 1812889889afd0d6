"""Pre-aggregation: recompute the figures of whole months into `impact_monthly` (idempotent)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, distinct, func, insert, select

from sharemarket.bookings.models import Booking
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.extensions import db
from sharemarket.impact.models import ImpactFigure
from sharemarket.listings.models import Listing, Loan
from sharemarket.rides.models import Ride, SeatBooking

# Loans that actually happened (picked up, possibly returned).
LENT = ("active", "overdue", "returned")
# Desk bookings that held a seat.
SEATED = ("confirmed", "checked_in")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _row(dimension: str, key, period: date, value, people: int) -> dict:
    return {"dimension": dimension, "key": str(key), "month": period, "value": float(value or 0), "people": people}


def _month_rows(month: date) -> list[dict]:
    start, end = _instant(month), _instant(next_month(month))
    rows: list[dict] = []

    def add(dimension, key, value, people):
        rows.append(_row(dimension, key, month, value, people))

    in_month = (Booking.starts_at >= start) & (Booking.starts_at < end)
    members = db.session.scalar(
        select(func.count(distinct(Booking.user_id))).where(in_month, Booking.status.in_(LENT + SEATED))
    )
    add("members", "all", members, members)

    loans = (
        select(
            Listing.category,
            func.count(Loan.id),
            func.count(distinct(Loan.listing_id)),
            func.coalesce(func.sum(Listing.replacement_value_cents), 0),
            func.count(distinct(Booking.user_id)),
            func.count(distinct(Listing.owner_id)),
        )
        .select_from(Loan)
        .join(Listing, Listing.id == Loan.listing_id)
        .where((Loan.starts_at >= start) & (Loan.starts_at < end), Loan.status.in_(LENT))
        .group_by(Listing.category)
    )
    for category, count, items, saved_cents, borrowers, owners in db.session.execute(loans):
        add("loans", category, count, borrowers)
        add("items", category, items, owners)
        add("money_saved_eur", category, saved_cents / 100, borrowers)

    seats = select(
        func.coalesce(func.sum(SeatBooking.seats), 0),
        func.coalesce(func.sum(SeatBooking.shared_km), 0),
        func.coalesce(func.sum(SeatBooking.co2_kg), 0),
        func.count(distinct(SeatBooking.user_id)),
        func.count(distinct(Ride.driver_id)),
    ).where(
        (SeatBooking.starts_at >= start),
        SeatBooking.starts_at < end,
        SeatBooking.shared_km.is_not(None),
        SeatBooking.ride_id == Ride.id,
    )
    seat_count, km, co2, passengers, drivers = db.session.execute(seats).one()
    people = passengers + drivers
    if seat_count:
        add("carpool_seats", "all", seat_count, people)
        add("km_shared", "all", km, people)
        add("co2_avoided_kg", "all", co2, people)
    rows.extend(_desk_rows(month))
    return rows


def _desk_rows(month: date) -> list[dict]:
    """Desk occupancy per space and week, for the weeks whose Monday falls in `month`."""
    rows = []
    monday = month + timedelta(days=(7 - month.weekday()) % 7)
    while monday < next_month(month):
        start, end = _instant(monday), _instant(monday + timedelta(days=7))
        live = (Slot.starts_at >= start) & (Slot.starts_at < end) & Slot.cancelled_at.is_(None)
        seats = (
            select(Slot.space_id, func.sum(Slot.booked), func.sum(Slot.capacity)).where(live).group_by(Slot.space_id)
        )
        spaces = db.session.execute(seats).all()
        # Who booked is asked only of a week with slots: without any, the planner cannot tell that
        # starting from the week's slots finds nothing at once (SQLite then walked every booking
        # in a seated status, 20-30 ms a week on 1M bookings).
        bookers = (
            dict(
                db.session.execute(
                    select(Slot.space_id, func.count(distinct(DeskBooking.user_id)))
                    .join(Slot, Slot.id == DeskBooking.slot_id)
                    .where(live, DeskBooking.status.in_(SEATED + ("no_show",)))
                    .group_by(Slot.space_id)
                ).all()
            )
            if spaces
            else {}
        )
        for space_id, booked, capacity in spaces:
            people = bookers.get(space_id, 0)
            for dimension, value in (("desk_booked", booked), ("desk_capacity", capacity)):
                rows.append(_row(dimension, space_id, monday, value, people))
        monday += timedelta(days=7)
    return rows


def refresh(months: list[date]) -> int:
    """Recompute these months (delete then insert: running it twice gives the same table)."""
    written = 0
    for month in months:
        weeks_end = next_month(month)
        db.session.execute(delete(ImpactFigure).where(ImpactFigure.month >= month, ImpactFigure.month < weeks_end))
        rows = _month_rows(month)
        if rows:
            db.session.execute(insert(ImpactFigure), rows)
        written += len(rows)
    db.session.flush()
    return written


def history_start() -> date | None:
    first = db.session.scalar(select(func.min(Booking.starts_at)))
    return first.date() if first else None
