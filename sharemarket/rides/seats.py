"""Seat bookings: the "seat" kind of the booking engine, requesting seats, and shared-km impact.

Seats are held per occurrence. Approving takes them with one conditional UPDATE
(`seats_left = seats_left - n WHERE seats_left >= n`), so whatever the concurrency an occurrence
never confirms more seats than it offers; a CHECK constraint backs it. Leaving a holding status
(cancel) gives them back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from sharemarket import geo
from sharemarket.api.schemas import iso_utc, user_ref
from sharemarket.bookings import kinds
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.db import among, lock_row
from sharemarket.errors import Conflict, InvalidTransition, NotAllowed, SlotFull, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.notifications.services import Notice, notify, notify_many, recipients
from sharemarket.rides import privacy, rules, services
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
from sharemarket.rides.settings import setting

OCCURRENCES = RideOccurrence.__table__


def format_when(instant: datetime, ride: Ride, locale: str) -> str:
    return format_datetime(instant, "EEE d MMM HH:mm", tzinfo=ZoneInfo(ride.timezone), locale=locale)


def ride_path(ride_id: int) -> str:
    """The ride's page, as a path; works in jobs too, where there is no request to build URLs from."""
    return current_app.url_map.bind("").build("rides.detail", {"ride_id": ride_id})


# Who hears of each move, and what: (recipient, notification kind, texts from the facts).
ANNOUNCEMENTS = {
    "approve": (
        "passenger",
        "seat_confirmed",
        lambda v: (_l("Your seat is confirmed"), _l("%(driver)s takes you on %(route)s, %(when)s.", **v)),
    ),
    "decline": (
        "passenger",
        "seat_declined",
        lambda v: (
            _l("Your seat request was declined"),
            _l("%(driver)s cannot take you on %(route)s, %(when)s. Other rides may fit: search again.", **v),
        ),
    ),
    "expire": (
        "passenger",
        "seat_expired",
        lambda v: (
            _l("Your seat request expired"),
            _l("The driver did not answer in time for %(route)s, %(when)s.", **v),
        ),
    ),
    "cancel_by_passenger": (
        "driver",
        "seat_cancelled",
        lambda v: (_l("A passenger cancelled"), _l("%(name)s will not ride with you on %(route)s, %(when)s.", **v)),
    ),
    "cancel_by_driver": (
        "passenger",
        "seat_cancelled",
        lambda v: (
            _l("The driver cancelled your seat"),
            _l("%(driver)s cannot take you on %(route)s, %(when)s. Other rides may fit: search again.", **v),
        ),
    ),
}


class SeatKind:
    """The booking engine's handler for ride seats; the provider is the driver."""

    kind = "seat"
    model = SeatBooking
    # An expired seat request is told by the seat's own message (ANNOUNCEMENTS), with the ride's day.
    announces_expiry = True

    def provider_ids(self, booking: SeatBooking) -> set[int]:
        return {booking.ride.driver_id}

    def handled_by(self, user_id: int) -> Select:
        seats, rides = SeatBooking.__table__, Ride.__table__
        return select(seats.c.id).join(rides, rides.c.id == seats.c.ride_id).where(rides.c.driver_id == user_id)

    def check_action(self, booking: SeatBooking, action: str, now: datetime) -> None:
        occurrence = booking.occurrence
        if action in ("approve", "cancel") and occurrence.departs_at <= now:
            raise InvalidTransition(_l("This ride has already left."))
        if action == "approve" and occurrence.cancelled:
            raise InvalidTransition(_l("The driver cancelled this date."))

    def on_transition(
        self, booking: SeatBooking, action: str, old_status: str, actor_id: int | None, now: datetime
    ) -> None:
        """Seats are taken or given back first (the occurrence's row lock), then the booking's
        status is re-read under its own row lock (what the scheduler's bulk expiry locks), so a
        request that expired or was answered meanwhile is not moved again."""
        was, holds = old_status in booking_rules.HOLDING, booking.status in booking_rules.HOLDING
        with db.session.no_autoflush:  # the new status is written after the check below
            if holds and not was:
                take_seats(booking.occurrence, booking.seats)
            elif was and not holds:
                give_back_seats(booking.occurrence, booking.seats)
        stored = bookings.locked_status(booking)
        if stored != old_status:
            raise InvalidTransition(_l("This seat booking changed meanwhile (it is now %(status)s).", status=stored))
        if action == "cancel":
            action = "cancel_by_passenger" if actor_id == booking.user_id else "cancel_by_driver"
        if action in ANNOUNCEMENTS:
            notice = _announcement(action, booking.ride, booking.user, booking.occurrence.departs_at)
            notify(user=notice.user, kind=notice.kind, title=notice.title, body=notice.body, now=now, link=notice.link)

    def on_bulk_transition(self, ids: list[int], action: str, now: datetime) -> None:
        """A bulk move holds no seats before or after (requests expiring): the announcements only."""
        if action not in ANNOUNCEMENTS:
            return
        rows = db.session.execute(
            select(SeatBooking.__table__.c.ride_id, Booking.user_id, RideOccurrence.departs_at)
            .select_from(SeatBooking.__table__)
            .join(Booking, Booking.id == SeatBooking.__table__.c.id)
            .join(RideOccurrence, RideOccurrence.id == SeatBooking.__table__.c.occurrence_id)
            .where(among(SeatBooking.__table__.c.id, ids))
            .order_by(SeatBooking.__table__.c.id)
        ).all()
        rides = {
            ride.id: ride
            for ride in db.session.scalars(
                select(Ride).where(Ride.id.in_({row.ride_id for row in rows})).options(selectinload(Ride.driver))
            )
        }
        passengers = recipients(row.user_id for row in rows)
        notify_many(
            [_announcement(action, rides[row.ride_id], passengers[row.user_id], row.departs_at) for row in rows],
            now=now,
        )

    def describe(self, booking: SeatBooking) -> dict:
        return {"title": str(_l("Ride %(route)s", route=booking.ride.route_label)), "link": ride_path(booking.ride_id)}

    def describe_many(self, ids: list[int]) -> dict[int, dict]:
        seats = SeatBooking.__table__
        pairs = db.session.execute(select(seats.c.id, seats.c.ride_id).where(among(seats.c.id, ids))).all()
        rides = {
            ride.id: ride for ride in db.session.scalars(select(Ride).where(Ride.id.in_({p.ride_id for p in pairs})))
        }
        return {
            booking_id: {
                "title": _l("Ride %(route)s", route=rides[ride_id].route_label),
                "link": ride_path(ride_id),
            }
            for booking_id, ride_id in pairs
        }

    def to_json(self, booking: SeatBooking, viewer_id: int | None) -> dict:
        ride = booking.ride
        exact = viewer_id == ride.driver_id or booking.status in booking_rules.HOLDING
        return {
            "ride_id": ride.id,
            "occurrence_id": booking.occurrence_id,
            "seats": booking.seats,
            "date": booking.date.isoformat(),
            "departure_at": iso_utc(booking.occurrence.departs_at),
            "pickup": _shown(booking.pickup, ride.origin, booking.id, exact).as_dict(),
            "dropoff": _shown(booking.dropoff, ride.destination, booking.id + 1, exact).as_dict(),
            "price_cents": booking.price_cents,
            "currency": ride.currency,
            "driver": user_ref(ride.driver),
            "shared_km": booking.shared_km,
            "co2_kg": booking.co2_kg,
        }


def _shown(point: Place, ride_end: Place, seed: int, exact: bool) -> Place:
    """A pick-up at the driver's own start stays approximate until the seat is confirmed."""
    at_ride_end = (point.lat, point.lng) == (ride_end.lat, ride_end.lng)
    return privacy.shown_place(point, seed, exact or not at_ride_end)


def _announcement(action: str, ride: Ride, passenger, departs_at: datetime) -> Notice:
    """What ANNOUNCEMENTS says of `action` on a seat of `ride` leaving at `departs_at`, and to whom."""
    recipient, kind, texts = ANNOUNCEMENTS[action]
    user = ride.driver if recipient == "driver" else passenger
    title, body = texts(
        {
            "driver": ride.driver.display_name,
            "name": passenger.display_name,
            "route": ride.route_label,
            "when": format_when(departs_at, ride, user.locale),
        }
    )
    return Notice(user=user, kind=kind, title=title, body=body, link=ride_path(ride.id))


kinds.register(SeatKind())


def take_seats(occurrence: RideOccurrence, seats: int) -> None:
    """Hold seats, or SlotFull (409) when fewer are left: the database decides, atomically."""
    taken = db.session.execute(
        OCCURRENCES.update()
        .where(OCCURRENCES.c.id == occurrence.id, OCCURRENCES.c.seats_left >= seats, OCCURRENCES.c.cancelled.is_(False))
        .values(seats_left=OCCURRENCES.c.seats_left - seats)
    ).rowcount
    db.session.expire(occurrence, ["seats_left"])
    if not taken:
        raise SlotFull(_l("Not enough seats left on this date (%(n)s left).", n=occurrence.seats_left))


def give_back_seats(occurrence: RideOccurrence, seats: int) -> None:
    db.session.execute(
        OCCURRENCES.update()
        .where(OCCURRENCES.c.id == occurrence.id)
        .values(seats_left=OCCURRENCES.c.seats_left + seats)
    )
    db.session.expire(occurrence, ["seats_left"])


def _endpoint(place: Place | None, default: Place, field: str) -> Place:
    if place is None:
        return default
    lat, lng = geo.check_coordinates(place.lat, place.lng, field)
    return Place(lat, lng, (place.label or "").strip()[:200] or None)


def request_seats(
    *,
    ride: Ride,
    passenger,
    seats: int,
    now: datetime,
    day: date | None = None,
    pickup: Place | None = None,
    dropoff: Place | None = None,
) -> SeatBooking:
    """Ask the driver for seats on one day of the ride (`day` is required for a commute).

    Pick-up and drop-off default to the ride's own start and end; any other pair must cost the
    driver no more than their accepted detour (geodesic). The driver is told."""
    if ride.status != "active":
        raise Conflict(_l("This ride is cancelled."))
    if ride.driver.status != "active":  # suspended or closed: they cannot answer
        raise Conflict(_l("The driver does not take passengers at the moment."))
    if passenger.id == ride.driver_id:
        raise NotAllowed(_l("This is your own ride."))
    if not isinstance(seats, int) or not rules.SEATS_MIN <= seats <= ride.seats:
        raise ValidationFailed.field("seats", _l("This ride offers %(n)s seats at most.", n=ride.seats))
    if day is None and ride.is_commute:
        raise ValidationFailed.field("date", _l("Choose the date of the commute you want to join."))
    occurrence = services.occurrence_on(ride, day, now)
    if occurrence is None:
        raise ValidationFailed.field("date", _l("The ride does not run on that date."))
    if occurrence.cancelled:
        raise Conflict(_l("The driver cancelled this date."))
    if occurrence.departs_at <= now:
        raise ValidationFailed.field("date", _l("This ride has already left."))
    pickup = _endpoint(pickup, ride.origin, "pickup")
    dropoff = _endpoint(dropoff, ride.destination, "dropoff")
    origin, destination = (ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng)
    p, q = (pickup.lat, pickup.lng), (dropoff.lat, dropoff.lng)
    if geo.distance_km(*p, *q) < rules.SAME_PLACE_KM:
        raise ValidationFailed.field("dropoff", _l("The drop-off must differ from the pick-up."))
    detour = rules.detour_km(origin, p, q, destination, geo.distance_km)
    if detour > ride.max_detour_km + 1e-6:
        raise ValidationFailed.field(
            "pickup",
            _l(
                "Picking you up there costs the driver %(detour)s km of detour; they accept %(max)s km.",
                detour=round(detour, 1),
                max=round(ride.max_detour_km, 1),
            ),
        )
    lock_row(db.session, RideOccurrence, occurrence.id)
    db.session.refresh(occurrence)
    already = db.session.scalar(
        select(SeatBooking.id).where(
            SeatBooking.occurrence_id == occurrence.id,
            SeatBooking.user_id == passenger.id,
            SeatBooking.status.in_(("requested", "confirmed")),
        )
    )
    if already is not None:
        raise Conflict(_l("You already asked for a seat on this date."))
    if seats > occurrence.seats_left:
        raise SlotFull(_l("Not enough seats left on this date (%(n)s left).", n=occurrence.seats_left))
    speed = setting("RIDES_AVERAGE_SPEED_KMH")
    to_pickup = geo.fast_distance_km(*origin, *p)
    pickup_at = occurrence.departs_at + timedelta(minutes=rules.driving_minutes(to_pickup, speed))
    dropoff_at = pickup_at + timedelta(minutes=rules.driving_minutes(geo.fast_distance_km(*p, *q), speed))
    expiry = now + timedelta(hours=current_app.config["REQUEST_EXPIRY_HOURS"])
    booking = SeatBooking(
        status="requested",
        user_id=passenger.id,
        ride_id=ride.id,
        occurrence_id=occurrence.id,
        date=occurrence.date,
        seats=seats,
        pickup_lat=pickup.lat,
        pickup_lng=pickup.lng,
        pickup_label=pickup.label,
        dropoff_lat=dropoff.lat,
        dropoff_lng=dropoff.lng,
        dropoff_label=dropoff.label,
        price_cents=seats * ride.price_cents,
        starts_at=pickup_at,
        ends_at=max(dropoff_at, pickup_at + timedelta(minutes=1)),
        respond_by=min(expiry, occurrence.departs_at),
    )
    bookings.start(booking, now=now, actor_id=passenger.id)
    driver = ride.driver
    notify(
        user=driver,
        kind="seat_requested",
        title=_l("New seat request"),
        body=_l(
            "%(name)s asks for %(seats)s seat(s) on %(route)s, %(when)s. Accept or decline it in My rides.",
            name=passenger.display_name,
            seats=seats,
            route=ride.route_label,
            when=format_when(occurrence.departs_at, ride, driver.locale),
        ),
        now=now,
        link=ride_path(ride.id),
    )
    return booking


def record_impact(occurrence: RideOccurrence) -> float:
    """Once the ride happened: passenger-km and CO2 avoided on each confirmed seat booking."""
    factor = setting("RIDES_CO2_KG_PER_PASSENGER_KM")
    total = 0.0
    for booking in db.session.scalars(
        select(SeatBooking).where(
            SeatBooking.occurrence_id == occurrence.id, SeatBooking.status.in_(booking_rules.HOLDING)
        )
    ):
        pickup, dropoff = (booking.pickup_lat, booking.pickup_lng), (booking.dropoff_lat, booking.dropoff_lng)
        km = rules.shared_km(pickup, dropoff, booking.seats, geo.distance_km)
        booking.shared_km = round(km, 2)
        booking.co2_kg = round(km * factor, 3)
        total += km
    return total


def impact_totals(user_id: int) -> dict:
    """What a member shared, as passenger and as driver: trips, passenger-km, CO2 avoided (kg)."""
    seats, rides = SeatBooking.__table__, Ride.__table__
    row = db.session.execute(
        select(
            func.count(seats.c.id),
            func.coalesce(func.sum(seats.c.shared_km), 0),
            func.coalesce(func.sum(seats.c.co2_kg), 0),
        )
        .select_from(seats.join(Booking.__table__).join(rides, rides.c.id == seats.c.ride_id))
        .where(
            seats.c.shared_km.is_not(None), or_(Booking.__table__.c.user_id == user_id, rides.c.driver_id == user_id)
        )
    ).one()
    return {"trips": row[0], "shared_km": round(float(row[1]), 1), "co2_kg": round(float(row[2]), 1)}


def for_driver(driver_id: int, now: datetime) -> list[SeatBooking]:
    """Open requests and confirmed seats on the driver's days ahead, soonest first."""
    return list(
        db.session.scalars(
            select(SeatBooking)
            .join(Ride, Ride.id == SeatBooking.ride_id)
            .join(RideOccurrence, RideOccurrence.id == SeatBooking.occurrence_id)
            .where(
                Ride.driver_id == driver_id,
                RideOccurrence.departs_at > now,
                SeatBooking.status.in_(("requested", "confirmed")),
            )
            .order_by(RideOccurrence.departs_at, SeatBooking.id)
        )
    )


def for_passenger(user_id: int, now: datetime, limit: int = 50) -> list[SeatBooking]:
    """The passenger's seat bookings: days ahead first (soonest first), then the latest past ones."""
    rows = list(
        db.session.scalars(
            select(SeatBooking)
            .where(SeatBooking.user_id == user_id)
            .order_by(SeatBooking.starts_at.desc(), SeatBooking.id.desc())
            .limit(limit)
        )
    )
    ahead = sorted((b for b in rows if b.starts_at > now), key=lambda b: (b.starts_at, b.id))
    return ahead + [b for b in rows if b.starts_at <= now]
