"""The standard-covoiturage endpoints, mounted at /interop/v1 (outside /api/v1, no CSRF).

Every call but GET /status needs an operator's `X-API-Key` (401 without a valid one). Errors
answer the standard's body, `{"error": "..."}`, with a status the standard declares for that
operation: any other failure is a 400 ("Bad Request. See error message").
"""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

from flask import Blueprint, g, jsonify, request
from pydantic import BaseModel, ValidationError

from sharemarket.api.core import pydantic_errors, read_json_body
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, Unauthorized, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.interop import journeys, operators, rules, services
from sharemarket.interop.schemas import (
    BookingIn,
    JourneyQuery,
    MessageIn,
    PatchQuery,
    RegularTripQuery,
    booking_json,
    journey_json,
    regular_trip_json,
)

bp = Blueprint("interop", __name__, url_prefix="/interop/v1")

# The error statuses the standard declares for each operation, besides 400, 401, 429 (every
# operation) and 500.
DECLARED = {
    "interop.booking": {404},
    "interop.update_booking": {404, 409},
    "interop.message": {404},
}


def error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    db.session.rollback()
    status = exc.status if exc.status in {401, 429, *DECLARED.get(request.endpoint, ())} else 400
    message = exc.detail
    if exc.errors:
        message = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in exc.errors.items())
    return error(status, message)


def operator_required(view):
    """The operator whose X-API-Key this is, in `g.interop_operator`; 401 otherwise."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("X-API-Key")
        if not key:
            raise Unauthorized("Send your operator key in the X-API-Key header.")
        g.interop_operator = operators.operator_for_key(key)
        if g.interop_operator is None:
            raise Unauthorized("This API key is not valid.")
        return view(*args, **kwargs)

    return wrapper


def _parse(model: type[BaseModel], data: object) -> BaseModel:
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"body": ["Expected an object."]})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("Some parameters are invalid.", pydantic_errors(exc)) from None


def _ends(query) -> tuple[Place, Place, tuple[float, float]]:
    origin = Place(query.departureLat, query.departureLng)
    destination = Place(query.arrivalLat, query.arrivalLng)
    return origin, destination, (query.departureRadius, query.arrivalRadius)


@bp.get("/driver_journeys")
@operator_required
def driver_journeys():
    query = _parse(JourneyQuery, request.args.to_dict())
    origin, destination, radii = _ends(query)
    found = journeys.driver_journeys(
        origin=origin,
        destination=destination,
        pickup_at=rules.from_unix(query.departureDate),
        time_delta=timedelta(seconds=query.timeDelta),
        radii=radii,
        count=query.count,
        now=utcnow(),
    )
    return jsonify([journey_json(journey) for journey in found])


@bp.get("/driver_regular_trips")
@operator_required
def driver_regular_trips():
    query = _parse(RegularTripQuery, request.args.to_dict())
    at = rules.parse_time_of_day(query.departureTimeOfDay)
    if at is None:
        raise ValidationFailed.field("departureTimeOfDay", "Give a time of day as HH:MM:SS, e.g. 07:30:00.")
    weekdays = rules.parse_weekdays(request.args.getlist("departureWeekdays"))
    if weekdays is None:
        raise ValidationFailed.field("departureWeekdays", f"Use days among {','.join(rules.WEEKDAYS)}.")
    earliest, latest = query.minDepartureDate, query.maxDepartureDate
    if earliest is not None and latest is not None and latest < earliest:
        raise ValidationFailed.field("maxDepartureDate", "maxDepartureDate is before minDepartureDate.")
    origin, destination, radii = _ends(query)
    trips = journeys.driver_regular_trips(
        origin=origin,
        destination=destination,
        time_of_day=at,
        weekdays=weekdays,
        time_delta=timedelta(seconds=query.timeDelta),
        radii=radii,
        min_departure=rules.from_unix(earliest) if earliest is not None else None,
        max_departure=rules.from_unix(latest) if latest is not None else None,
        count=query.count,
        now=utcnow(),
    )
    return jsonify([regular_trip_json(trip, weekdays) for trip in trips])


@bp.post("/bookings")
@operator_required
def create_booking():
    data = _parse(BookingIn, read_json_body())
    now = utcnow()
    link = services.create_booking(operator=g.interop_operator, data=data, now=now)
    db.session.commit()
    return jsonify(booking_json(link, now)), 201


def _booking_id(raw: str) -> str:
    """The standard's booking ids are UUIDs; anything else is a bad request, not a 404."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ValidationFailed.field("bookingId", "A booking id is a UUID.") from None


@bp.get("/bookings/<booking_id>")
@operator_required
def booking(booking_id: str):
    link = services.get_booking(operator=g.interop_operator, booking_id=_booking_id(booking_id))
    return jsonify(booking_json(link, utcnow()))


@bp.patch("/bookings/<booking_id>")
@operator_required
def update_booking(booking_id: str):
    query = _parse(PatchQuery, request.args.to_dict())
    now = utcnow()
    link = services.update_status(
        operator=g.interop_operator,
        booking_id=_booking_id(booking_id),
        status=query.status,
        message=query.message,
        now=now,
    )
    db.session.commit()
    return jsonify(booking_json(link, now))


@bp.post("/messages")
@operator_required
def message():
    data = _parse(MessageIn, read_json_body())
    services.send_message(operator=g.interop_operator, data=data, now=utcnow())
    db.session.commit()
    return "", 201


@bp.get("/status")
def status():
    """Up when the database answers; needs no key (the standard declares no 401 here)."""
    db.session.execute(db.text("SELECT 1"))
    return "", 200
