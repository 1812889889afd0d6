"""Finding listings: near a point (spatial index, then exact distances), by words, by free days.

Near a point, the database narrows with the spatial index (a bounding box), filters and orders
by a flat-earth distance (good to a fraction of a percent at these scales) and stops after one
page; the exact geodesic distance is then computed for those few rows only.

A page is one statement: the limited rows, then (outside the LIMIT, so only for them) the owner's
name joined and the photos aggregated. Results are plain values (`ListingCard`), not ORM objects,
read through the session's connection (Core rows): for twenty rows, the ORM's result machinery
and building instances cost more than the SQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    cast,
    exists,
    func,
    or_,
    select,
)

from sharemarket import geo, spatial
from sharemarket.accounts.models import User, offered_by_an_active_member
from sharemarket.communities import rules as community_rules
from sharemarket.db import UTCDateTime
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings import rules
from sharemarket.listings.models import HeldDay, Listing, ListingPhoto

RADIUS_DEFAULT_KM = 10.0
RING_DIVISORS = (8, 4, 2, 1)
RADIUS_MAX_KM = 200.0


def flat_margin(lat: float, radius_km: float) -> float:
    """How much more than the radius the flat-earth filter keeps, so that it never drops a row the
    exact distance keeps: the east-west scale shrinks away from the centre's latitude."""
    far = min(89.0, abs(lat) + radius_km / geo.KM_PER_DEGREE_LAT)
    return 1.01 * max(1.0, math.cos(math.radians(abs(lat))) / math.cos(math.radians(far)))


@dataclass(frozen=True)
class SearchQuery:
    near: tuple[float, float] | None = None
    radius_km: float = RADIUS_DEFAULT_KM
    q: str = ""
    category: str | None = None
    available_from: date | None = None
    available_to: date | None = None
    # Who searches: listings kept in a community show only to its members.
    viewer_id: int | None = None


class Owner(NamedTuple):
    id: int
    display_name: str


class PhotoRef(NamedTuple):
    id: int
    key: str
    width: int
    height: int


# What a result shows of a listing: everything the API and the pages print, not the search text.
CARD_FIELDS = (
    "id",
    "owner_id",
    "title",
    "description",
    "category",
    "condition",
    "lat",
    "lng",
    "place_label",
    "deposit_cents",
    "currency",
    "replacement_value_cents",
    "max_loan_days",
    "min_notice_days",
    "buffer_days",
    "pickup_instructions",
    "status",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class ListingCard:
    """A listing as a search result: plain values read with the page, its owner's name included."""

    id: int
    owner_id: int
    title: str
    description: str
    category: str
    condition: str
    lat: float
    lng: float
    place_label: str | None
    deposit_cents: int
    currency: str
    replacement_value_cents: int | None
    max_loan_days: int
    min_notice_days: int
    buffer_days: int
    pickup_instructions: str
    status: str
    created_at: datetime
    updated_at: datetime
    owner: Owner


@dataclass(frozen=True)
class Found:
    listing: ListingCard
    distance_km: float | None
    # The listing's photos (id, key, width, height) in their order, read with the page.
    photos: tuple[PhotoRef, ...] = ()


def check(query: SearchQuery) -> SearchQuery:
    """The query with its problems named per field (ValidationFailed)."""
    errors: dict[str, list] = {}
    radius = query.radius_km
    if not isinstance(radius, int | float) or not math.isfinite(radius) or not 0 < radius <= RADIUS_MAX_KM:
        errors["radius_km"] = [_l("Give a radius above 0 and at most %(max)s km.", max=int(RADIUS_MAX_KM))]
    if query.category is not None and query.category not in rules.CATEGORIES:
        errors["category"] = [_l("Choose one of: %(choices)s.", choices=", ".join(rules.CATEGORIES))]
    start, end = query.available_from, query.available_to
    if start is not None or end is not None:
        start, end = start or end, end or start
        if end < start:
            errors["available_to"] = [_l("The last day must be on or after the first day.")]
        elif (end - start).days + 1 > rules.SEARCH_WINDOW_DAYS_MAX:
            errors["available_to"] = [_l("Search at most %(n)s days at once.", n=rules.SEARCH_WINDOW_DAYS_MAX)]
    if errors:
        raise ValidationFailed(_l("Some search fields are invalid."), errors)
    return SearchQuery(query.near, float(radius), query.q, query.category, start, end, query.viewer_id)


@dataclass(frozen=True)
class Shape:
    """What a search's SQL looks like, values aside: statements are built once per shape."""

    dialect: str
    limit: int
    category: bool = False
    words: int = 0
    days: bool = False
    after: bool = False


def _param(name: str, type_=Float):
    return bindparam(name, type_=type_)


def _filters(shape: Shape, *, near: bool) -> list[ColumnElement[bool]]:
    # Near a point the spatial index must lead: `status || ''` keeps SQLite's planner (which has
    # no statistics to know that most listings are active) from starting at the status index.
    status = Listing.status.concat("") if near else Listing.status
    conditions: list[ColumnElement[bool]] = [
        status == "active",
        Listing.hidden_at.is_(None),
        offered_by_an_active_member(Listing.owner_id),
    ]
    conditions.append(community_rules.visible_to(Listing.community_id, _param("viewer_id", Integer)))
    if shape.category:
        conditions.append(Listing.category == _param("category", String))
    for i in range(shape.words):
        conditions.append(Listing.search_text.like(_param(f"word{i}", String)))
    if shape.days:
        held = exists().where(
            HeldDay.listing_id == Listing.id,
            HeldDay.day >= _param("first_day", Date),
            HeldDay.day <= _param("last_day", Date),
        )
        conditions.append(~held)
    return conditions


def _shape_and_params(query: SearchQuery, dialect: str, limit: int, after: list | None) -> tuple[Shape, dict]:
    words = rules.query_words(query.q)
    params: dict = {f"word{i}": f"% {word}%" for i, word in enumerate(words)}
    params["viewer_id"] = query.viewer_id
    if query.category:
        params["category"] = query.category
    if query.available_from is not None:
        params["first_day"], params["last_day"] = query.available_from, query.available_to
    if after is not None:
        params["last_key"], params["last_id"] = after
    shape = Shape(dialect, limit, bool(query.category), len(words), query.available_from is not None, after is not None)
    return shape, params


def search(query: SearchQuery, *, limit: int, after: list | None = None) -> tuple[list[Found], list | None]:
    """One page of results and the position after its last row (None at the end).

    Near a point: nearest first, position [flat distance, id]. Otherwise newest first,
    position [created_at ISO, id].
    """
    query = check(query)
    if query.near is None:
        return _newest(query, limit, after)
    return _nearest(query, limit, after)


def _card_columns() -> list:
    return [Listing.__table__.c[name] for name in CARD_FIELDS]


def _photos_of(page: Subquery):
    """A page row's photos as one string, "position:id:key:width:height" joined by commas (the
    key is hex): one statement a page instead of a second query for the photos."""
    t = ListingPhoto.__table__
    one = cast(t.c.position, String) + ":" + cast(t.c.id, String) + ":" + t.c.key
    one = one + ":" + cast(t.c.width, String) + ":" + cast(t.c.height, String)
    return select(func.aggregate_strings(one, ",")).where(t.c.listing_id == page.c.id).scalar_subquery()


def _decorated(page: Subquery, *order) -> Select:
    """The page's rows with the owner's name and the photos, looked up for those rows only."""
    owner_name = User.__table__.c.display_name
    return (
        select(page, owner_name.label("owner_name"), _photos_of(page).label("photos"))
        .join(User.__table__, User.__table__.c.id == page.c.owner_id)
        .order_by(*order)
    )


def _card(row) -> ListingCard:
    # A page row starts with the CARD_FIELDS columns, in that order (`_card_columns`).
    return ListingCard(*row[: len(CARD_FIELDS)], Owner(row.owner_id, row.owner_name))


def _photos(packed: str | None) -> tuple[PhotoRef, ...]:
    if not packed:
        return ()
    photos = sorted((item.split(":") for item in packed.split(",")), key=lambda parts: int(parts[0]))
    return tuple(PhotoRef(int(i), key, int(w), int(h)) for _position, i, key, w, h in photos)


@lru_cache(maxsize=256)
def _newest_template(shape: Shape) -> Select:
    stmt = select(*_card_columns()).where(*_filters(shape, near=False))
    if shape.after:
        created, last_id = _param("last_key", UTCDateTime), _param("last_id", Integer)
        stmt = stmt.where(or_(Listing.created_at < created, and_(Listing.created_at == created, Listing.id < last_id)))
    page = stmt.order_by(Listing.created_at.desc(), Listing.id.desc()).limit(shape.limit + 1).subquery()
    return _decorated(page, page.c.created_at.desc(), page.c.id.desc())


def _newest(query: SearchQuery, limit: int, after: list | None) -> tuple[list[Found], list | None]:
    if after is not None:
        try:
            after = [datetime.fromisoformat(after[0]), int(after[1])]
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out.")) from None
        if after[0].tzinfo is None:
            raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out."))
    shape, params = _shape_and_params(query, db.session.get_bind().dialect.name, limit, after)
    rows = db.session.connection().execute(_newest_template(shape), params).all()
    more = len(rows) > limit
    rows = rows[:limit]
    position = [rows[-1].created_at.isoformat(), rows[-1].id] if more and rows else None
    return [Found(_card(row), None, _photos(row.photos)) for row in rows], position


@lru_cache(maxsize=256)
def _nearest_template(shape: Shape) -> Select:
    # Squared flat distance in km²: monotonic with the true distance at search scales.
    dlat, dlng = Listing.lat - _param("lat"), Listing.lng - _param("lng")
    flat = dlat * dlat * _param("ky2") + dlng * dlng * _param("kx2")
    box = spatial.Box(_param("min_lat"), _param("max_lat"), _param("min_lng"), _param("max_lng"))
    stmt = select(*_card_columns(), flat.label("flat")).where(
        spatial.box_overlaps(Listing.__table__, box, shape.dialect),
        flat <= _param("reach2"),
        *_filters(shape, near=True),
    )
    if shape.after:
        last_flat, last_id = _param("last_key"), _param("last_id", Integer)
        stmt = stmt.where(or_(flat > last_flat, and_(flat == last_flat, Listing.id > last_id)))
    page = stmt.order_by(flat, Listing.id).limit(shape.limit + 1).subquery()
    return _decorated(page, page.c.flat, page.c.id)


def nearest_statement(
    query: SearchQuery, limit: int, after: list | None, dialect: str, within_km: float | None = None
) -> tuple[Select, dict]:
    """The SQL of one page near a point and its values: spatial index, flat distance filter and
    order, limit. `within_km` (an inner ring, smaller than the radius) keeps exactly the rows
    whose flat distance is at most that: when a page fills up inside it, nothing outside can
    come first."""
    lat, lng = query.near
    ky = geo.KM_PER_DEGREE_LAT
    kx = ky * math.cos(math.radians(lat))
    reach = within_km if within_km is not None else query.radius_km * flat_margin(lat, query.radius_km)
    box = geo.bounding_box(lat, lng, reach)
    shape, params = _shape_and_params(query, dialect, limit, after)
    params.update(
        lat=lat,
        lng=lng,
        ky2=ky * ky,
        kx2=kx * kx,
        reach2=reach * reach,
        min_lat=box.min_lat,
        max_lat=box.max_lat,
        min_lng=box.min_lng,
        max_lng=box.max_lng,
    )
    return _nearest_template(shape), params


def _position(after: list | None) -> list | None:
    if after is None:
        return None
    try:
        last_flat, last_id = float(after[0]), int(after[1])
    except (TypeError, ValueError, IndexError, KeyError):
        raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out.")) from None
    if not math.isfinite(last_flat):
        raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out."))
    return [last_flat, last_id]


def _nearest(query: SearchQuery, limit: int, after: list | None) -> tuple[list[Found], list | None]:
    """Rings first (an eighth, a quarter, half the radius): in a dense town a page fills up
    within a few hundred metres, and the database then sorts tens of rows, not thousands."""
    lat, lng = query.near
    after = _position(after)
    dialect = db.session.get_bind().dialect.name
    for divisor in RING_DIVISORS:
        ring = query.radius_km / divisor if divisor > 1 else None
        if ring is not None and after is not None and ring * ring <= after[0]:
            continue
        statement, params = nearest_statement(query, limit, after, dialect, within_km=ring)
        rows = db.session.connection().execute(statement, params).all()
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    position = [rows[-1].flat, rows[-1].id] if more and rows else None
    found = []
    for row in rows:
        distance = geo.distance_km(lat, lng, row.lat, row.lng)
        if distance <= query.radius_km:
            found.append(Found(_card(row), distance, _photos(row.photos)))
    found.sort(key=lambda f: (f.distance_km, f.listing.id))
    return found, position
