"""Desk pages for members: find a free desk, a space's page, book, check in, cancel."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.desks import display, photos, rules, seats, services
from sharemarket.desks import search as finder
from sharemarket.desks.models import DeskBooking, Slot, SpacePhoto
from sharemarket.errors import DomainError, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.forms_util import safe_next
from sharemarket.geo import resolve_place

bp = Blueprint("desks", __name__)
display.register_filters(bp)

RADII = (2, 5, 10, 25, 50)


def town_today() -> date:
    return utcnow().astimezone(rules.zone(current_app.config["SHAREMARKET_TIMEZONE"])).date()


def _day_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _search_point(errors: dict) -> tuple[finder.Near | None, str]:
    label = request.args.get("where", "").strip()[:120]
    lat, lng = request.args.get("lat"), request.args.get("lng")
    try:
        radius = float(request.args.get("radius", 10))
    except ValueError:
        radius = 10
    radius = radius if radius in RADII else 10
    try:
        place = resolve_place(current_app.config, label, lat, lng, "where")
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None, label
    if place is None and current_user.is_authenticated and current_user.has_home:
        return finder.Near(current_user.home_lat, current_user.home_lng, radius), current_user.home_label or ""
    if place is None:
        return None, label
    return finder.Near(place.lat, place.lng, radius), label


def _my_open_bookings(slot_ids: list[int]) -> dict[int, DeskBooking]:
    """The current member's open booking on each of these slots, to show instead of a Book button."""
    if not current_user.is_authenticated or not slot_ids:
        return {}
    found = db.session.scalars(
        select(DeskBooking).where(DeskBooking.slot_id.in_(slot_ids), DeskBooking.open_user_id == current_user.id)
    )
    return {booking.slot_id: booking for booking in found}


@bp.get("/desks")
def search():
    """Free desks near me, on a day: spaces nearest first, each with that day's slots."""
    errors: dict = {}
    today = town_today()
    day = max(_day_arg("day", today), today)
    near, label = _search_point(errors)
    found = finder.spaces_with_slots_on(day=day, now=utcnow(), near=near)
    return render_template(
        "desks/search.html",
        found=found,
        mine=_my_open_bookings([slot.id for item in found for slot in item.slots]),
        day=day,
        today=today,
        where=label,
        near=near,
        radius=near.radius_km if near else 10,
        radii=RADII,
        errors=errors,
    ), 422 if errors else 200


@bp.get("/spaces/<int:space_id>")
def space(space_id: int):
    space = services.get_space(space_id)
    today = utcnow().astimezone(rules.zone(space.timezone)).date()
    first_day = max(_day_arg("from", today), today)
    days = finder.upcoming_by_day(space, now=utcnow(), first_day=first_day, days=7)
    return render_template(
        "desks/space.html",
        space=space,
        days=days,
        first_day=first_day,
        next_week=first_day + timedelta(days=7),
        previous_week=first_day - timedelta(days=7) if first_day > today else None,
        mine=_my_open_bookings([slot.id for _day, slots in days for slot in slots]),
        is_manager=services.is_manager(space, current_user),
        photo_widths=photos.SCREEN_WIDTHS,
    )


@bp.get("/space-photos/<int:photo_id>.jpg")
@bp.get("/space-photos/<int:photo_id>-<int:width>w.jpg")
def photo(photo_id: int, width: int | None = None):
    picture = db.session.get(SpacePhoto, photo_id)
    if picture is None or (width is not None and width not in photos.SCREEN_WIDTHS):
        abort(404)
    jpeg = picture.jpeg if width is None else photos.scaled(picture, width)
    return Response(jpeg, mimetype="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


@bp.post("/slots/<int:slot_id>/book")
@login_required
def book(slot_id: int):
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        abort(404)
    back = _back(url_for("desks.space", space_id=slot.space_id))
    try:
        booking = seats.book(slot=slot, user=current_user, waitlist=bool(request.form.get("waitlist")), now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(back)
    if booking.status == "confirmed":
        flash(_("Booked: %(desk)s, %(hours)s.", desk=slot.desk.label, hours=display.slot_hours(slot)), "success")
    else:
        position = seats.waitlist_position(booking)
        flash(_("You are number %(n)s on the waitlist. We will tell you if a seat frees up.", n=position), "info")
    return redirect(url_for("desks.booking", booking_id=booking.id))


def _my_desk_booking(booking_id: int) -> DeskBooking:
    booking = bookings.get_visible(booking_id=booking_id, user=current_user)
    if not isinstance(booking, DeskBooking):
        raise NotFound(_("No such booking."))
    return booking


@bp.get("/desk-bookings/<int:booking_id>")
@login_required
def booking(booking_id: int):
    booking = _my_desk_booking(booking_id)
    slot = booking.slot
    now = utcnow()
    roles = bookings.roles_of(booking, current_user.id)
    return render_template(
        "desks/booking.html",
        booking=booking,
        slot=slot,
        space=slot.space,
        position=seats.waitlist_position(booking),
        actions=booking_rules.allowed_actions(booking.kind, booking.status, roles),
        check_in_open=rules.can_check_in(slot.starts_at, slot.ends_at, now),
        check_in_from=rules.check_in_window(slot.starts_at, slot.ends_at)[0],
        free_until=rules.free_cancellation_until(slot.starts_at, slot.space.cancel_cutoff_hours),
        late_now=rules.is_late_cancellation(slot.starts_at, slot.space.cancel_cutoff_hours, now),
        is_booker=booking.user_id == current_user.id,
    )


@bp.post("/desk-bookings/<int:booking_id>/<any(check_in, cancel):action>")
@login_required
def act(booking_id: int, action: str):
    booking = _my_desk_booking(booking_id)
    back = _back(url_for("desks.booking", booking_id=booking.id))
    try:
        bookings.act(booking=booking, action=action, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(back)
    if action == "check_in":
        flash(_("You are checked in. Have a good day!"), "success")
    elif booking.late_cancel:
        flash(_("Cancelled. It was after the free cancellation time, so it is recorded as late."), "info")
    else:
        flash(_("Cancelled. Thank you for freeing the seat."), "success")
    return redirect(back)


@bp.get("/desks/mine")
@login_required
def mine():
    now = utcnow()
    rows = db.session.scalars(
        select(DeskBooking)
        .where(DeskBooking.user_id == current_user.id, DeskBooking.ends_at > now - timedelta(days=30))
        .order_by(DeskBooking.starts_at, DeskBooking.id)
    ).all()
    upcoming = [b for b in rows if b.ends_at > now]
    past = [b for b in rows if b.ends_at <= now][::-1]
    return render_template(
        "desks/mine.html",
        upcoming=upcoming,
        past=past,
        now=now,
        can_check_in=lambda b: b.status == "confirmed" and rules.can_check_in(b.starts_at, b.ends_at, now),
        managed=services.managed_spaces(current_user),
    )


@bp.get("/spaces/<int:space_id>/check-in/<code>")
def check_in_page(space_id: int, code: str):
    """The page the QR code printed in the space opens: today's bookings, one button each."""
    space = services.get_space(space_id)
    if code != space.checkin_code:
        abort(404)
    now = utcnow()
    ready: list[DeskBooking] = []
    if current_user.is_authenticated:
        ready = db.session.scalars(
            select(DeskBooking)
            .join(Slot, Slot.id == DeskBooking.slot_id)
            .where(
                Slot.space_id == space.id,
                DeskBooking.user_id == current_user.id,
                DeskBooking.status.in_(("confirmed", "checked_in")),
                DeskBooking.starts_at <= now + timedelta(hours=12),
                DeskBooking.ends_at > now,
            )
            .order_by(DeskBooking.starts_at)
        ).all()
    return render_template(
        "desks/check_in.html",
        space=space,
        ready=ready,
        can_check_in=lambda b: b.status == "confirmed" and rules.can_check_in(b.starts_at, b.ends_at, now),
        page_url=request.path,
    )


from sharemarket.desks import views_manage  # noqa: E402,F401 - manager pages, on the same blueprint
