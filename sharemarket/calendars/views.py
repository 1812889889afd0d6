"""Calendar pages: the feed itself (no login, the URL is the secret), and the page to subscribe."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.bookings import services as bookings
from sharemarket.calendars import services
from sharemarket.calendars.links import absolute, base_url, webcal
from sharemarket.db import utcnow
from sharemarket.extensions import db

bp = Blueprint("calendars", __name__)


def ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
            "X-Robots-Tag": "noindex",
        },
    )


def town_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    user = services.user_for_token(token)
    if user is None:
        abort(404)
    body = services.user_feed(user=user, now=utcnow(), base_url=base_url(), timezone=town_zone())
    return ics_response(body, "sharemarket.ics")


@bp.get("/calendar")
@login_required
def mine():
    had_token = bool(current_user.calendar_token)
    url = absolute(services.feed_path(services.feed_token(current_user)))
    if not had_token:
        db.session.commit()
    return render_template("calendars/mine.html", url=url, webcal_url=webcal(url))


@bp.post("/calendar/reset")
@login_required
def reset():
    services.reset_feed_token(current_user)
    db.session.commit()
    flash(_("Your calendar has a new address. Subscribe again with it; the old one no longer works."), "success")
    return redirect(url_for("calendars.mine"))


@bp.get("/calendar/bookings/<int:booking_id>.ics")
@login_required
def one_booking(booking_id: int):
    """One booking as an .ics file, for adding it to a calendar without subscribing."""
    booking = bookings.get_visible(booking_id=booking_id, user=current_user)
    body = services.bookings_calendar(
        [booking], name="sharemarket", now=utcnow(), base_url=base_url(), timezone=town_zone()
    )
    return ics_response(body, f"booking-{booking.id}.ics")
