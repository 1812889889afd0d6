"""Carpool pages: find a ride, offer one, a ride's page with its request form, my rides."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sharemarket.bookings import services as bookings
from sharemarket.communities.services import in_its_community
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.geo import Place, check_coordinates, resolve_place
from sharemarket.moderation.rules import may_see
from sharemarket.rides import meeting_points, privacy, rules, search, seats, services
from sharemarket.rides.forms import RIDE_FIELDS, SEARCH_FIELDS, RideForm, SearchForm, SeatRequestForm, parse_dates
from sharemarket.rides.models import Ride
from sharemarket.rides.settings import setting

bp = Blueprint("rides", __name__)
RESULTS_SHOWN = 30


@bp.app_template_global()
def ride_impact(user_id: int) -> dict:
    """Trips, passenger-km and CO2 a member shared, for their public profile."""
    totals = seats.impact_totals(user_id)
    totals["co2_kg_text"] = format_decimal(totals["co2_kg"])
    return totals


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])


def _show_errors(form, exc: DomainError, fields: dict[str, str]) -> None:
    exc.errors = {fields.get(name, name): messages for name, messages in exc.errors.items()}
    apply_errors(form, exc)


def _place(form, prefix: str, field: str) -> Place:
    label, lat, lng = (getattr(form, f"{prefix}_{part}").data for part in ("label", "lat", "lng"))
    place = resolve_place(current_app.config, label, lat, lng, field)
    if place is None:
        raise ValidationFailed.field(field, _("Give a town or pick the point on the map."))
    return place


@bp.get("/rides", endpoint="search")
def search_page():
    form = SearchForm(formdata=request.args or None)
    zone, now = _zone(), utcnow()
    matches, origin, destination, nearest = [], None, None, (None, None)
    if not request.args:
        form.day.data = (now.astimezone(zone) + timedelta(days=1)).date()
        form.time_from.data, form.time_to.data = time(7, 0), time(9, 0)
    elif form.validate():
        try:
            origin, destination = _place(form, "from", "from"), _place(form, "to", "to")
            day = form.day.data or now.astimezone(zone).date()
            after = datetime.combine(day, form.time_from.data or time(0, 0), tzinfo=zone)
            before = datetime.combine(day, form.time_to.data or time(23, 59), tzinfo=zone)
            found = search.search(
                origin=origin,
                destination=destination,
                depart_after=after,
                depart_before=before,
                seats=form.seats.data,
                now=now,
                exclude_driver_id=current_user.id if current_user.is_authenticated else None,
                viewer_id=current_user.id if current_user.is_authenticated else None,
            )
            matches = found.shown(0, RESULTS_SHOWN)
            nearest = found.nearest_areas()
        except DomainError as exc:
            _show_errors(form, exc, SEARCH_FIELDS)
    page = render_template(
        "rides/search.html",
        form=form,
        searched=bool(request.args) and not form.errors,
        matches=matches,
        origin=origin,
        destination=destination,
        nearest=nearest,
        shown_place=privacy.shown_place,
    )
    db.session.commit()  # not a ROLLBACK: psycopg keeps its prepared statements (see the API's search)
    return page, 422 if form.errors else 200


def _ride_input(form: RideForm) -> dict:
    zone = _zone()
    data: dict = {}
    if form.kind.data == "once":
        if form.departure_date.data and form.departure_time.data:
            data["departure_at"] = datetime.combine(form.departure_date.data, form.departure_time.data, tzinfo=zone)
    else:
        data["recurrence"] = rules.Recurrence(
            weekdays=tuple(form.weekdays.data or ()),
            at=form.commute_time.data,
            valid_from=form.valid_from.data,
            valid_until=form.valid_until.data,
            skip=frozenset(parse_dates(form.skip_dates.data)),
        )
    if form.price.data is not None:
        data["price_cents"] = int(round(form.price.data * 100))
    data["preferences"] = rules.Preferences(
        smoking=form.smoking.data,
        pets=form.pets.data,
        music=form.music.data,
        talkative=form.talkative.data,
        luggage=form.luggage.data,
    )
    return data


@bp.route("/rides/new", methods=["GET", "POST"])
@login_required
def new():
    form = RideForm()
    quote = None
    if request.method == "GET" and current_user.has_home:
        form.origin_label.data = current_user.home_label
        form.origin_lat.data, form.origin_lng.data = current_user.home_lat, current_user.home_lng
    if form.validate_on_submit():
        try:
            origin, destination = _place(form, "origin", "origin"), _place(form, "destination", "destination")
            if "preview" in request.form:
                quote = services.quote(origin, destination)
            else:
                ride = services.publish_ride(
                    driver=current_user,
                    origin=origin,
                    destination=destination,
                    seats=form.seats.data,
                    max_detour_km=form.max_detour_km.data,
                    note=form.note.data or "",
                    now=utcnow(),
                    **_ride_input(form),
                )
                db.session.commit()
                flash(_("Your ride is published. Passengers can find it now."), "success")
                return redirect(url_for("rides.detail", ride_id=ride.id))
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc, RIDE_FIELDS)
    return render_template(
        "rides/new.html",
        form=form,
        quote=quote,
        rate=setting("RIDES_PRICE_CENTS_PER_KM"),
        ceiling_rate=setting("RIDES_PRICE_CEILING_CENTS_PER_KM"),
    ), 422 if form.errors else 200


def _request_form(ride: Ride, occurrences, formdata=None) -> SeatRequestForm:
    form = SeatRequestForm(formdata=formdata)
    form.day.choices = [
        SelectChoice(o.date.isoformat(), format_datetime(o.departs_at, "EEEE d MMMM, HH:mm"))
        for o in occurrences
        if not o.cancelled and o.seats_left > 0 and ride.status == "active"
    ]
    return form


DAYS_SHOWN = 10


def _render_detail(ride: Ride, form: SeatRequestForm, occurrences, status: int = 200):
    viewer = current_user.id if current_user.is_authenticated else None
    exact = privacy.sees_exact_places(ride, viewer)
    handled = seats.for_driver(viewer, utcnow()) if viewer == ride.driver_id else []
    return render_template(
        "rides/detail.html",
        ride=ride,
        form=form,
        occurrences=occurrences,
        # Two weeks of departures fit a phone screen; the rest on request.
        shown=len(occurrences) if request.args.get("all_days") else DAYS_SHOWN,
        origin=privacy.shown_place(ride.origin, ride.id, exact),
        destination=privacy.shown_place(ride.destination, ride.id + 1, exact),
        requests=[b for b in handled if b.ride_id == ride.id],
        credit=meeting_points.CREDIT,
    ), status


@bp.get("/rides/<int:ride_id>")
def detail(ride_id: int):
    ride = services.get_ride(ride_id)
    viewer = current_user if current_user.is_authenticated else None
    if not may_see(ride.hidden_at, ride.driver_id, viewer) or not in_its_community(
        ride.community_id, ride.driver_id, viewer
    ):
        raise NotFound(_("No such ride."))
    occurrences = services.upcoming_occurrences(ride, utcnow(), limit=30)
    form = _request_form(ride, occurrences)
    # Coming from a search result: its day, and its pick-up and drop-off points.
    form.day.data = request.args.get("date")
    for name in ("pickup_lat", "pickup_lng", "pickup_label", "dropoff_lat", "dropoff_lng", "dropoff_label"):
        getattr(form, name).data = request.args.get(name, "")[:200]
    return _render_detail(ride, form, occurrences)


def _hidden_place(form: SeatRequestForm, prefix: str) -> Place | None:
    lat, lng = getattr(form, f"{prefix}_lat").data, getattr(form, f"{prefix}_lng").data
    if not lat and not lng:
        return None
    lat_f, lng_f = check_coordinates(lat, lng, prefix)
    return Place(lat_f, lng_f, getattr(form, f"{prefix}_label").data or None)


@bp.post("/rides/<int:ride_id>/request")
@login_required
def request_seat(ride_id: int):
    ride = services.get_ride(ride_id)
    now = utcnow()
    occurrences = services.upcoming_occurrences(ride, now, limit=30)
    form = _request_form(ride, occurrences, request.form)
    if form.validate_on_submit():
        try:
            seats.request_seats(
                ride=ride,
                passenger=current_user,
                seats=form.seats.data,
                day=datetime.strptime(form.day.data, "%Y-%m-%d").date(),
                pickup=_hidden_place(form, "pickup"),
                dropoff=_hidden_place(form, "dropoff"),
                now=now,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc, {"date": "day", "pickup": "day", "dropoff": "day"})
        else:
            flash(_("Your request is sent. The driver answers soon; you will be told."), "success")
            return redirect(url_for("rides.mine"))
    return _render_detail(ride, form, occurrences, 422)


@bp.get("/rides/mine")
@login_required
def mine():
    now = utcnow()
    return render_template(
        "rides/mine.html",
        to_handle=seats.for_driver(current_user.id, now),
        rides=services.rides_of(current_user, include_past=False, now=now),
        my_seats=seats.for_passenger(current_user.id, now),
        now=now,
    )


@bp.post("/rides/bookings/<int:booking_id>/<any(approve, decline, cancel):action>")
@login_required
def act(booking_id: int, action: str):
    booking = bookings.get_visible(booking_id=booking_id, user=current_user)
    if booking.kind != "seat":
        abort(404)
    try:
        bookings.act(booking=booking, action=action, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        messages = {
            "approve": _("Seat confirmed; the passenger is told."),
            "decline": _("Request declined; the passenger is told."),
            "cancel": _("Seat cancelled; the other side is told."),
        }
        flash(messages[action], "success")
    return redirect(url_for("rides.mine"))


@bp.post("/rides/<int:ride_id>/cancel")
@login_required
def cancel(ride_id: int):
    ride = services.get_ride(ride_id)
    try:
        services.cancel_ride(ride=ride, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("rides.detail", ride_id=ride_id))
    flash(_("Your ride is withdrawn; passengers are told."), "success")
    return redirect(url_for("rides.mine"))


@bp.post("/rides/<int:ride_id>/days/<day>/cancel")
@login_required
def cancel_day(ride_id: int, day: str):
    ride = services.get_ride(ride_id)
    try:
        when = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError:
        abort(404)
    try:
        services.cancel_occurrence(ride=ride, day=when, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash(_("You do not drive that day; its passengers are told."), "success")
    return redirect(url_for("rides.detail", ride_id=ride_id))
