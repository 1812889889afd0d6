"""`/me/calendar`: the caller's private feed URL, and a new one on demand."""

from __future__ import annotations

from flask import Blueprint, jsonify

from sharemarket.api import current_api_user, endpoint
from sharemarket.calendars import services
from sharemarket.calendars.links import absolute
from sharemarket.extensions import db

bp = Blueprint("calendars_api", __name__)

FEED_SCHEMA = {
    "type": "object",
    "required": ["url"],
    "properties": {"url": {"type": "string", "format": "uri", "description": "iCalendar (RFC 5545) feed"}},
}


@bp.get("/me/calendar")
@endpoint(
    "The caller's private iCalendar feed URL (bookings of every kind; readable without a token)",
    responses={200: FEED_SCHEMA},
    tags=["accounts", "bookings"],
)
def my_calendar():
    user = current_api_user()
    had_token = bool(user.calendar_token)
    token = services.feed_token(user)
    if not had_token:
        db.session.commit()
    return jsonify({"url": absolute(services.feed_path(token))})


@bp.post("/me/calendar/reset")
@endpoint(
    "A new feed URL; the old one answers 404 from now on", responses={200: FEED_SCHEMA}, tags=["accounts", "bookings"]
)
def reset_my_calendar():
    token = services.reset_feed_token(current_api_user())
    db.session.commit()
    return jsonify({"url": absolute(services.feed_path(token))})
