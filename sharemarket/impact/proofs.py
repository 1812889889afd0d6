"""Completed carpools in the shape of the French carpool proof registry (registre de preuve de
covoiturage): one journey per driver–passenger pair, as JSON lines. See
docs/decisions/0900-carpool-proofs.md for the field mapping."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from sharemarket.api.schemas import iso_utc
from sharemarket.extensions import db
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
from sharemarket.rides.settings import setting


def identity_key(user_id: int) -> str:
    """sha256 of the deployment's proof secret and the user id: stable, never the e-mail."""
    secret = current_app.config.get("IMPACT_PROOF_SECRET") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:{user_id}".encode()).hexdigest()


def journey(booking: SeatBooking, occurrence: RideOccurrence, ride: Ride) -> dict:
    metres = round((booking.shared_km or 0) / booking.seats * 1000)
    start_at = occurrence.departs_at
    end_at = start_at + timedelta(hours=metres / 1000 / setting("RIDES_AVERAGE_SPEED_KMH"))
    return {
        "operator_journey_id": f"seat-{booking.id}",
        "operator_trip_id": f"occurrence-{occurrence.id}",
        "operator_class": "A",
        "start": {"datetime": iso_utc(start_at), "lat": booking.pickup_lat, "lon": booking.pickup_lng},
        "end": {"datetime": iso_utc(end_at), "lat": booking.dropoff_lat, "lon": booking.dropoff_lng},
        "distance": metres,
        "incentives": [],
        "driver": {
            "identity": {"identity_key": identity_key(ride.driver_id), "operator_user_id": str(ride.driver_id)},
            "revenue": booking.price_cents,
        },
        "passenger": {
            "identity": {"identity_key": identity_key(booking.user_id), "operator_user_id": str(booking.user_id)},
            "contribution": booking.price_cents,
            "seats": booking.seats,
        },
    }


def journeys(first: date, last: date) -> Iterator[dict]:
    """Seat bookings whose ride happened (impact recorded) with departure in [first, last]."""
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    query = (
        select(SeatBooking, RideOccurrence, Ride)
        .join(RideOccurrence, RideOccurrence.id == SeatBooking.occurrence_id)
        .join(Ride, Ride.id == SeatBooking.ride_id)
        .where(
            SeatBooking.shared_km.is_not(None),
            RideOccurrence.departs_at >= start,
            RideOccurrence.departs_at < end,
        )
        .order_by(RideOccurrence.departs_at, SeatBooking.id)
        .execution_options(yield_per=500)
    )
    for booking, occurrence, ride in db.session.execute(query):
        yield journey(booking, occurrence, ride)


def json_lines(first: date, last: date) -> Iterator[str]:
    for item in journeys(first, last):
        yield json.dumps(item, ensure_ascii=False) + "\n"
