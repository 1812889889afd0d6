"""Bookings of every kind in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, jsonify
from pydantic import Field

from sharemarket.api import current_api_user, endpoint, page_of
from sharemarket.api.core import PageQuery, decode_cursor
from sharemarket.api.schemas import iso_utc, user_ref
from sharemarket.bookings import messages, rules, services
from sharemarket.bookings.kinds import handler_for
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db

bp = Blueprint("bookings_api", __name__)

BOOKING_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "status", "user"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["loan", "desk", "seat"]},
        "status": {"type": "string", "enum": list(rules.STATUSES)},
        "user": {"type": "object", "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}}},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
        "unread_messages": {"type": "integer", "minimum": 0},
    },
}


def booking_json(booking: Booking, viewer_id: int | None) -> dict:
    handler = handler_for(booking)
    data = {
        "id": booking.id,
        "kind": booking.kind,
        "status": booking.status,
        "user": user_ref(booking.user),
        "created_at": iso_utc(booking.created_at),
        "starts_at": iso_utc(booking.starts_at),
        "ends_at": iso_utc(booking.ends_at),
        "respond_by": iso_utc(booking.respond_by),
        "title": handler.describe(booking)["title"],
        "allowed_actions": rules.allowed_actions(booking.kind, booking.status, services.roles_of(booking, viewer_id)),
        "unread_messages": messages.unread_counts(viewer_id, [booking.id]).get(booking.id, 0) if viewer_id else 0,
    }
    data.update(handler.to_json(booking, viewer_id))
    return data


class BookingListQuery(PageQuery):
    role: Literal["mine", "to_handle"] = "mine"
    status: Literal[rules.STATUSES] | None = Field(None)  # type: ignore[valid-type]


@bp.get("/bookings")
@endpoint(
    "The caller's bookings, or those on what they offer",
    query=BookingListQuery,
    responses={
        200: {
            "type": "object",
            "properties": {"results": {"type": "array", "items": BOOKING_SCHEMA}, "next": {"type": ["string", "null"]}},
        }
    },
    tags=["bookings"],
    paginated=True,
)
def list_bookings(query: BookingListQuery):
    user = current_api_user()
    stmt = services.list_query(user=user, role=query.role, status=query.status)
    after = decode_cursor(query.cursor)
    if after is not None:
        try:
            starts, last_id = datetime.fromisoformat(after[0]), int(after[1])
        except (TypeError, ValueError, IndexError):
            raise ValidationFailed.field("cursor", "This cursor is not one we gave out.") from None
        stmt = stmt.where((Booking.starts_at < starts) | ((Booking.starts_at == starts) & (Booking.id < last_id)))
    rows = list(db.session.scalars(stmt.limit(query.limit + 1)))
    return jsonify(
        page_of(rows, query.limit, lambda b: [b.starts_at.isoformat(), b.id], lambda b: booking_json(b, user.id))
    )


@bp.get("/bookings/<int:booking_id>")
@endpoint("One booking (its booker and its provider only)", responses={200: BOOKING_SCHEMA}, tags=["bookings"])
def get_booking(booking_id: int):
    user = current_api_user()
    booking = services.get_visible(booking_id=booking_id, user=user)
    return jsonify(booking_json(booking, user.id))


@bp.post("/bookings/<int:booking_id>/<any(approve, decline, cancel, pickup, return, check_in):action>")
@endpoint(
    "Act on a booking: approve, decline, cancel, pickup, return (loans), check_in (desks)",
    responses={200: BOOKING_SCHEMA},
    tags=["bookings"],
)
def act_on_booking(booking_id: int, action: str):
    user = current_api_user()
    booking = services.get_visible(booking_id=booking_id, user=user)
    services.act(booking=booking, action=action, actor=user, now=utcnow())
    db.session.commit()
    return jsonify(booking_json(booking, user.id))


# Messages, reviews and people's public view hang on this blueprint too.
from sharemarket.bookings import api_exchanges as _exchanges  # noqa: E402, F401
