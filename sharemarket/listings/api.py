"""The tool library in the JSON API: /categories, /listings and what hangs off a listing."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from sharemarket.api import current_api_user, endpoint, optional_api_user
from sharemarket.api.core import UnsupportedMediaType, _encode_cursor, decode_cursor
from sharemarket.api.schemas import iso_utc, user_ref
from sharemarket.bookings.api import BOOKING_SCHEMA, booking_json
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import parse_latlng
from sharemarket.listings import loans, photos, rules, search, services
from sharemarket.listings.models import Listing
from sharemarket.listings.schemas import (
    BLOCK_SCHEMA,
    CATEGORY_SCHEMA,
    DAY_SCHEMA,
    LISTING_SCHEMA,
    PHOTO_SCHEMA,
    BlockCreate,
    ListingCreate,
    ListingPatch,
    ListingSearchQuery,
    LoanRequest,
    list_of,
)

bp = Blueprint("listings_api", __name__)


def photo_json(photo) -> dict:
    return {
        "id": photo.id,
        "url": url_for("listings.photo", key=photo.key, size="full", _external=True),
        "thumbnail_url": url_for("listings.photo", key=photo.key, size="thumb", _external=True),
        "width": photo.width,
        "height": photo.height,
    }


def listing_json(
    listing: Listing,
    *,
    exact: bool,
    distance_km: float | None = None,
    labels: dict[str, str] | None = None,
    listing_photos=None,
) -> dict:
    """A listing as the viewer may see it: the true place and pick-up instructions only if `exact`."""
    place = services.shown_place(listing, exact)
    location = {"lat": place.lat, "lng": place.lng}
    if place.label:
        location["label"] = place.label
    data = {
        "id": listing.id,
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
        "category_label": (labels or rules.category_labels())[listing.category],
        "condition": listing.condition,
        "owner": user_ref(listing.owner),
        "location": location,
        "location_approximate": place.approximate,
        "deposit_cents": listing.deposit_cents,
        "currency": listing.currency,
        "max_loan_days": listing.max_loan_days,
        "min_notice_days": listing.min_notice_days,
        "buffer_days": listing.buffer_days,
        "status": listing.status,
        "photos": [photo_json(p) for p in (listing.photos if listing_photos is None else listing_photos)],
        "created_at": iso_utc(listing.created_at),
        "updated_at": iso_utc(listing.updated_at),
    }
    if distance_km is not None:
        # From the true place, rounded to 100 m so that distances from several points do not
        # give the true place away.
        data["distance_km"] = round(distance_km, 1)
    if exact:
        data["pickup_instructions"] = listing.pickup_instructions
        data["replacement_value_cents"] = listing.replacement_value_cents
    return data


def _viewer_id() -> int | None:
    user = optional_api_user()
    return user.id if user is not None else None


@bp.get("/categories")
@endpoint(
    "The categories of things lent, with labels in the caller's language",
    auth="optional",
    responses={200: list_of(CATEGORY_SCHEMA)},
    tags=["listings"],
)
def categories():
    results = [{"id": key, "label": str(label)} for key, label in rules.CATEGORIES.items()]
    return jsonify({"results": results, "next": None})


@bp.post("/listings")
@endpoint("Publish something to lend", body=ListingCreate, responses={201: LISTING_SCHEMA}, tags=["listings"])
def create_listing(body: ListingCreate):
    fields = body.model_dump(exclude_none=True, exclude={"location"})
    listing = services.create_listing(owner=current_api_user(), now=utcnow(), place=body.location.to_place(), **fields)
    db.session.commit()
    return jsonify(listing_json(listing, exact=True)), 201


@bp.get("/listings")
@endpoint(
    "Search listings: near a point (nearest first, with distance_km), by words, category and free days",
    auth="optional",
    query=ListingSearchQuery,
    responses={200: list_of(LISTING_SCHEMA)},
    tags=["listings"],
    paginated=True,
)
def list_listings(query: ListingSearchQuery):
    near = parse_latlng(query.near, "near") if query.near is not None else None
    wanted = search.SearchQuery(
        near=near,
        radius_km=query.radius_km,
        q=query.q,
        category=query.category,
        available_from=query.available_from,
        available_to=query.available_to,
        viewer_id=_viewer_id(),
    )
    after = decode_cursor(query.cursor)
    if after is not None and not isinstance(after, list):
        raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out."))
    found, position = search.search(wanted, limit=query.limit, after=after)
    exact = services.exact_place_ids([f.listing for f in found], _viewer_id())
    labels = rules.category_labels()
    results = [
        listing_json(
            f.listing, exact=f.listing.id in exact, distance_km=f.distance_km, labels=labels, listing_photos=f.photos
        )
        for f in found
    ]
    # COMMIT, not the ROLLBACK of the session's close: psycopg forgets its prepared statements at
    # every ROLLBACK, and PostgreSQL would plan the search again on each request (decision 0100).
    db.session.commit()
    return jsonify({"results": results, "next": _encode_cursor(position) if position is not None else None})


@bp.get("/listings/<int:listing_id>")
@endpoint("One listing", auth="optional", responses={200: LISTING_SCHEMA}, tags=["listings"])
def get_listing(listing_id: int):
    viewer = optional_api_user()
    listing = services.visible(listing_id, viewer)
    exact = services.sees_exact_place(listing, viewer.id if viewer else None)
    return jsonify(listing_json(listing, exact=exact))


@bp.patch("/listings/<int:listing_id>")
@endpoint(
    "Change a listing (its owner only); status pauses or archives it",
    body=ListingPatch,
    responses={200: LISTING_SCHEMA},
    tags=["listings"],
)
def update_listing(listing_id: int, body: ListingPatch):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    fields = body.model_dump(exclude_unset=True, exclude={"location", "status"})
    if "location" in body.model_fields_set:
        fields["place"] = body.location.to_place() if body.location else None
    services.update_listing(listing=listing, actor=user, now=utcnow(), status=body.status, **fields)
    db.session.commit()
    return jsonify(listing_json(listing, exact=True))


@bp.delete("/listings/<int:listing_id>")
@endpoint(
    "Remove a listing (its owner only): archived if it was ever lent or asked for, deleted otherwise",
    responses={204: None},
    tags=["listings"],
)
def delete_listing(listing_id: int):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    keys = services.delete_listing(listing=listing, actor=user, now=utcnow())
    db.session.commit()
    photos.delete_files(keys)
    return "", 204


@bp.post("/listings/<int:listing_id>/bookings")
@endpoint(
    "Ask to borrow a listing for whole days (start and end included)",
    body=LoanRequest,
    responses={201: BOOKING_SCHEMA},
    tags=["listings", "bookings"],
)
def request_loan(listing_id: int, body: LoanRequest):
    user = current_api_user()
    listing = services.visible(listing_id, user)
    loan = loans.request_loan(listing=listing, borrower=user, start=body.start_date, end=body.end_date, now=utcnow())
    db.session.commit()
    return jsonify(booking_json(loan, user.id)), 201


@bp.post("/listings/<int:listing_id>/photos")
@endpoint(
    "Add a photo (owner only; at most 5): multipart/form-data with a `photo` file, JPEG, PNG or WebP",
    description="The picture is re-encoded and thumbnailed; its metadata (EXIF, GPS) is dropped.",
    responses={201: PHOTO_SCHEMA},
    tags=["listings"],
)
def add_photo(listing_id: int):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the photo as multipart/form-data, in a field named photo.")
    upload = request.files.get("photo")
    if upload is None:
        raise ValidationFailed.field("photo", _l("Attach a picture in the field named photo."))
    photo = services.add_photo(listing=listing, actor=user, data=upload.read(), now=utcnow())
    db.session.commit()
    return jsonify(photo_json(photo)), 201


@bp.delete("/listings/<int:listing_id>/photos/<int:photo_id>")
@endpoint("Remove a photo (owner only)", responses={204: None}, tags=["listings"])
def remove_photo(listing_id: int, photo_id: int):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    key = services.remove_photo(listing=listing, actor=user, photo_id=photo_id)
    db.session.commit()
    photos.delete_files([key])
    return "", 204


@bp.get("/listings/<int:listing_id>/calendar")
@endpoint(
    "The next 8 weeks of a listing, day by day: free, taken (lent) or blocked by the owner",
    auth="optional",
    responses={200: list_of(DAY_SCHEMA)},
    tags=["listings"],
)
def listing_calendar(listing_id: int):
    listing = services.visible(listing_id, optional_api_user())
    weeks = services.calendar(listing, utcnow())
    days = [{"date": d.day.isoformat(), "state": d.state} for week in weeks for d in week if d.state != "past"]
    return jsonify({"results": days, "next": None})


def block_json(block) -> dict:
    return {
        "id": block.id,
        "start_date": block.start_date.isoformat(),
        "end_date": block.end_date.isoformat(),
        "reason": block.reason,
    }


@bp.get("/listings/<int:listing_id>/blocks")
@endpoint(
    "Periods the owner blocked, not yet over (owner only)", responses={200: list_of(BLOCK_SCHEMA)}, tags=["listings"]
)
def list_blocks(listing_id: int):
    listing = services.owned(listing_id, current_api_user())
    today = rules.local_today(utcnow(), current_app.config["SHAREMARKET_TIMEZONE"])
    return jsonify({"results": [block_json(b) for b in services.blocks_of(listing, today)], "next": None})


@bp.post("/listings/<int:listing_id>/blocks")
@endpoint(
    "Block days when the item is not lent (holidays, repair); owner only",
    body=BlockCreate,
    responses={201: BLOCK_SCHEMA},
    tags=["listings"],
)
def add_block(listing_id: int, body: BlockCreate):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    block = services.add_block(
        listing=listing, actor=user, start=body.start_date, end=body.end_date, reason=body.reason, now=utcnow()
    )
    db.session.commit()
    return jsonify(block_json(block)), 201


@bp.delete("/listings/<int:listing_id>/blocks/<int:block_id>")
@endpoint("Unblock a period (owner only)", responses={204: None}, tags=["listings"])
def remove_block(listing_id: int, block_id: int):
    user = current_api_user()
    listing = services.owned(listing_id, user)
    services.remove_block(listing=listing, actor=user, block_id=block_id)
    db.session.commit()
    return "", 204
