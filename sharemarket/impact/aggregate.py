"""Pre-aggregation: recompute the figures of whole months into `impact_monthly` (idempotent)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, delete, distinct, func, insert, literal_column, select

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


def _month_rows(month: date, lent: dict[date, list]) -> list[dict]:
    """The month's figures; `lent`: `_loans_by_month` of the months being refreshed."""
    start, end = _instant(month), _instant(next_month(month))
    rows: list[dict] = []

    def add(dimension, key, value, people):
        rows.append(_row(dimension, key, month, value, people))

    in_month = (Booking.starts_at >= start) & (Booking.starts_at < end)
    members = db.session.scalar(
        select(func.count(distinct(Booking.user_id))).where(in_month, Booking.status.in_(LENT + SEATED))
    )
    add("members", "all", members, members)

    for category, count, items, saved_cents, borrowers, owners in lent.get(month, []):
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


# Months whose loans one query counts (see `_loans_by_month`): a few, so that telling a loan's
# month (a CASE over the months' bounds) stays cheap when the whole history is refreshed.
MONTHS_PER_QUERY = 6


def _loans_by_month(months: list[date]) -> dict[date, list]:
    """Per month and category: loans, items lent, money saved, borrowers and owners, a few months
    per query. Month by month, PostgreSQL hashed the whole loans table for each month's few
    thousand loans (0.1 s a month at 1M bookings); the scheduler's refresh of four months now
    does so once."""
    found: dict[date, list] = {}
    for first in range(0, len(months), MONTHS_PER_QUERY):
        chunk = months[first : first + MONTHS_PER_QUERY]
        bounds = [(_instant(month), _instant(next_month(month))) for month in chunk]
        which = case(
            *[
                ((Loan.starts_at >= start) & (Loan.starts_at < end), literal_column(str(index)))
                for index, (start, end) in enumerate(bounds)
            ]
        )
        loans = (
            select(which.label("month"), Loan.listing_id, Booking.user_id)
            .select_from(Loan)
            .where(
                Loan.starts_at >= min(start for start, _end in bounds),
                Loan.starts_at < max(end for _start, end in bounds),
                Loan.status.in_(LENT),
            )
            .subquery()
        )
        by_category = (
            select(
                loans.c.month,
                Listing.category,
                func.count(),
                func.count(distinct(loans.c.listing_id)),
                func.coalesce(func.sum(Listing.replacement_value_cents), 0),
                func.count(distinct(loans.c.user_id)),
                func.count(distinct(Listing.owner_id)),
            )
            .join(Listing, Listing.id == loans.c.listing_id)
            .where(loans.c.month.is_not(None))  # between two of the months asked for
            .group_by(loans.c.month, Listing.category)
            .order_by(loans.c.month, Listing.category)
        )
        for index, *figures in db.session.execute(by_category):
            found.setdefault(chunk[index], []).append(figures)
    return found


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
    lent = _loans_by_month(months)
    for month in months:
        weeks_end = next_month(month)
        db.session.execute(delete(ImpactFigure).where(ImpactFigure.month >= month, ImpactFigure.month < weeks_end))
        rows = _month_rows(month, lent)
        if rows:
            db.session.execute(insert(ImpactFigure), rows)
        written += len(rows)
    db.session.flush()
    return written


def history_start() -> date | None:
    first = db.session.scalar(select(func.min(Booking.starts_at)))
    return first.date() if first else None
