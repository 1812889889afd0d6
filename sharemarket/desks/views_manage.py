"""Manager pages: create and edit a space, desks, publish a month of slots, occupancy, co-managers."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from sharemarket.calendars.links import absolute, webcal
from sharemarket.calendars.views import ics_response
from sharemarket.db import utcnow
from sharemarket.desks import feed, occupancy, photos, publishing, rules, services
from sharemarket.desks.forms import DeskForm, ManagerForm, PhotoForm, PublishForm, SpaceForm
from sharemarket.desks.models import Desk, DeskBooking, Slot, Space
from sharemarket.desks.views import _day_arg, bp
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.geo import resolve_place


def _managed(space_id: int) -> Space:
    space = services.get_space(space_id)
    services.require_manager(space, current_user)
    return space


def _space_values(form: SpaceForm) -> dict:
    location = resolve_place(current_app.config, form.place_label.data, form.lat.data, form.lng.data, "place_label")
    return {
        "location": location,
        "description": form.description.data or "",
        "address": form.address.data or "",
        "timezone": form.timezone.data,
        "opening_hours": form.opening_hours.data or "",
        "amenities": form.amenities.data or [],
        "house_rules": form.house_rules.data or "",
        "cancel_cutoff_hours": form.cancel_cutoff_hours.data,
        "max_future_bookings": form.max_future_bookings.data,
    }


@bp.route("/spaces/new", methods=["GET", "POST"])
@login_required
def create_space():
    form = SpaceForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["SHAREMARKET_TIMEZONE"]
    if form.validate_on_submit():
        try:
            values = _space_values(form)
            space = services.create_space(creator=current_user, name=form.name.data, now=utcnow(), **values)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="place_label")
        else:
            flash(_("Your space is created. Add its desks, then publish slots."), "success")
            return redirect(url_for("desks.manage", space_id=space.id))
    return render_template("desks/space_form.html", form=form, space=None), (422 if form.errors else 200)


@bp.route("/spaces/<int:space_id>/edit", methods=["GET", "POST"])
@login_required
def edit_space(space_id: int):
    space = _managed(space_id)
    form = SpaceForm(obj=space)
    if request.method == "GET":
        form.amenities.data = space.amenity_codes
    if form.validate_on_submit():
        try:
            values = _space_values(form)
            if values["location"] is None:
                values.pop("location")
            services.update_space(space=space, actor=current_user, now=utcnow(), name=form.name.data, **values)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="place_label")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("desks.manage", space_id=space.id))
    return render_template("desks/space_form.html", form=form, space=space), (422 if form.errors else 200)


@bp.get("/spaces/<int:space_id>/manage")
@login_required
def manage(space_id: int):
    space = _managed(space_id)
    feed_url = absolute(url_for("desks.space_feed", token=space.calendar_token))
    return render_template(
        "desks/manage.html",
        space=space,
        desk_form=DeskForm(),
        manager_form=ManagerForm(),
        photo_form=PhotoForm(),
        check_in_url=absolute(url_for("desks.check_in_page", space_id=space.id, code=space.checkin_code)),
        feed_url=feed_url,
        feed_webcal=webcal(feed_url),
        upcoming=services.upcoming_slot_count(space, utcnow()),
    )


def _form_post(space: Space, form, action, success: str):
    """Run a small manager form posted from the manage page; errors are flashed there."""
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(" ".join(str(m) for m in messages), "error")
        return redirect(url_for("desks.manage", space_id=space.id))
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash(success, "success")
    return redirect(url_for("desks.manage", space_id=space.id))


@bp.post("/spaces/<int:space_id>/desks")
@login_required
def add_desk(space_id: int):
    space = _managed(space_id)
    form = DeskForm()
    return _form_post(
        space,
        form,
        lambda: services.add_desk(
            space=space,
            actor=current_user,
            label=form.label.data,
            kind=form.kind.data,
            seats=form.seats.data,
            now=utcnow(),
        ),  # fmt: skip
        _("Desk added."),
    )


@bp.route("/desks/<int:desk_id>/edit", methods=["GET", "POST"])
@login_required
def edit_desk(desk_id: int):
    desk = db.session.get(Desk, desk_id)
    if desk is None:
        abort(404)
    space = _managed(desk.space_id)
    form = DeskForm(obj=desk)
    if form.validate_on_submit():
        try:
            services.update_desk(
                desk=desk, actor=current_user, label=form.label.data, kind=form.kind.data, seats=form.seats.data,
                now=utcnow(),
            )  # fmt: skip
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("desks.manage", space_id=space.id))
    return render_template("desks/desk_form.html", form=form, space=space, desk=desk), 422 if form.errors else 200


@bp.post("/spaces/<int:space_id>/managers")
@login_required
def add_manager(space_id: int):
    space = _managed(space_id)
    form = ManagerForm()
    return _form_post(
        space,
        form,
        lambda: services.add_manager(space=space, actor=current_user, email=form.email.data, now=utcnow()),
        _("Co-manager added."),
    )


@bp.post("/spaces/<int:space_id>/managers/<int:user_id>/remove")
@login_required
def remove_manager(space_id: int, user_id: int):
    space = _managed(space_id)
    try:
        services.remove_manager(space=space, actor=current_user, user_id=user_id, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("desks.manage", space_id=space.id))
    if user_id == current_user.id:
        flash(_("You no longer manage %(space)s.", space=space.name), "info")
        return redirect(url_for("desks.space", space_id=space.id))
    flash(_("Co-manager removed."), "success")
    return redirect(url_for("desks.manage", space_id=space.id))


@bp.post("/spaces/<int:space_id>/photos")
@login_required
def add_photo(space_id: int):
    space = _managed(space_id)
    form = PhotoForm()
    upload = request.files.get("photo")
    data = upload.read(photos.MAX_BYTES + 1) if upload else b""
    return _form_post(
        space,
        form,
        lambda: photos.add_photo(space=space, actor=current_user, data=data, alt=form.alt.data or "", now=utcnow()),
        _("Photo added."),
    )


@bp.post("/spaces/<int:space_id>/photos/<int:photo_id>/delete")
@login_required
def remove_photo(space_id: int, photo_id: int):
    space = _managed(space_id)
    photos.remove_photo(space=space, actor=current_user, photo_id=photo_id)
    db.session.commit()
    flash(_("Photo removed."), "success")
    return redirect(url_for("desks.manage", space_id=space.id))


@bp.post("/spaces/<int:space_id>/<any('check-in-code', calendar):what>/reset")
@login_required
def reset_secret(space_id: int, what: str):
    space = _managed(space_id)
    if what == "calendar":
        services.reset_calendar_token(space=space, actor=current_user, now=utcnow())
        flash(_("The managers' calendar has a new address; the old one no longer works."), "success")
    else:
        services.reset_checkin_code(space=space, actor=current_user, now=utcnow())
        flash(_("New check-in link: print the new QR code; the old one no longer works."), "success")
    db.session.commit()
    return redirect(url_for("desks.manage", space_id=space.id))


@bp.get("/spaces/<int:space_id>/check-in-qr.svg")
@login_required
def check_in_qr(space_id: int):
    space = _managed(space_id)
    url = absolute(url_for("desks.check_in_page", space_id=space.id, code=space.checkin_code))
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="svg", scale=8, border=2, title=space.name)
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@bp.get("/calendar/space/<token>.ics")
def space_feed(token: str):
    space = db.session.scalar(select(Space).where(Space.calendar_token == token)) if len(token) <= 64 else None
    if space is None:
        abort(404)
    body = feed.space_feed(space=space, now=utcnow(), base_url=absolute(""))
    return ics_response(body, f"space-{space.id}.ics")


@bp.route("/spaces/<int:space_id>/publish", methods=["GET", "POST"])
@login_required
def publish(space_id: int):
    space = _managed(space_id)
    form = PublishForm()
    hours_errors: list[str] = []
    form.desks.choices = [SelectChoice(d.id, f"{d.label} ({rules.DESK_KINDS[d.kind]}, {d.seats})") for d in space.desks]
    if request.method == "GET":
        today = utcnow().astimezone(rules.zone(space.timezone)).date()
        start = today + timedelta(days=1)
        form.desks.data = [d.id for d in space.desks]
        form.first_day.data, form.last_day.data = start, start + timedelta(days=30)
    if form.validate_on_submit():
        try:
            slots = publishing.publish_schedule(
                space=space,
                actor=current_user,
                desk_ids=form.desks.data,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                weekdays=form.weekdays.data,
                hours=form.ranges(),
                capacity=form.capacity.data,
                price_cents=int((form.price.data or 0) * 100),
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            hours_errors = exc.errors.pop("hours", [])
            if exc.errors or not hours_errors:
                apply_errors(form, exc, default_field="first_day")
            else:
                form.form_errors.append(exc.detail)
        else:
            flash(_("%(n)s slots published.", n=len(slots)), "success")
            return redirect(url_for("desks.schedule", space_id=space.id, day=form.first_day.data.isoformat()))
    return render_template("desks/publish.html", form=form, space=space, hours_errors=hours_errors), (
        422 if form.errors else 200
    )


@bp.get("/spaces/<int:space_id>/schedule")
@login_required
def schedule(space_id: int):
    """One day of a space's slots with who booked them, for its managers."""
    space = _managed(space_id)
    today = utcnow().astimezone(rules.zone(space.timezone)).date()
    day = _day_arg("day", today)
    start, end = rules.local_day_bounds(day, rules.zone(space.timezone))
    slots = db.session.scalars(
        select(Slot).where(Slot.space_id == space.id, Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Slot.desk_id)
    ).all()  # fmt: skip
    booked = db.session.scalars(
        select(DeskBooking).where(DeskBooking.slot_id.in_([s.id for s in slots])).order_by(DeskBooking.id)
    ).all()
    by_slot: dict[int, list[DeskBooking]] = {}
    for booking in booked:
        by_slot.setdefault(booking.slot_id, []).append(booking)
    return render_template(
        "desks/schedule.html", space=space, day=day, slots=slots, by_slot=by_slot, now=utcnow(),
        previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
    )  # fmt: skip


@bp.route("/slots/<int:slot_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_slot(slot_id: int):
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        abort(404)
    space = _managed(slot.space_id)
    day = slot.starts_at.astimezone(rules.zone(space.timezone)).date()
    back = url_for("desks.schedule", space_id=space.id, day=day.isoformat())
    if request.method == "POST":
        try:
            publishing.cancel_slot(slot=slot, actor=current_user, now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.detail, "error")
        else:
            flash(_("Slot cancelled; its bookers are told."), "success")
        return redirect(back)
    bookers = db.session.scalars(
        select(DeskBooking).where(DeskBooking.slot_id == slot.id, DeskBooking.status.in_(("confirmed", "waitlisted")))
    ).all()
    return render_template("desks/cancel_slot.html", slot=slot, space=space, bookers=bookers, back=back)


@bp.get("/spaces/<int:space_id>/occupancy")
@login_required
def occupancy_page(space_id: int):
    space = _managed(space_id)
    today = utcnow().astimezone(rules.zone(space.timezone)).date()
    week_of = _day_arg("week", today)
    monday = week_of - timedelta(days=week_of.weekday())
    return render_template(
        "desks/occupancy.html",
        space=space,
        monday=monday,
        days=occupancy.by_day(space, monday, 7),
        weeks=occupancy.by_week(space, monday - timedelta(weeks=4), 8),
        previous_week=monday - timedelta(weeks=1),
        next_week=monday + timedelta(weeks=1),
    )
