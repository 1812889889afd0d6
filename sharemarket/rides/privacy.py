"""What the carpool holds about a person: who sees a ride's exact places, their part of the GDPR
export, and what closing the account does to it.

Closing an account withdraws the driver's rides ahead and the passenger's seats ahead (the other
side is told). What already happened stays for the other party's history, with its places
blurred to about 200 m and their labels removed, since a ride often starts from home.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from sharemarket import geo
from sharemarket.accounts.models import User
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.extensions import db
from sharemarket.geo import Place, approximate
from sharemarket.rides import services
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking


def sees_exact_places(ride: Ride, viewer_id: int | None) -> bool:
    """The driver and passengers holding a seat see the exact origin and destination; others see
    them within about 200 m, since a driver often starts from home."""
    if viewer_id is None:
        return False
    if viewer_id == ride.driver_id:
        return True
    return bool(
        db.session.scalar(
            select(
                select(SeatBooking.id)
                .where(
                    SeatBooking.ride_id == ride.id,
                    SeatBooking.user_id == viewer_id,
                    SeatBooking.status.in_(booking_rules.HOLDING),
                )
                .exists()
            )
        )
    )


def shown_place(place: Place, seed: int, exact: bool) -> Place:
    if exact:
        return place
    lat, lng = geo.approximate(place.lat, place.lng, seed)
    return Place(lat, lng, place.label)


def _place(lat: float, lng: float, label: str | None) -> dict:
    return {"lat": lat, "lng": lng, "label": label}


def export(user: User) -> tuple[str, object]:
    rides = db.session.scalars(select(Ride).where(Ride.driver_id == user.id).order_by(Ride.id))
    seats = db.session.scalars(select(SeatBooking).where(SeatBooking.user_id == user.id).order_by(SeatBooking.id))
    return "rides", {
        "offered": [
            {
                "id": ride.id,
                "origin": _place(ride.origin_lat, ride.origin_lng, ride.origin_label),
                "destination": _place(ride.destination_lat, ride.destination_lng, ride.destination_label),
                "departure_at": ride.departure_at.isoformat(),
                "weekdays": ride.weekdays,
                "time": ride.local_time,
                "seats": ride.seats,
                "price_cents": ride.price_cents,
                "note": ride.note,
                "status": ride.status,
            }
            for ride in rides
        ],
        "seats": [
            {
                "id": booking.id,
                "ride_id": booking.ride_id,
                "date": booking.date.isoformat(),
                "seats": booking.seats,
                "status": booking.status,
                "pickup": _place(booking.pickup_lat, booking.pickup_lng, booking.pickup_label),
                "dropoff": _place(booking.dropoff_lat, booking.dropoff_lng, booking.dropoff_label),
                "shared_km": booking.shared_km,
            }
            for booking in seats
        ],
    }


def erase(user: User, now: datetime) -> None:
    for ride in db.session.scalars(select(Ride).where(Ride.driver_id == user.id, Ride.status == "active")).all():
        services.cancel_ride(ride=ride, actor=user, now=now)
    ahead = db.session.scalars(
        select(SeatBooking)
        .join(RideOccurrence, RideOccurrence.id == SeatBooking.occurrence_id)
        .where(
            SeatBooking.user_id == user.id,
            SeatBooking.status.in_(("requested", "confirmed")),
            RideOccurrence.departs_at > now,
        )
    ).all()
    for booking in ahead:
        bookings.act(booking=booking, action="cancel", actor=user, now=now)
    for ride in db.session.scalars(select(Ride).where(Ride.driver_id == user.id)):
        ride.origin_lat, ride.origin_lng = approximate(ride.origin_lat, ride.origin_lng, ride.id)
        ride.destination_lat, ride.destination_lng = approximate(
            ride.destination_lat, ride.destination_lng, ride.id + 1
        )
        ride.origin_label = ride.destination_label = None
        ride.note = ""
    for booking in db.session.scalars(select(SeatBooking).where(SeatBooking.user_id == user.id)):
        booking.pickup_lat, booking.pickup_lng = approximate(booking.pickup_lat, booking.pickup_lng, booking.id)
        booking.dropoff_lat, booking.dropoff_lng = approximate(booking.dropoff_lat, booking.dropoff_lng, booking.id + 1)
        booking.pickup_label = booking.dropoff_label = None
    db.session.flush()
