"""The standard's shapes: query and body models in, DriverJourney / DriverTrip / Booking out.

Field names are the standard's (camelCase); instants are UNIX seconds, distances metres,
durations seconds, prices in currency units.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import current_app
from pydantic import ConfigDict, Field

from sharemarket.api.schemas import Schema
from sharemarket.geo import distance_km
from sharemarket.interop import rules
from sharemarket.interop.journeys import Journey, RegularTrip
from sharemarket.interop.models import InteropBooking
from sharemarket.interop.operators import our_operator_id
from sharemarket.rides.models import Ride, SeatBooking
from sharemarket.rides.privacy import shown_place
from sharemarket.rides.rules import local_departure, parse_local_time
from sharemarket.rides.seats import ride_path

Lat = Field(ge=-90, le=90, allow_inf_nan=False)
Lng = Field(ge=-180, le=180, allow_inf_nan=False)
UNIX_MAX = 4_102_444_800  # 2100-01-01
TIME_DELTA_MAX = 3 * 24 * 3600  # our search spans at most a week
RADIUS_MAX_KM = 100.0


class JourneyQuery(Schema):
    departureLat: float = Lat
    departureLng: float = Lng
    arrivalLat: float = Lat
    arrivalLng: float = Lng
    departureDate: int = Field(ge=0, le=UNIX_MAX)
    timeDelta: int = Field(900, ge=0, le=TIME_DELTA_MAX)
    departureRadius: float = Field(1.0, gt=0, le=RADIUS_MAX_KM, allow_inf_nan=False)
    arrivalRadius: float = Field(1.0, gt=0, le=RADIUS_MAX_KM, allow_inf_nan=False)
    count: int | None = Field(None, ge=1)


class RegularTripQuery(Schema):
    departureLat: float = Lat
    departureLng: float = Lng
    arrivalLat: float = Lat
    arrivalLng: float = Lng
    departureTimeOfDay: str = Field(max_length=30)
    timeDelta: int = Field(900, ge=0, le=12 * 3600)
    departureRadius: float = Field(1.0, gt=0, le=RADIUS_MAX_KM, allow_inf_nan=False)
    arrivalRadius: float = Field(1.0, gt=0, le=RADIUS_MAX_KM, allow_inf_nan=False)
    minDepartureDate: int | None = Field(None, ge=0, le=UNIX_MAX)
    maxDepartureDate: int | None = Field(None, ge=0, le=UNIX_MAX)
    count: int | None = Field(None, ge=1)


class UserIn(Schema):
    """The standard's User: who a partner's passenger (or message sender) is."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=255)
    operator: str = Field(min_length=1, max_length=255)
    alias: str = Field(min_length=1, max_length=255)
    firstName: str | None = Field(None, max_length=255)
    lastName: str | None = Field(None, max_length=255)
    grade: int | None = Field(None, ge=1, le=5)
    picture: str | None = Field(None, max_length=2000)
    gender: Literal["F", "M", "O"] | None = None
    verifiedIdentity: bool | None = None


class PriceIn(Schema):
    type: Literal["FREE", "PAYING", "UNKNOWN"] | None = None
    amount: float | None = Field(None, ge=0, allow_inf_nan=False)
    currency: str | None = Field(None, max_length=3)


class BookingIn(Schema):
    """POST /bookings: a booking request a partner made for one of its passengers."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    driver: UserIn
    passenger: UserIn
    passengerPickupDate: int = Field(ge=0, le=UNIX_MAX)
    passengerPickupLat: float = Lat
    passengerPickupLng: float = Lng
    passengerDropLat: float = Lat
    passengerDropLng: float = Lng
    passengerPickupAddress: str | None = Field(None, max_length=200)
    passengerDropAddress: str | None = Field(None, max_length=200)
    status: Literal[rules.STATUSES]  # type: ignore[valid-type]
    price: PriceIn
    driverJourneyId: str | None = Field(None, min_length=1, max_length=255)
    passengerJourneyId: str | None = Field(None, min_length=1, max_length=255)


class PatchQuery(Schema):
    status: Literal[rules.STATUSES]  # type: ignore[valid-type]
    message: str | None = Field(None, max_length=500)


class MessageIn(Schema):
    model_config = ConfigDict(extra="ignore")

    from_: UserIn = Field(alias="from")
    to: UserIn
    message: str = Field(min_length=1, max_length=500)
    recipientCarpoolerType: Literal["DRIVER", "PASSENGER"] = "DRIVER"
    driverJourneyId: str | None = Field(None, min_length=1, max_length=255)
    passengerJourneyId: str | None = Field(None, min_length=1, max_length=255)
    bookingId: UUID | None = None


# -- out ------------------------------------------------------------------------------------


def web_url(ride_id: int, **params: str) -> str:
    """Our page of the ride, absolute: partners link their users to it."""
    base = current_app.config["SHAREMARKET_BASE_URL"].rstrip("/")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return base + ride_path(ride_id) + (f"?{query}" if query else "")


def driver_json(ride: Ride) -> dict:
    return {"id": str(ride.driver_id), "operator": our_operator_id(), "alias": ride.driver.display_name}


def _preferences(ride: Ride) -> dict:
    return {
        "smoking": ride.smoking,
        "animals": ride.pets,
        "music": ride.music,
        "isTalker": ride.talkative,
        "luggageSize": rules.LUGGAGE_SIZE[ride.luggage],
    }


def _trip_json(journey: Journey) -> dict:
    """The standard's DriverTrip: the ride's ends stay approximate, as for any stranger."""
    ride = journey.occurrence.ride
    start = shown_place(ride.origin, ride.id, False)
    end = shown_place(ride.destination, ride.id + 1, False)
    data = {
        "operator": our_operator_id(),
        "driver": driver_json(ride),
        "passengerPickupLat": journey.pickup.lat,
        "passengerPickupLng": journey.pickup.lng,
        "passengerDropLat": journey.dropoff.lat,
        "passengerDropLng": journey.dropoff.lng,
        "driverDepartureLat": start.lat,
        "driverDepartureLng": start.lng,
        "driverArrivalLat": end.lat,
        "driverArrivalLng": end.lng,
        "distance": rules.road_metres(
            distance_km(journey.pickup.lat, journey.pickup.lng, journey.dropoff.lat, journey.dropoff.lng)
        ),
        "duration": int((journey.dropoff_at - journey.pickup_at).total_seconds()),
        "preferences": _preferences(ride),
        "webUrl": web_url(ride.id),
    }
    for key, label in (
        ("passengerPickupAddress", journey.pickup.label),
        ("passengerDropAddress", journey.dropoff.label),
        ("driverDepartureAddress", ride.origin_label),
        ("driverArrivalAddress", ride.destination_label),
    ):
        if label:
            data[key] = label
    for prefix, km in (
        ("departureToPickupWalking", journey.pickup_km),
        ("dropoffToArrivalWalking", journey.dropoff_km),
    ):
        if km > 0:
            data[f"{prefix}Distance"], data[f"{prefix}Duration"] = rules.walking(km)
    return data


def _schedule_json(journey: Journey) -> dict:
    """The standard's JourneySchedule: one day of the ride."""
    occurrence = journey.occurrence
    return {
        "id": rules.journey_id(occurrence.ride_id, occurrence.date),
        "passengerPickupDate": rules.unix(journey.pickup_at),
        "driverDepartureDate": rules.unix(occurrence.departs_at),
        "webUrl": web_url(occurrence.ride_id, date=occurrence.date.isoformat()),
        "type": "PLANNED",
    }


def journey_json(journey: Journey) -> dict:
    """The standard's DriverJourney."""
    ride = journey.occurrence.ride
    data = _trip_json(journey)
    data.update(_schedule_json(journey))
    data["availableSeats"] = journey.occurrence.seats_left
    data["price"] = rules.price(ride.price_cents, ride.currency)
    return data


def regular_trip_json(trip: RegularTrip, weekdays: tuple[int, ...]) -> dict:
    """The standard's DriverTrip with `schedules`: per weekday the commute runs (among those
    asked), the local pick-up time and the days found."""
    first = trip.first
    ride = first.occurrence.ride
    zone = ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])
    lead = first.pickup_at - first.occurrence.departs_at
    schedules = []
    for weekday in sorted(set(ride.weekdays or ()) & set(weekdays)):
        days = [j for j in trip.journeys if j.occurrence.date.weekday() == weekday]
        if days:
            local = days[0].pickup_at.astimezone(zone)
        else:
            departs = _ride_time_on(ride, weekday, first.occurrence.departs_at)
            local = (departs + lead).astimezone(zone)
        schedules.append(
            {
                "passengerPickupDay": rules.WEEKDAYS[weekday],
                "passengerPickupTimeOfDay": local.strftime("%H:%M:%S"),
                "journeySchedules": [_schedule_json(j) for j in days],
            }
        )
    data = _trip_json(first)
    data["schedules"] = schedules
    return data


def _ride_time_on(ride: Ride, weekday: int, reference: datetime) -> datetime:
    """The commute's departure in the week of `reference`, on `weekday` (for a day not found)."""
    local_day = reference.astimezone(ZoneInfo(ride.timezone)).date()
    day = local_day + timedelta(days=(weekday - local_day.weekday()) % 7)
    return local_departure(day, parse_local_time(ride.local_time or ""), ride.timezone)


def passenger_json(link: InteropBooking) -> dict:
    profile = dict(link.passenger.profile or {})
    profile.update({"id": link.passenger.external_id})
    return {key: value for key, value in profile.items() if value is not None}


def booking_json(link: InteropBooking, now: datetime) -> dict:
    """The standard's Booking, as we hold it."""
    seat: SeatBooking = link.booking
    ride = seat.ride
    data = {
        "id": link.uuid,
        "driver": driver_json(ride),
        "passenger": passenger_json(link),
        "passengerPickupDate": rules.unix(seat.starts_at),
        "passengerPickupLat": seat.pickup_lat,
        "passengerPickupLng": seat.pickup_lng,
        "passengerDropLat": seat.dropoff_lat,
        "passengerDropLng": seat.dropoff_lng,
        "status": rules.standard_status(seat.status, seat.occurrence.departs_at <= now, link.validated_at is not None),
        "duration": int((seat.ends_at - seat.starts_at).total_seconds()),
        "distance": rules.road_metres(
            distance_km(seat.pickup_lat, seat.pickup_lng, seat.dropoff_lat, seat.dropoff_lng)
        ),
        "webUrl": web_url(ride.id, date=seat.date.isoformat()),
        "price": rules.price(seat.price_cents, ride.currency),
        "driverJourneyId": link.driver_journey_id,
    }
    if link.passenger_journey_id:
        data["passengerJourneyId"] = link.passenger_journey_id
    if seat.pickup_label:
        data["passengerPickupAddress"] = seat.pickup_label
    if seat.dropoff_label:
        data["passengerDropAddress"] = seat.dropoff_label
    return data
