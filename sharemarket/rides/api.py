"""Rides in the JSON API: publish, read, search, cancel, request seats; carpool meeting points."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l

from sharemarket import geo
from sharemarket.api import current_api_user, endpoint, optional_api_user, page_of
from sharemarket.api.core import decode_cursor
from sharemarket.bookings.api import BOOKING_SCHEMA, booking_json
from sharemarket.communities.services import in_its_community
from sharemarket.db import utcnow
from sharemarket.errors import NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.moderation.rules import may_see
from sharemarket.rides import meeting_points, search, seats, services
from sharemarket.rides.schemas import (
    MatchPage,
    MeetingPointPage,
    MeetingPointsQuery,
    OccurrencePage,
    OccurrencesQuery,
    RideIn,
    RideOut,
    RideSearchQuery,
    SeatRequestIn,
    match_json,
    nearest_json,
    occurrence_json,
    ride_json,
)

bp = Blueprint("rides_api", __name__)


@bp.post("/rides")
@endpoint(
    "Offer a ride: one-off (departure_at) or a weekly commute (recurrence)",
    body=RideIn,
    responses={201: RideOut},
    tags=["rides"],
)
def create_ride(body: RideIn):
    user = current_api_user()
    ride = services.publish_ride(
        driver=user,
        origin=body.origin.to_place(),
        destination=body.destination.to_place(),
        seats=body.seats,
        departure_at=body.departure_at,
        recurrence=body.recurrence.to_rules() if body.recurrence else None,
        price_cents=body.price_cents,
        max_detour_km=body.max_detour_km,
        timezone=body.timezone,
        preferences=body.preferences.to_rules() if body.preferences else None,
        note=body.note,
        now=utcnow(),
    )
    db.session.commit()
    return jsonify(ride_json(ride, user.id)), 201


@bp.get("/rides/search")
@endpoint(
    "Rides that can take N passengers from one point to another, leaving within a window, best first",
    auth="optional",
    query=RideSearchQuery,
    responses={200: MatchPage},
    tags=["rides"],
    paginated=True,
    reads_only=True,
)
def search_rides(query: RideSearchQuery):
    user = optional_api_user()
    now = utcnow()
    origin = Place(*geo.parse_latlng(query.from_, "from"))
    destination = Place(*geo.parse_latlng(query.to, "to"))
    after = query.depart_after or now
    before = query.depart_before or after + timedelta(days=1)
    offset = decode_cursor(query.cursor) or 0
    if not isinstance(offset, int) or offset < 0:
        raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out."))
    found = search.search(
        origin=origin,
        destination=destination,
        depart_after=after,
        depart_before=before,
        seats=query.seats,
        now=now,
        exclude_driver_id=user.id if user else None,
        viewer_id=user.id if user else None,
    )
    window = list(range(offset, min(offset + query.limit + 1, len(found))))
    page = page_of(window, query.limit, lambda _: offset + query.limit, lambda i: i)
    nearest = nearest_json(found.nearest_areas())
    matches = found.page(offset, offset + len(page["results"]))
    rows = search.page_rows(matches)
    page["results"] = [match_json(m, rows[m.occurrence_id], nearest) for m in matches]
    # COMMIT, not the ROLLBACK of the session's close: psycopg forgets its prepared statements at
    # every ROLLBACK, and PostgreSQL would plan the search again on each request (as for listings).
    # (Without a transaction, `reads_only`, the COMMIT sends nothing.)
    db.session.commit()
    return jsonify(page)


@bp.get("/rides/<int:ride_id>")
@endpoint("One ride offer", auth="optional", responses={200: RideOut}, tags=["rides"])
def get_ride(ride_id: int):
    user = optional_api_user()
    ride = services.get_ride(ride_id)
    if not may_see(ride.hidden_at, ride.driver_id, user) or not in_its_community(
        ride.community_id, ride.driver_id, user
    ):
        raise NotFound(_l("No such ride."))
    return jsonify(ride_json(ride, user.id if user else None))


@bp.get("/rides/<int:ride_id>/occurrences")
@endpoint(
    "The days ahead a ride runs, with seats left",
    auth="optional",
    query=OccurrencesQuery,
    responses={200: OccurrencePage},
    tags=["rides"],
    paginated=True,
)
def list_occurrences(ride_id: int, query: OccurrencesQuery):
    ride = services.get_ride(ride_id)
    offset = decode_cursor(query.cursor) or 0
    if not isinstance(offset, int) or offset < 0:
        raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out."))
    rows = services.upcoming_occurrences(ride, utcnow(), limit=offset + query.limit + 1)[offset:]
    return jsonify(page_of(rows, query.limit, lambda _last: offset + query.limit, occurrence_json))


@bp.post("/rides/<int:ride_id>/cancel")
@endpoint("The driver withdraws the ride: every day ahead is cancelled", responses={200: RideOut}, tags=["rides"])
def cancel_ride(ride_id: int):
    user = current_api_user()
    ride = services.cancel_ride(ride=services.get_ride(ride_id), actor=user, now=utcnow())
    db.session.commit()
    return jsonify(ride_json(ride, user.id))


@bp.post("/rides/<int:ride_id>/occurrences/<day>/cancel")
@endpoint(
    "The driver does not drive on one day (YYYY-MM-DD); its seats are cancelled",
    responses={200: RideOut},
    tags=["rides"],
)
def cancel_occurrence(ride_id: int, day: str):
    user = current_api_user()
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed.field("date", _l("Give the day as YYYY-MM-DD.")) from None
    ride = services.get_ride(ride_id)
    services.cancel_occurrence(ride=ride, day=when, actor=user, now=utcnow())
    db.session.commit()
    return jsonify(ride_json(ride, user.id))


@bp.post("/rides/<int:ride_id>/bookings")
@endpoint(
    "Ask the driver for seats on a ride (a commute's day with `date`)",
    body=SeatRequestIn,
    responses={201: BOOKING_SCHEMA},
    tags=["rides", "bookings"],
)
def request_seats(ride_id: int, body: SeatRequestIn):
    user = current_api_user()
    booking = seats.request_seats(
        ride=services.get_ride(ride_id),
        passenger=user,
        seats=body.seats,
        day=body.date,
        pickup=body.pickup.to_place() if body.pickup else None,
        dropoff=body.dropoff.to_place() if body.dropoff else None,
        now=utcnow(),
    )
    db.session.commit()
    return jsonify(booking_json(booking, user.id)), 201


@bp.get("/meeting-points")
@endpoint(
    "Official carpool places near a point (Base Nationale des Lieux de Covoiturage, ODbL), nearest first",
    auth="none",
    query=MeetingPointsQuery,
    responses={200: MeetingPointPage},
    tags=["rides"],
)
def list_meeting_points(query: MeetingPointsQuery):
    lat, lng = geo.parse_latlng(query.near, "near")
    found = meeting_points.near(lat, lng, query.radius_km, query.limit)
    return jsonify(
        {"results": [meeting_points.as_json(p, km) for p, km in found], "next": None, "source": meeting_points.CREDIT}
    )
