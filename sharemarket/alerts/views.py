"""Saved-search pages: save one ("Alert me of new rides like this"), list mine, delete."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.alerts import services
from sharemarket.alerts.forms import FIELDS, SavedSearchForm
from sharemarket.alerts.models import SavedSearch
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, ValidationFailed
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.geo import Place, resolve_place

bp = Blueprint("alerts", __name__)


def _place(form: SavedSearchForm, prefix: str) -> Place | None:
    label, lat, lng = (getattr(form, f"{prefix}_{part}").data for part in ("label", "lat", "lng"))
    return resolve_place(current_app.config, label, lat, lng, prefix)


def search_link(saved: SavedSearch) -> str:
    """The search page for the next day the saved search is about."""
    today = utcnow().astimezone(ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])).date()
    day = next(
        today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() in saved.weekdays
    )
    return url_for(
        "rides.search",
        from_label=saved.from_label or "",
        from_lat=saved.from_lat,
        from_lng=saved.from_lng,
        to_label=saved.to_label or "",
        to_lat=saved.to_lat,
        to_lng=saved.to_lng,
        day=day.isoformat(),
        time_from=saved.time_from,
        time_to=saved.time_to,
        seats=saved.seats,
    )


@bp.get("/rides/alerts")
@login_required
def mine():
    return render_template("alerts/list.html", searches=services.searches_of(current_user), search_link=search_link)


@bp.route("/rides/alerts/new", methods=["GET", "POST"])
@login_required
def new():
    form = SavedSearchForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.time_from.data = datetime.strptime("07:30", "%H:%M").time()
        form.time_to.data = datetime.strptime("08:30", "%H:%M").time()
    elif form.validate_on_submit():
        try:
            origin, destination = _place(form, "from"), _place(form, "to")
            for name, place in (("from", origin), ("to", destination)):
                if place is None:
                    raise ValidationFailed.field(name, _("Give a town or pick the point on the map."))
            services.save_search(
                user=current_user,
                origin=origin,
                destination=destination,
                weekdays=form.weekdays.data or [],
                time_from=form.time_from.data.strftime("%H:%M"),
                time_to=form.time_to.data.strftime("%H:%M"),
                seats=form.seats.data,
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            exc.errors = {FIELDS.get(name, name): messages for name, messages in exc.errors.items()}
            apply_errors(form, exc)
        else:
            flash(_("Saved. We will tell you when a new ride matches this search."), "success")
            return redirect(url_for("alerts.mine"))
    return render_template("alerts/new.html", form=form), 422 if form.errors else 200


@bp.post("/rides/alerts/<int:search_id>/delete")
@login_required
def delete(search_id: int):
    services.forget_search(user=current_user, search_id=search_id)
    db.session.commit()
    flash(_("Saved search deleted: no more alerts for it."), "success")
    return redirect(url_for("alerts.mine"))
