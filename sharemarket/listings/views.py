"""Tool library pages: search, publish and edit, my listings, a listing with its calendar and loans."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.api.core import _encode_cursor, decode_cursor
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors, safe_next
from sharemarket.geo import Place, geocode, resolve_place
from sharemarket.listings import loans, photos, rules, search, services
from sharemarket.listings.forms import BlockForm, EditListingForm, ListingForm, LoanRequestForm, SearchForm
from sharemarket.listings.models import Listing, Loan

bp = Blueprint("listings", __name__)

PHOTO_KEY = re.compile(r"[0-9a-f]{32}")


def _done_message(action: str) -> str:
    return {
        "approve": _("Loan approved: the borrower now sees where to pick it up."),
        "decline": _("Request declined."),
        "cancel": _("Loan cancelled."),
        "pickup": _("Pick-up recorded."),
        "return": _("Return recorded. Thank you for lending!"),
    }[action]


def _viewer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.get("/listings", endpoint="search")
def search_page():
    form = SearchForm(request.args)
    results: list[search.Found] = []
    exact: set[int] = set()
    centre = None
    next_url = None
    status = 200
    if form.validate():
        try:
            centre = _search_centre(form)
            wanted = search.SearchQuery(
                near=(centre.lat, centre.lng) if centre else None,
                radius_km=float(form.radius_km.data or search.RADIUS_DEFAULT_KM),
                q=form.q.data or "",
                category=form.category.data or None,
                available_from=form.available_from.data,
                available_to=form.available_to.data,
                viewer_id=_viewer_id(),
            )
            after = decode_cursor(request.args.get("cursor"))
            results, position = search.search(wanted, limit=20, after=after if isinstance(after, list) else None)
            exact = services.exact_place_ids([f.listing for f in results], _viewer_id())
            if position is not None:
                args = request.args.to_dict() | {"cursor": _encode_cursor(position)}
                next_url = url_for("listings.search", **args)
        except DomainError as exc:
            apply_errors(form, exc)
            status = 422
    else:
        status = 422
    shown = {f.listing.id: services.shown_place(f.listing, f.listing.id in exact) for f in results}
    page = render_template(
        "listings/search.html",
        form=form,
        results=results,
        shown=shown,
        centre=centre,
        next_url=next_url,
        categories=rules.category_labels(),
    )
    # COMMIT, not the ROLLBACK of the session's close: psycopg forgets its prepared statements at
    # every ROLLBACK, and PostgreSQL would plan the search again on each request (decision 0100).
    db.session.commit()
    return page, status


def _search_centre(form: SearchForm):
    """Where to search around: picked coordinates, else a town name, else the user's home."""
    if form.lat.data is not None and form.lng.data is not None:
        return resolve_place(current_app.config, form.where.data, form.lat.data, form.lng.data, "where")
    if form.where.data and form.where.data.strip():
        place = geocode(current_app.config, form.where.data.strip())
        if place is None:
            raise ValidationFailed.field("where", _("We do not know this place. Try a nearby town."))
        return place
    if current_user.is_authenticated and current_user.has_home:
        return Place(current_user.home_lat, current_user.home_lng, current_user.home_label)
    return None


def _place_of(form: ListingForm):
    place = resolve_place(current_app.config, form.place_label.data, form.lat.data, form.lng.data, "place_label")
    if place is None:
        raise ValidationFailed.field("place_label", _("Say where the item is: a town name or a point on the map."))
    return place


def _save_photos(form: ListingForm, listing: Listing) -> None:
    for upload in form.new_photos.data or []:
        if not getattr(upload, "filename", ""):
            continue
        try:
            services.add_photo(listing=listing, actor=current_user, data=upload.read(), now=utcnow())
        except DomainError as exc:
            raise ValidationFailed(exc.detail, {"new_photos": [f"{upload.filename}: {exc.detail}"]}) from None


@bp.route("/listings/new", methods=["GET", "POST"])
@login_required
def new():
    form = ListingForm()
    if request.method == "GET" and current_user.has_home:
        form.place_label.data = current_user.home_label
        form.lat.data, form.lng.data = current_user.home_lat, current_user.home_lng
    if form.validate_on_submit():
        try:
            listing = services.create_listing(
                owner=current_user, now=utcnow(), place=_place_of(form), **form.fields_for_service()
            )
            _save_photos(form, listing)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="title")
        else:
            flash(_("Your listing is published. Neighbours can find it now."), "success")
            return redirect(url_for("listings.detail", listing_id=listing.id))
    return render_template("listings/form.html", form=form, listing=None), 422 if form.errors else 200


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = services.owned(listing_id, current_user)
    form = EditListingForm(obj=listing)
    if request.method == "GET":
        form.deposit.data = Decimal(listing.deposit_cents) / 100
        if listing.replacement_value_cents is not None:
            form.replacement_value.data = Decimal(listing.replacement_value_cents) / 100
    if form.validate_on_submit():
        try:
            services.update_listing(
                listing=listing,
                actor=current_user,
                now=utcnow(),
                status=form.status.data,
                place=_place_of(form),
                **form.fields_for_service(),
            )
            _save_photos(form, listing)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="title")
        else:
            flash(_("Your listing is saved."), "success")
            return redirect(url_for("listings.detail", listing_id=listing.id))
    listing = db.session.get(Listing, listing_id)
    return render_template("listings/form.html", form=form, listing=listing), 422 if form.errors else 200


@bp.get("/listings/mine")
@login_required
def mine():
    return render_template("listings/mine.html", rows=services.my_listings(current_user))


def _render_detail(listing: Listing, *, request_form=None, block_form=None, status: int = 200):
    viewer_id = _viewer_id()
    now = utcnow()
    is_owner = viewer_id == listing.owner_id
    exact = services.sees_exact_place(listing, viewer_id)
    today = rules.local_today(now, current_app.config["SHAREMARKET_TIMEZONE"])
    context = {
        "listing": listing,
        "is_owner": is_owner,
        "exact": exact,
        "place": services.shown_place(listing, exact),
        "weeks": services.calendar(listing, now),
        "today": today,
        "request_form": request_form or LoanRequestForm(),
        "block_form": block_form or BlockForm(prefix="block"),
        "categories": rules.category_labels(),
        "conditions": rules.CONDITIONS,
    }
    if is_owner:
        to_handle = loans.loans_to_handle(listing)
        context["loans"] = to_handle
        context["clashing"] = loans.clashing_ids(listing, to_handle)
        context["blocks"] = services.blocks_of(listing, today)
    elif viewer_id is not None:
        context["loans"] = loans.loans_of_borrower(listing, current_user)
    context["actions_for"] = lambda loan: booking_rules.allowed_actions(
        loan.kind, loan.status, bookings.roles_of(loan, viewer_id)
    )
    return render_template("listings/detail.html", **context), status


@bp.get("/listings/<int:listing_id>")
def detail(listing_id: int):
    listing = services.visible(listing_id, current_user if current_user.is_authenticated else None)
    return _render_detail(listing)


@bp.post("/listings/<int:listing_id>/request")
@login_required
def request_loan(listing_id: int):
    listing = services.visible(listing_id, current_user)
    form = LoanRequestForm()
    if form.validate_on_submit():
        try:
            loans.request_loan(
                listing=listing,
                borrower=current_user,
                start=form.start_date.data,
                end=form.end_date.data,
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="start_date")
            return _render_detail(listing, request_form=form, status=exc.status)
        flash(_("Your request is sent. The owner has 48 hours to answer."), "success")
        return redirect(url_for("listings.detail", listing_id=listing.id))
    return _render_detail(listing, request_form=form, status=422)


@bp.post("/listings/loans/<int:booking_id>/<any(approve, decline, cancel, pickup, return):action>")
@login_required
def act(booking_id: int, action: str):
    """Any page may post here (with an optional local `next` to come back to)."""
    loan = bookings.get_visible(booking_id=booking_id, user=current_user)
    if not isinstance(loan, Loan):
        raise NotFound(_("No such loan."))
    try:
        bookings.act(booking=loan, action=action, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash(_done_message(action), "success")
    back = safe_next(request.form.get("next")) or url_for("listings.detail", listing_id=loan.listing_id)
    return redirect(back, code=303)


@bp.post("/listings/<int:listing_id>/blocks")
@login_required
def add_block(listing_id: int):
    listing = services.owned(listing_id, current_user)
    form = BlockForm(prefix="block")
    if form.validate_on_submit():
        try:
            services.add_block(
                listing=listing,
                actor=current_user,
                start=form.start_date.data,
                end=form.end_date.data,
                reason=form.reason.data or "",
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="start_date")
            return _render_detail(listing, block_form=form, status=exc.status)
        flash(_("These days are blocked."), "success")
        return redirect(url_for("listings.detail", listing_id=listing.id) + "#blocks", code=303)
    return _render_detail(listing, block_form=form, status=422)


@bp.post("/listings/<int:listing_id>/blocks/<int:block_id>/delete")
@login_required
def remove_block(listing_id: int, block_id: int):
    listing = services.owned(listing_id, current_user)
    services.remove_block(listing=listing, actor=current_user, block_id=block_id)
    db.session.commit()
    flash(_("These days are free again."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id) + "#blocks", code=303)


@bp.post("/listings/<int:listing_id>/photos/<int:photo_id>/delete")
@login_required
def remove_photo(listing_id: int, photo_id: int):
    listing = services.owned(listing_id, current_user)
    key = services.remove_photo(listing=listing, actor=current_user, photo_id=photo_id)
    db.session.commit()
    photos.delete_files([key])
    flash(_("Photo removed."), "success")
    return redirect(url_for("listings.edit", listing_id=listing.id), code=303)


@bp.post("/listings/<int:listing_id>/renew")
@login_required
def renew(listing_id: int):
    """The owner says the listing is still right: it is not paused as forgotten."""
    listing = services.owned(listing_id, current_user)
    services.update_listing(listing=listing, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Thanks: your listing stays up."), "success")
    return redirect(url_for("listings.mine"), code=303)


@bp.get("/media/listings/<key>-<any(full, thumb):size>.webp")
def photo(key: str, size: str):
    """Only our own re-encoded copies are ever served, under random names."""
    if not PHOTO_KEY.fullmatch(key):
        abort(404)
    path = photos.path_for(key, size)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/webp", max_age=31_536_000, conditional=True)
