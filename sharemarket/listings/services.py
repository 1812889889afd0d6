"""Listing operations: publish, edit, pause, archive, photos, blocked periods. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.accounts.rules import clean_text
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.communities.services import in_its_community as _in_its_community
from sharemarket.db import lock_row
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place, approximate, check_coordinates
from sharemarket.listings import photos, rules
from sharemarket.listings.models import BlockedPeriod, HeldDay, Listing, ListingPhoto, Loan
from sharemarket.moderation.rules import may_see

# Fields an owner sets, with the checks each gets (see `_apply_fields`).
EDITABLE = (
    "title",
    "description",
    "category",
    "condition",
    "place",
    "deposit_cents",
    "replacement_value_cents",
    "max_loan_days",
    "min_notice_days",
    "buffer_days",
    "pickup_instructions",
)


def _int_problem(value: object, low: int, high: int) -> object | None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        return _l("Give a whole number from %(low)s to %(high)s.", low=low, high=high)
    return None


def _apply_fields(listing: Listing, fields: dict) -> None:
    """Check every given field, then set them all, or none (ValidationFailed listing each problem)."""
    errors: dict[str, list] = {}
    clean: dict[str, object] = {}
    if "title" in fields:
        title = clean_text(fields["title"], rules.TITLE_MAX).replace("\n", " ")
        if not title:
            errors["title"] = [_l("Say what you lend.")]
        elif len(title) > rules.TITLE_MAX:
            errors["title"] = [_l("Use at most %(n)s characters.", n=rules.TITLE_MAX)]
        clean["title"] = title
    for name, limit in (("description", rules.DESCRIPTION_MAX), ("pickup_instructions", rules.INSTRUCTIONS_MAX)):
        if name in fields:
            text = clean_text(fields[name] or "", limit)
            if len(text) > limit:
                errors[name] = [_l("Use at most %(n)s characters.", n=limit)]
            clean[name] = text
    if "category" in fields:
        if fields["category"] not in rules.CATEGORIES:
            errors["category"] = [_l("Choose one of: %(choices)s.", choices=", ".join(rules.CATEGORIES))]
        clean["category"] = fields["category"]
    if "condition" in fields:
        if fields["condition"] not in rules.CONDITIONS:
            errors["condition"] = [_l("Choose one of: %(choices)s.", choices=", ".join(rules.CONDITIONS))]
        clean["condition"] = fields["condition"]
    if "place" in fields:
        place: Place | None = fields["place"]
        if place is None:
            errors["location"] = [_l("Say where the item is: a town name or a point on the map.")]
        else:
            try:
                clean["lat"], clean["lng"] = check_coordinates(place.lat, place.lng, "location")
                clean["place_label"] = clean_text(place.label or "", 120).replace("\n", " ")[:120] or None
            except ValidationFailed as exc:
                errors.update(exc.errors)
    for name, label in (("deposit_cents", _l("The deposit")), ("replacement_value_cents", _l("The value"))):
        if name in fields:
            value = fields[name]
            if name == "deposit_cents" and value is None:
                value = 0
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                errors[name] = [_l("Give an amount in cents.")]
            elif problem := rules.cents_problem(value, label):
                errors[name] = [problem]
            clean[name] = value
    for name, low, high in (
        ("max_loan_days", 1, rules.LOAN_DAYS_MAX),
        ("min_notice_days", 0, rules.NOTICE_DAYS_MAX),
        ("buffer_days", 0, rules.BUFFER_DAYS_MAX),
    ):
        if name in fields:
            if problem := _int_problem(fields[name], low, high):
                errors[name] = [problem]
            clean[name] = fields[name]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    for name, value in clean.items():
        setattr(listing, name, value)
    listing.search_text = rules.search_text(listing.title, listing.description or "")


def create_listing(*, owner: User, now: datetime, **fields) -> Listing:
    """Publish a listing; `fields` are those of EDITABLE (title, category and place required)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown listing fields: {sorted(unknown)}")
    defaults = {"description": "", "condition": "good", "deposit_cents": 0, "max_loan_days": 7}
    defaults |= {"min_notice_days": 0, "buffer_days": 0, "pickup_instructions": "", "replacement_value_cents": None}
    listing = Listing(owner=owner, status="active", currency="EUR", created_at=now, updated_at=now)
    _apply_fields(listing, defaults | {"title": "", "category": None, "place": None} | fields)
    db.session.add(listing)
    db.session.flush()
    return listing


def owned(listing_id: int, actor: User) -> Listing:
    """The listing, if `actor` owns it: 404 when it does not exist, 403 when it is someone else's."""
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(_l("No such listing."))
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    return listing


def visible(listing_id: int, viewer: User | None) -> Listing:
    """A listing as anyone may see it; an archived one only to its owner and its past borrowers."""
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(_l("No such listing."))
    if listing.status == "archived":
        viewer_id = viewer.id if viewer is not None else None
        had_loan = viewer_id is not None and db.session.scalar(
            select(select(Loan.id).where(Loan.listing_id == listing.id, Loan.user_id == viewer_id).exists())
        )
        if listing.owner_id != viewer_id and not had_loan:
            raise NotFound(_l("No such listing."))
    if not may_see(listing.hidden_at, listing.owner_id, viewer):
        raise NotFound(_l("No such listing."))
    if not _in_its_community(listing.community_id, listing.owner_id, viewer):
        raise NotFound(_l("No such listing."))
    return listing


def update_listing(*, listing: Listing, actor: User, now: datetime, status: str | None = None, **fields) -> Listing:
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown listing fields: {sorted(unknown)}")
    if listing.status == "archived" and (fields or status not in (None, "archived")):
        raise Conflict(_l("This listing is archived; publish a new one instead."))
    _apply_fields(listing, fields)
    if status is not None and status != listing.status:
        set_status(listing=listing, actor=actor, status=status, now=now)
    listing.updated_at = now
    listing.stale_warned_at = None
    db.session.flush()
    return listing


def set_status(*, listing: Listing, actor: User, status: str, now: datetime, force: bool = False) -> None:
    """Pause, re-activate or archive. Archiving declines open requests and needs no loan in progress.

    `force` (account closure) also cancels confirmed loans instead of refusing.
    """
    if status not in rules.STATUSES:
        raise ValidationFailed.field("status", _l("Choose one of: %(choices)s.", choices=", ".join(rules.STATUSES)))
    if listing.status == "archived" and status != "archived":
        raise Conflict(_l("This listing is archived; publish a new one instead."))
    if status == "archived":
        lock_row(db.session, Listing, listing.id)
        for loan in db.session.scalars(
            select(Loan).where(Loan.listing_id == listing.id, Loan.status.in_(booking_rules.OPEN)).order_by(Loan.id)
        ):
            if loan.status == "requested":
                bookings.act(booking=loan, action="decline", actor=actor, now=now)
            elif loan.status == "confirmed" and force:
                bookings.act(booking=loan, action="cancel", actor=actor, now=now)
            elif not force:
                raise Conflict(
                    _l("A loan of this item is confirmed or in progress: cancel it or record the return first.")
                )
    listing.status = status
    listing.updated_at = now
    db.session.flush()


def has_history(listing: Listing) -> bool:
    return bool(db.session.scalar(select(select(Loan.id).where(Loan.listing_id == listing.id).exists())))


def delete_listing(*, listing: Listing, actor: User, now: datetime) -> list[str]:
    """Delete a listing nobody ever asked for; archive one with loans (its history stays).

    Returns the photo keys whose files the caller removes after committing.
    """
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    if has_history(listing):
        set_status(listing=listing, actor=actor, status="archived", now=now)
        return []
    keys = [photo.key for photo in listing.photos]
    db.session.delete(listing)
    db.session.flush()
    return keys


def add_photo(*, listing: Listing, actor: User, data: bytes, now: datetime) -> ListingPhoto:
    """Re-encode and store a photo; at most five per listing (the database refuses a sixth)."""
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    processed = photos.process(data)
    lock_row(db.session, Listing, listing.id)
    taken = set(db.session.scalars(select(ListingPhoto.position).where(ListingPhoto.listing_id == listing.id)))
    free = [p for p in range(5) if p not in taken]
    if not free:
        raise Conflict(_l("A listing has at most 5 photos; remove one first."), {"photo": [_l("5 photos at most.")]})
    photo = ListingPhoto(
        listing_id=listing.id,
        position=free[0],
        key=photos.new_key(),
        width=processed.width,
        height=processed.height,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(photo)
    except IntegrityError:
        raise Conflict(_l("A listing has at most 5 photos; remove one first.")) from None
    photos.store(photo.key, processed)
    db.session.refresh(listing, ["photos"])
    return photo


def remove_photo(*, listing: Listing, actor: User, photo_id: int) -> str:
    """Delete a photo's row; returns its key for the caller to remove the files after commit."""
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    photo = db.session.get(ListingPhoto, photo_id)
    if photo is None or photo.listing_id != listing.id:
        raise NotFound(_l("No such photo."))
    key = photo.key
    db.session.delete(photo)
    db.session.flush()
    db.session.refresh(listing, ["photos"])
    return key


def add_block(*, listing: Listing, actor: User, start: date, end: date, reason: str, now: datetime) -> BlockedPeriod:
    """Block days (holidays, repair); refused where a confirmed loan or another block holds a day."""
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    today = rules.local_today(now, current_app.config["SHAREMARKET_TIMEZONE"])
    if end < start:
        raise ValidationFailed.field("end_date", _l("The last day must be on or after the first day."))
    if end < today:
        raise ValidationFailed.field("end_date", _l("This period is already over."))
    if (end - start).days > rules.BOOK_AHEAD_DAYS:
        raise ValidationFailed.field("end_date", _l("Block at most %(n)s days at once.", n=rules.BOOK_AHEAD_DAYS))
    start = max(start, today)
    lock_row(db.session, Listing, listing.id)
    block = BlockedPeriod(
        listing_id=listing.id, start_date=start, end_date=end, reason=clean_text(reason, 120)[:120], created_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(block)
            db.session.flush()
            rows = [
                {"listing_id": listing.id, "day": d, "reason": "blocked", "block_id": block.id}
                for d in rules.days(start, end)
            ]
            db.session.execute(insert(HeldDay), rows)
    except IntegrityError:
        raise Conflict(
            _l("Some of these days are already lent or blocked."),
            {"start_date": [_l("Some of these days are already lent or blocked.")]},
        ) from None
    return block


def remove_block(*, listing: Listing, actor: User, block_id: int) -> None:
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    block = db.session.get(BlockedPeriod, block_id)
    if block is None or block.listing_id != listing.id:
        raise NotFound(_l("No such period."))
    db.session.execute(delete(HeldDay).where(HeldDay.block_id == block.id))
    db.session.delete(block)
    db.session.flush()


def blocks_of(listing: Listing, today: date) -> list[BlockedPeriod]:
    return list(
        db.session.scalars(
            select(BlockedPeriod)
            .where(BlockedPeriod.listing_id == listing.id, BlockedPeriod.end_date >= today)
            .order_by(BlockedPeriod.start_date)
        )
    )


def held_days(listing_id: int, start: date, end: date) -> dict[date, str]:
    rows = db.session.execute(
        select(HeldDay.day, HeldDay.reason).where(
            HeldDay.listing_id == listing_id, HeldDay.day >= start, HeldDay.day <= end
        )
    )
    return {day: reason for day, reason in rows}


def calendar(listing: Listing, now: datetime, weeks: int = 8) -> list[list[rules.CalendarDay]]:
    today = rules.local_today(now, current_app.config["SHAREMARKET_TIMEZONE"])
    first = today - timedelta(days=today.weekday())
    return rules.calendar_weeks(today, held_days(listing.id, first, first + timedelta(days=7 * weeks)), weeks)


def sees_exact_place(listing: Listing, viewer_id: int | None) -> bool:
    """The owner, and a borrower whose loan is confirmed or under way, see the true place."""
    if viewer_id is None:
        return False
    if listing.owner_id == viewer_id:
        return True
    return bool(
        db.session.scalar(
            select(
                select(Loan.id)
                .where(Loan.listing_id == listing.id, Loan.user_id == viewer_id, Loan.status.in_(booking_rules.HOLDING))
                .exists()
            )
        )
    )


def exact_place_ids(listings: list[Listing], viewer_id: int | None) -> set[int]:
    """`sees_exact_place` for many listings at once (one query)."""
    if viewer_id is None or not listings:
        return set()
    owned = {listing.id for listing in listings if listing.owner_id == viewer_id}
    others = [listing.id for listing in listings if listing.id not in owned]
    if not others:
        return owned
    borrowed = db.session.scalars(
        select(Loan.listing_id).where(
            Loan.listing_id.in_(others), Loan.user_id == viewer_id, Loan.status.in_(booking_rules.HOLDING)
        )
    )
    return owned | set(borrowed)


@dataclass(frozen=True)
class ShownPlace:
    lat: float
    lng: float
    label: str | None
    approximate: bool


def shown_place(listing: Listing, exact: bool) -> ShownPlace:
    if exact:
        return ShownPlace(listing.lat, listing.lng, listing.place_label, False)
    lat, lng = approximate(listing.lat, listing.lng, seed=listing.id)
    return ShownPlace(lat, lng, listing.place_label, True)


def my_listings(owner: User) -> list[tuple[Listing, int]]:
    """The owner's listings (archived last) with how many requests wait for an answer."""
    pending = (
        select(func.count(Loan.id))
        .where(Loan.listing_id == Listing.id, Loan.status == "requested")
        .correlate(Listing)
        .scalar_subquery()
    )
    order = (Listing.status == "archived", Listing.created_at.desc(), Listing.id.desc())
    return list(db.session.execute(select(Listing, pending).where(Listing.owner_id == owner.id).order_by(*order)))
