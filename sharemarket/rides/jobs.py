"""Carpool jobs: commutes' days ahead, reminders before departure, closing rides that happened.

Each is safe to run twice: occurrences are unique per ride and day, reminders carry a dedupe
key, and a closed occurrence is never closed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.extensions import db
from sharemarket.jobs.registry import Job
from sharemarket.notifications.services import notify
from sharemarket.rides import seats, services
from sharemarket.rides.models import RideOccurrence, SeatBooking
from sharemarket.rides.settings import setting

# A ride is over this long after its departure, whatever its length.
CLOSE_AFTER = timedelta(hours=6)
BATCH = 200


def extend_occurrences(now: datetime) -> dict:
    return services.extend_occurrences(now=now)


def remind_departures(now: datetime) -> dict:
    """Tell the driver and each confirmed passenger, once, that the ride leaves soon."""
    soon = now + timedelta(hours=float(setting("RIDES_REMINDER_HOURS")))
    rows = db.session.execute(
        select(SeatBooking, RideOccurrence)
        .join(RideOccurrence, RideOccurrence.id == SeatBooking.occurrence_id)
        .where(
            RideOccurrence.departs_at > now,
            RideOccurrence.departs_at <= soon,
            RideOccurrence.cancelled.is_(False),
            SeatBooking.status.in_(booking_rules.HOLDING),
        )
        .order_by(RideOccurrence.id, SeatBooking.id)
    ).all()
    sent = 0
    for booking, occurrence in rows:
        ride = booking.ride
        key = f"ride-reminder:{occurrence.id}"
        for person in (booking.user, ride.driver):
            when = seats.format_when(occurrence.departs_at, ride, person.locale)
            note = notify(
                user=person,
                kind="ride_reminder",
                title=_l("Your ride leaves soon"),
                body=_l("%(route)s leaves at %(when)s.", route=ride.route_label, when=when),
                now=now,
                link=seats.ride_path(ride.id),
                dedupe_key=key,
            )
            sent += note is not None
    return {"reminders": sent}


def close_past(now: datetime) -> dict:
    """Requests not answered in time expire (their deadline is at the latest the departure);
    occurrences that have happened are closed, with the shared km of confirmed seats recorded.
    Works in batches until nothing is left."""
    expired = closed = 0
    shared = 0.0
    while late := db.session.scalars(
        select(Booking.id)
        .where(Booking.status == "requested", Booking.respond_by <= now, Booking.kind == seats.SeatKind.kind)
        .order_by(Booking.id)
        .limit(BATCH)
    ).all():
        expired += len(
            bookings.system_act_many(
                kind=seats.SeatKind.kind,
                action="expire",
                source="requested",
                ids=late,
                now=now,
                note="not answered in time",
                due=(Booking.respond_by <= now,),
            )
        )
    while due := db.session.scalars(
        select(RideOccurrence)
        .where(RideOccurrence.closed_at.is_(None), RideOccurrence.departs_at <= now - CLOSE_AFTER)
        .order_by(RideOccurrence.id)
        .limit(BATCH)
    ).all():
        for occurrence in due:
            if not occurrence.cancelled:
                shared += seats.record_impact(occurrence)
            occurrence.closed_at = now
        db.session.flush()
        closed += len(due)
    return {"closed": closed, "expired": expired, "shared_km": round(shared, 1)}


JOBS = [
    Job("rides_extend_occurrences", extend_occurrences, 6 * 3600),
    Job("rides_remind_departures", remind_departures, 300),
    Job("rides_close_past", close_past, 900),
]
