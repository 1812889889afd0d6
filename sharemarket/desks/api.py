"""Coworking spaces, desks and slots in the JSON API (contract: api-v1.md, "Coworking spaces")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from sharemarket.api import current_api_user, endpoint, optional_api_user
from sharemarket.api.core import PageQuery, decode_cursor
from sharemarket.api.core import _encode_cursor as encode_cursor
from sharemarket.api.schemas import PlaceIn, PlaceOut, Schema, UserRef, iso_utc, user_ref
from sharemarket.bookings.api import BOOKING_SCHEMA, booking_json
from sharemarket.db import utcnow
from sharemarket.desks import publishing, rules, search, seats, services
from sharemarket.desks.models import Desk, Slot, Space
from sharemarket.errors import NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import parse_latlng

bp = Blueprint("desks_api", __name__)

StrictInt = Annotated[int, Field(strict=True)]
MAX_WINDOW = timedelta(days=31)


class SpaceCreate(Schema):
    name: str = Field(max_length=200)
    description: str | None = Field(None, max_length=5000)
    location: PlaceIn
    timezone: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=300)
    opening_hours: str | None = Field(None, max_length=1000)
    amenities: list[str] | None = Field(None, max_length=50)
    house_rules: str | None = Field(None, max_length=5000)
    cancel_cutoff_hours: StrictInt | None = None
    max_future_bookings: StrictInt | None = None


class SpacePatch(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    location: PlaceIn | None = None
    timezone: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=300)
    opening_hours: str | None = Field(None, max_length=1000)
    amenities: list[str] | None = Field(None, max_length=50)
    house_rules: str | None = Field(None, max_length=5000)
    cancel_cutoff_hours: StrictInt | None = None
    max_future_bookings: StrictInt | None = Field(None, description="null removes the limit")


class Amenity(Schema):
    id: str
    label: str


class DeskOut(Schema):
    id: int
    label: str
    kind: Literal["hot_desk", "fixed_desk", "meeting_room"]
    seats: int


class SpaceOut(Schema):
    id: int
    name: str
    description: str
    location: PlaceOut
    address: str
    timezone: str
    opening_hours: str
    amenities: list[Amenity]
    house_rules: str
    cancel_cutoff_hours: int
    max_future_bookings: int | None
    managers: list[UserRef]
    desks: list[DeskOut]
    photos: list[str]
    url: str


class ManagerAdd(Schema):
    user_id: int


class ManagerOut(Schema):
    space_id: int
    user: UserRef
    added_at: datetime


class DeskCreate(Schema):
    label: str = Field(max_length=200)
    kind: Literal["hot_desk", "fixed_desk", "meeting_room"] | None = None
    seats: StrictInt | None = None


class RepeatIn(Schema):
    weekdays: list[StrictInt] = Field(max_length=7, description="0 = Monday ... 6 = Sunday")
    until: date = Field(description="last day (inclusive), in the space's timezone")


class SlotCreate(Schema):
    desk_id: int
    start: datetime
    end: datetime
    capacity: StrictInt
    price_cents: StrictInt | None = None
    repeat: RepeatIn | None = None


class SlotOut(Schema):
    id: int
    space_id: int
    desk_id: int
    space: dict
    desk: DeskOut
    start: datetime
    end: datetime
    capacity: int
    remaining: int
    price_cents: int
    currency: str
    cancelled: bool
    distance_km: float | None = None


class SlotList(Schema):
    results: list[SlotOut]
    next: str | None = None


class SlotQuery(PageQuery):
    near: str | None = Field(None, max_length=60, description="LAT,LNG")
    radius_km: float = Field(10, gt=0, le=200, allow_inf_nan=False)
    from_: datetime | None = Field(None, alias="from", description="default: now")
    to: datetime | None = Field(None, description="default: `from` + 7 days; at most 31 days after `from`")
    space_id: int | None = None


class BookIn(Schema):
    waitlist: bool = False


def desk_json(desk: Desk) -> dict:
    return {"id": desk.id, "label": desk.label, "kind": desk.kind, "seats": desk.seats}


def space_json(space: Space) -> dict:
    return {
        "id": space.id,
        "name": space.name,
        "description": space.description,
        "location": {"lat": space.lat, "lng": space.lng, "label": space.place_label},
        "address": space.address,
        "timezone": space.timezone,
        "opening_hours": space.opening_hours,
        "amenities": [{"id": code, "label": str(rules.AMENITIES[code])} for code in space.amenity_codes],
        "house_rules": space.house_rules,
        "cancel_cutoff_hours": space.cancel_cutoff_hours,
        "max_future_bookings": space.max_future_bookings,
        "managers": [user_ref(m.user) for m in space.managers],
        "desks": [desk_json(d) for d in space.desks],
        "photos": [f"/space-photos/{p.id}.jpg" for p in space.photos],
        "url": f"/spaces/{space.id}",
    }


def slot_fields(slot: Slot) -> dict:
    """A slot as the columns the search reads (search.SLOT_COLUMNS)."""
    return {
        "id": slot.id,
        "space_id": slot.space_id,
        "desk_id": slot.desk_id,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "capacity": slot.capacity,
        "booked": slot.booked,
        "price_cents": slot.price_cents,
        "currency": slot.currency,
        "cancelled_at": slot.cancelled_at,
        "space_name": slot.space.name,
        "space_lat": slot.space.lat,
        "space_lng": slot.space.lng,
        "space_label": slot.space.place_label,
        "desk_label": slot.desk.label,
        "desk_kind": slot.desk.kind,
        "desk_seats": slot.desk.seats,
    }


def slot_json(slot: Slot | dict, distance_km: float | None = None) -> dict:
    f = slot if isinstance(slot, dict) else slot_fields(slot)
    data = {
        "id": f["id"],
        "space_id": f["space_id"],
        "desk_id": f["desk_id"],
        "space": {
            "id": f["space_id"],
            "name": f["space_name"],
            "location": {"lat": f["space_lat"], "lng": f["space_lng"], "label": f["space_label"]},
        },
        "desk": {"id": f["desk_id"], "label": f["desk_label"], "kind": f["desk_kind"], "seats": f["desk_seats"]},
        "start": iso_utc(f["starts_at"]),
        "end": iso_utc(f["ends_at"]),
        "capacity": f["capacity"],
        "remaining": max(0, f["capacity"] - f["booked"]),
        "price_cents": f["price_cents"],
        "currency": f["currency"],
        "cancelled": f["cancelled_at"] is not None,
    }
    if distance_km is not None:
        data["distance_km"] = round(distance_km, 3)
    return data


def _slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound(_("No such slot."))
    return slot


def _space_fields(body: BaseModel) -> dict:
    fields = body.model_dump(exclude_unset=True, exclude={"name", "location"})
    if "location" in body.model_fields_set and body.location is not None:
        fields["location"] = body.location.to_place()
    return fields


@bp.post("/spaces")
@endpoint(
    "Create a coworking space; the caller manages it", body=SpaceCreate, responses={201: SpaceOut}, tags=["desks"]
)
def create_space(body: SpaceCreate):
    fields = _space_fields(body)
    space = services.create_space(creator=current_api_user(), name=body.name, now=utcnow(), **fields)
    db.session.commit()
    return jsonify(space_json(space)), 201


@bp.get("/spaces/<int:space_id>")
@endpoint("A space, its desks and managers (public)", auth="optional", responses={200: SpaceOut}, tags=["desks"])
def get_space(space_id: int):
    return jsonify(space_json(services.get_space(space_id)))


@bp.patch("/spaces/<int:space_id>")
@endpoint("Change a space (managers only)", body=SpacePatch, responses={200: SpaceOut}, tags=["desks"])
def update_space(space_id: int, body: SpacePatch):
    space = services.get_space(space_id)
    fields = _space_fields(body)
    if body.name is not None:
        fields["name"] = body.name
    services.update_space(space=space, actor=current_api_user(), now=utcnow(), **fields)
    db.session.commit()
    return jsonify(space_json(space))


@bp.post("/spaces/<int:space_id>/managers")
@endpoint("Add a co-manager (managers only)", body=ManagerAdd, responses={201: ManagerOut}, tags=["desks"])
def add_manager(space_id: int, body: ManagerAdd):
    space = services.get_space(space_id)
    manager = services.add_manager(space=space, actor=current_api_user(), user_id=body.user_id, now=utcnow())
    db.session.commit()
    return jsonify({"space_id": space.id, "user": user_ref(manager.user), "added_at": iso_utc(manager.added_at)}), 201


@bp.delete("/spaces/<int:space_id>/managers/<int:user_id>")
@endpoint("Remove a co-manager, or leave (managers only; the last one cannot)", responses={204: None}, tags=["desks"])
def remove_manager(space_id: int, user_id: int):
    space = services.get_space(space_id)
    services.remove_manager(space=space, actor=current_api_user(), user_id=user_id, now=utcnow())
    db.session.commit()
    return "", 204


@bp.post("/spaces/<int:space_id>/desks")
@endpoint("Add a desk (managers only)", body=DeskCreate, responses={201: DeskOut}, tags=["desks"])
def add_desk(space_id: int, body: DeskCreate):
    space = services.get_space(space_id)
    desk = services.add_desk(
        space=space, actor=current_api_user(), label=body.label, kind=body.kind, seats=body.seats, now=utcnow()
    )
    db.session.commit()
    return jsonify(desk_json(desk)), 201


@bp.post("/spaces/<int:space_id>/slots")
@endpoint(
    "Publish a slot, or the same hours on chosen weekdays until a day (managers only)",
    body=SlotCreate,
    responses={201: SlotList},
    tags=["desks"],
    description="`repeat` keeps the wall-clock hours in the space's timezone across DST changes. "
    "All or nothing: 409 if any would overlap another slot of the desk.",
)
def publish_slots(space_id: int, body: SlotCreate):
    space = services.get_space(space_id)
    repeat = publishing.Repeat(body.repeat.weekdays, body.repeat.until) if body.repeat else None
    slots = publishing.publish_slots(
        space=space,
        actor=current_api_user(),
        desk_id=body.desk_id,
        start=body.start,
        end=body.end,
        capacity=body.capacity,
        price_cents=body.price_cents or 0,
        repeat=repeat,
        now=utcnow(),
    )
    db.session.commit()
    return jsonify({"results": [slot_json(slot) for slot in slots], "next": None}), 201


def _instant(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed.field(field, _("Give the offset too, e.g. 2026-12-01T09:00:00+01:00."))
    return value


def _after(cursor: str | None, near: bool) -> list | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        if near:
            return [float(raw[0]), datetime.fromisoformat(raw[1]), int(raw[2])]
        return [datetime.fromisoformat(raw[0]), int(raw[1])]
    except (TypeError, ValueError, IndexError):
        raise ValidationFailed.field("cursor", _("This cursor is not one we gave out.")) from None


@bp.get("/slots")
@endpoint(
    "Live slots starting in [from, to), nearest first, each with its remaining seats (public)",
    auth="optional",
    query=SlotQuery,
    responses={200: SlotList},
    tags=["desks"],
    paginated=True,
)
def list_slots(query: SlotQuery):
    now = utcnow()
    near = None
    if query.near is not None:
        lat, lng = parse_latlng(query.near, "near")
        near = search.Near(lat, lng, query.radius_km)
    starts_from = _instant(query.from_, "from") or now
    starts_before = _instant(query.to, "to") or starts_from + timedelta(days=7)
    if starts_before <= starts_from:
        raise ValidationFailed.field("to", _("`to` must be after `from`."))
    if starts_before - starts_from > MAX_WINDOW:
        raise ValidationFailed.field("to", _("Search at most 31 days at a time."))
    found, next_key = search.find_slots(
        now=now,
        starts_from=starts_from,
        starts_before=starts_before,
        near=near,
        space_id=query.space_id,
        limit=query.limit,
        after=_after(query.cursor, near is not None),
    )
    next_cursor = None
    if next_key is not None:
        next_cursor = encode_cursor([v.isoformat() if isinstance(v, datetime) else v for v in next_key])
    results = [slot_json(f.slot, f.distance_km) for f in found]
    # COMMIT, not the ROLLBACK of the session's close: psycopg forgets its prepared statements at
    # every ROLLBACK, and PostgreSQL would plan the search again on each request (decision 0200).
    db.session.commit()
    return jsonify({"results": results, "next": next_cursor})


@bp.get("/slots/<int:slot_id>")
@endpoint("One slot with its remaining seats (public)", auth="optional", responses={200: SlotOut}, tags=["desks"])
def get_slot(slot_id: int):
    optional_api_user()
    return jsonify(slot_json(_slot(slot_id)))


@bp.post("/slots/<int:slot_id>/cancel")
@endpoint(
    "Cancel a slot (managers only): its bookings are cancelled and the bookers told",
    responses={200: SlotOut},
    tags=["desks"],
)
def cancel_slot(slot_id: int):
    slot = _slot(slot_id)
    publishing.cancel_slot(slot=slot, actor=current_api_user(), now=utcnow())
    db.session.commit()
    return jsonify(slot_json(slot))


@bp.post("/slots/<int:slot_id>/bookings")
@endpoint(
    "Book a seat on a slot; when full, 409, or with waitlist: true a place in line",
    body=BookIn,
    responses={201: BOOKING_SCHEMA},
    tags=["desks", "bookings"],
)
def book_slot(slot_id: int, body: BookIn):
    user = current_api_user()
    booking = seats.book(slot=_slot(slot_id), user=user, waitlist=body.waitlist, now=utcnow())
    data = booking_json(booking, user.id)  # before the commit expires what it reads
    db.session.commit()
    return jsonify(data), 201
