"""Ride offers and their occurrences: publish, materialise the days ahead, cancel.

Services take the acting user and `now`, flush, and never commit. Seat bookings live in
`seats.py`, the passenger search in `search.py`.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from sharemarket import geo
from sharemarket.accounts.models import User
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import rules
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
from sharemarket.rides.settings import setting

# A commute is published for at most this long; the driver publishes again after.
COMMUTE_MAX_DAYS = 731
ONE_OFF_MAX_AHEAD = timedelta(days=366)
SKIP_MAX = 400


def price_bounds(distance_km: float) -> tuple[int, int]:
    """(suggested, ceiling) per seat in cents for a trip of this straight-line length."""
    ceiling = rules.price_ceiling_cents(distance_km, setting("RIDES_PRICE_CEILING_CENTS_PER_KM"))
    suggested = rules.suggested_price_cents(distance_km, setting("RIDES_PRICE_CENTS_PER_KM"))
    return min(suggested, ceiling), ceiling


def quote(origin: Place, destination: Place) -> tuple[float, int, int]:
    """(distance km, suggested, ceiling): what a driver sees before publishing."""
    distance = geo.distance_km(origin.lat, origin.lng, destination.lat, destination.lng)
    return (distance, *price_bounds(distance))


def _check_timezone(name: str | None, errors: dict) -> str:
    name = name or current_app.config["SHAREMARKET_TIMEZONE"]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [_l("Unknown timezone; use a name such as Europe/Paris.")]
        return current_app.config["SHAREMARKET_TIMEZONE"]
    return name


def _check_numbers(seats: object, max_detour_km: object, errors: dict) -> float:
    if not isinstance(seats, int) or not rules.SEATS_MIN <= seats <= rules.SEATS_MAX:
        errors["seats"] = [_l("Offer between %(min)s and %(max)s seats.", min=rules.SEATS_MIN, max=rules.SEATS_MAX)]
    detour = rules.DEFAULT_DETOUR_KM if max_detour_km is None else max_detour_km
    if not isinstance(detour, int | float) or not math.isfinite(detour) or not 0 <= detour <= rules.DETOUR_MAX_KM:
        errors["max_detour_km"] = [
            _l("The detour must be between 0 and %(max)s km.", max=int(rules.DETOUR_MAX_KM)),
        ]
        return rules.DEFAULT_DETOUR_KM
    return float(detour)


def _check_recurrence(
    recurrence: rules.Recurrence, departure_at: datetime | None, timezone: str, now: datetime, errors: dict
) -> rules.Recurrence:
    today = rules.local_today(now, timezone)
    if not recurrence.weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in recurrence.weekdays):
        errors["recurrence.weekdays"] = [_l("Choose weekdays between 0 (Monday) and 6 (Sunday).")]
    if recurrence.at is None:
        errors["recurrence.time"] = [_l("Give the departure time as HH:MM, e.g. 07:45.")]
    start = recurrence.valid_from
    if start is None:
        start = max(today, departure_at.astimezone(ZoneInfo(timezone)).date()) if departure_at else today
    if start < today:
        errors["recurrence.from"] = [_l("The commute cannot start in the past.")]
    until = recurrence.valid_until
    if until is not None and until < start:
        errors["recurrence.until"] = [_l("The last day must be on or after the first.")]
    elif until is not None and (until - start).days > COMMUTE_MAX_DAYS:
        errors["recurrence.until"] = [_l("Publish a commute for at most two years.")]
    if len(recurrence.skip) > SKIP_MAX:
        errors["recurrence.skip"] = [_l("Too many skipped dates.")]
    return dataclasses.replace(recurrence, weekdays=tuple(sorted(set(recurrence.weekdays))), valid_from=start)


def _first_departure(recurrence: rules.Recurrence, timezone: str, now: datetime) -> datetime | None:
    end = recurrence.valid_until or recurrence.valid_from + timedelta(days=COMMUTE_MAX_DAYS)
    for day in rules.commute_dates(recurrence, recurrence.valid_from, end):
        departs = rules.local_departure(day, recurrence.at, timezone)
        if departs > now:
            return departs
    return None


def publish_ride(
    *,
    driver: User,
    origin: Place | None,
    destination: Place | None,
    seats: int,
    now: datetime,
    departure_at: datetime | None = None,
    recurrence: rules.Recurrence | None = None,
    price_cents: int | None = None,
    max_detour_km: float | None = None,
    timezone: str | None = None,
    preferences: rules.Preferences | None = None,
    note: str = "",
) -> Ride:
    """Publish a one-off ride (`departure_at`) or a weekly commute (`recurrence`), with its
    occurrences over the horizon. `price_cents` None takes the suggested contribution."""
    errors: dict[str, list] = {}
    origin = geo.collect_place(origin, "origin", errors, _l("Give a place."))
    destination = geo.collect_place(destination, "destination", errors, _l("Give a place."))
    distance = 0.0
    if origin and destination:
        distance = geo.distance_km(origin.lat, origin.lng, destination.lat, destination.lng)
        if distance < rules.SAME_PLACE_KM:
            errors["destination"] = [_l("The destination must differ from the origin.")]
    detour = _check_numbers(seats, max_detour_km, errors)
    timezone = _check_timezone(timezone, errors)
    preferences = preferences or rules.Preferences()
    if preferences.luggage not in rules.LUGGAGE_SIZES:
        errors["preferences.luggage"] = [_l("Choose none, small, medium or large.")]
    note = (note or "").strip()
    if len(note) > rules.NOTE_MAX:
        errors["note"] = [_l("Use at most %(n)s characters.", n=rules.NOTE_MAX)]
    suggested, ceiling = price_bounds(distance)
    if price_cents is None:
        price_cents = suggested
    elif not isinstance(price_cents, int) or not 0 <= price_cents <= ceiling:
        errors["price_cents"] = [
            _l(
                "Ask between 0 and %(max)s cents a seat for this distance: carpool shares costs, it is not a business.",
                max=ceiling,
            )
        ]
    if departure_at is not None and departure_at.tzinfo is None:
        errors["departure_at"] = [_l("Give the time with its offset, e.g. 2026-12-01T07:45:00+01:00.")]
        departure_at = None
    if recurrence is not None:
        recurrence = _check_recurrence(recurrence, departure_at, timezone, now, errors)
        if not errors:
            departure_at = _first_departure(recurrence, timezone, now)
            if departure_at is None:
                errors["recurrence"] = [_l("None of the commute's days lies ahead.")]
    elif departure_at is None:
        errors.setdefault("departure_at", [_l("Give the departure date and time.")])
    elif departure_at <= now:
        errors["departure_at"] = [_l("The departure is in the past.")]
    elif departure_at - now > ONE_OFF_MAX_AHEAD:
        errors["departure_at"] = [_l("Publish rides at most a year ahead.")]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    ride = Ride(
        driver_id=driver.id,
        origin_lat=origin.lat,
        origin_lng=origin.lng,
        origin_label=origin.label,
        destination_lat=destination.lat,
        destination_lng=destination.lng,
        destination_label=destination.label,
        distance_km=round(distance, 3),
        departure_at=departure_at,
        timezone=timezone,
        seats=seats,
        price_cents=price_cents,
        currency="EUR",
        max_detour_km=detour,
        note=note,
        status="active",
        created_at=now,
        updated_at=now,
        skip_dates=[],
        **dataclasses.asdict(preferences),
    )
    if recurrence is not None:
        ride.weekdays = list(recurrence.weekdays)
        ride.local_time = recurrence.at.strftime("%H:%M")
        ride.valid_from, ride.valid_until = recurrence.valid_from, recurrence.valid_until
        ride.skip_dates = sorted(d.isoformat() for d in recurrence.skip)
    db.session.add(ride)
    db.session.flush()
    if recurrence is None:
        _materialise(ride, [departure_at.astimezone(ZoneInfo(timezone)).date()], now)
    else:
        extend_ride(ride, now)
    return ride


def _occurrence_row(ride: Ride, day: date, departs_at: datetime) -> RideOccurrence:
    box = rules.ellipse_box(
        (ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng), ride.max_detour_km
    )
    return RideOccurrence(
        ride_id=ride.id,
        date=day,
        departs_at=departs_at,
        seats=ride.seats,
        seats_left=ride.seats,
        cancelled=False,
        min_lat=box.min_lat,
        max_lat=box.max_lat,
        min_lng=box.min_lng,
        max_lng=box.max_lng,
    )


def _departure_on(ride: Ride, day: date) -> datetime:
    if not ride.is_commute:
        return ride.departure_at
    return rules.local_departure(day, rules.parse_local_time(ride.local_time), ride.timezone)


def _materialise(ride: Ride, days: list[date], now: datetime) -> int:
    """Create the missing occurrences of these days that still lie ahead."""
    if not days:
        return 0
    existing = set(
        db.session.scalars(
            select(RideOccurrence.date).where(
                RideOccurrence.ride_id == ride.id, RideOccurrence.date >= min(days), RideOccurrence.date <= max(days)
            )
        )
    )
    created = 0
    for day in days:
        departs_at = _departure_on(ride, day)
        if day not in existing and departs_at > now:
            db.session.add(_occurrence_row(ride, day, departs_at))
            created += 1
    db.session.flush()
    return created


def extend_ride(ride: Ride, now: datetime) -> int:
    """Create a commute's occurrences up to the horizon; returns how many were added."""
    recurrence = ride.recurrence
    if recurrence is None or ride.status != "active":
        return 0
    today = rules.local_today(now, ride.timezone)
    target = today + timedelta(days=int(setting("RIDES_HORIZON_DAYS")))
    start = max(today, ride.materialised_until + timedelta(days=1)) if ride.materialised_until else today
    created = _materialise(ride, list(rules.commute_dates(recurrence, start, target)), now)
    ride.materialised_until = target
    return created


def extend_occurrences(*, now: datetime) -> dict:
    """The job: every active commute gets its occurrences up to the horizon (idempotent)."""
    horizon = (now + timedelta(days=int(setting("RIDES_HORIZON_DAYS")))).date()
    rides = db.session.scalars(
        select(Ride).where(
            Ride.status == "active",
            Ride.weekdays.is_not(None),
            or_(Ride.materialised_until.is_(None), Ride.materialised_until < horizon),
            or_(Ride.valid_until.is_(None), Ride.valid_until >= now.date() - timedelta(days=1)),
        )
    ).all()
    created = sum(extend_ride(ride, now) for ride in rides)
    return {"rides": len(rides), "occurrences": created}


def get_ride(ride_id: int) -> Ride:
    ride = db.session.get(Ride, ride_id)
    if ride is None:
        raise NotFound(_l("No such ride."))
    return ride


def occurrence_on(ride: Ride, day: date | None, now: datetime) -> RideOccurrence | None:
    """The occurrence of `day` (a one-off ride's only one when None), created on demand for a
    commute date past the horizon. None when the ride does not run that day."""
    query = select(RideOccurrence).where(RideOccurrence.ride_id == ride.id)
    if day is None:
        return db.session.scalar(query.order_by(RideOccurrence.date).limit(1)) if not ride.is_commute else None
    found = db.session.scalar(query.where(RideOccurrence.date == day))
    if found is not None or not ride.is_commute or not rules.runs_on(ride.recurrence, day):
        return found
    departs_at = _departure_on(ride, day)
    if departs_at <= now or ride.status != "active":
        return None
    try:
        with db.session.begin_nested():
            occurrence = _occurrence_row(ride, day, departs_at)
            db.session.add(occurrence)
        return occurrence
    except IntegrityError:  # created at the same moment by another request
        return db.session.scalar(query.where(RideOccurrence.date == day))


def upcoming_occurrences(ride: Ride, now: datetime, limit: int = 60) -> list[RideOccurrence]:
    return list(
        db.session.scalars(
            select(RideOccurrence)
            .where(RideOccurrence.ride_id == ride.id, RideOccurrence.departs_at > now)
            .order_by(RideOccurrence.departs_at)
            .limit(limit)
        )
    )


def _require_driver(ride: Ride, actor: User) -> None:
    if ride.driver_id != actor.id:
        raise NotAllowed(_l("Only the driver can change this ride."))


def _cancel_bookings(occurrence: RideOccurrence, actor: User, now: datetime) -> int:
    from sharemarket.bookings import services as bookings

    open_bookings = db.session.scalars(
        select(SeatBooking).where(
            SeatBooking.occurrence_id == occurrence.id, SeatBooking.status.in_(("requested", "confirmed"))
        )
    ).all()
    for booking in open_bookings:
        bookings.act(
            booking=booking, action="decline" if booking.status == "requested" else "cancel", actor=actor, now=now
        )
    return len(open_bookings)


def cancel_occurrence(*, ride: Ride, day: date, actor: User, now: datetime) -> RideOccurrence | None:
    """The driver does not drive on `day`: its requests are declined, its seats cancelled."""
    _require_driver(ride, actor)
    occurrence = db.session.scalar(
        select(RideOccurrence).where(RideOccurrence.ride_id == ride.id, RideOccurrence.date == day)
    )
    if occurrence is None:
        if not ride.is_commute or not rules.runs_on(ride.recurrence, day):
            raise ValidationFailed.field("date", _l("The ride does not run on %(date)s.", date=day.isoformat()))
    elif occurrence.departs_at <= now:
        raise Conflict(_l("This ride has already left."))
    if ride.is_commute and day.isoformat() not in ride.skip_dates:
        ride.skip_dates = sorted([*ride.skip_dates, day.isoformat()])
    if occurrence is not None and not occurrence.cancelled:
        _cancel_bookings(occurrence, actor, now)
        occurrence.cancelled = True
    ride.updated_at = now
    db.session.flush()
    return occurrence


def cancel_ride(*, ride: Ride, actor: User, now: datetime) -> Ride:
    """The driver withdraws the offer: every day ahead is cancelled with its bookings."""
    _require_driver(ride, actor)
    if ride.status == "cancelled":
        raise Conflict(_l("This ride is already cancelled."))
    for occurrence in upcoming_occurrences(ride, now, limit=10_000):
        if not occurrence.cancelled:
            _cancel_bookings(occurrence, actor, now)
            occurrence.cancelled = True
    ride.status = "cancelled"
    ride.updated_at = now
    db.session.flush()
    return ride


def rides_of(driver: User, *, include_past: bool, now: datetime) -> list[Ride]:
    query = select(Ride).where(Ride.driver_id == driver.id)
    if not include_past:
        ahead = select(RideOccurrence.id).where(RideOccurrence.ride_id == Ride.id, RideOccurrence.departs_at > now)
        query = query.where(Ride.status == "active", exists(ahead))
    return list(db.session.scalars(query.order_by(Ride.departure_at.desc(), Ride.id.desc())))
