"""Finding listings: near a point (spatial index, then exact distances), by words, by free days.

Near a point, the database narrows with the spatial index (a bounding box), filters and orders
by a flat-earth distance (good to a fraction of a percent at these scales) and stops after one
page; the exact geodesic distance is then computed for those few rows only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, literal, or_, select

from sharemarket import geo, spatial
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings import rules
from sharemarket.listings.models import HeldDay, Listing

RADIUS_DEFAULT_KM = 10.0
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


@dataclass(frozen=True)
class Found:
    listing: Listing
    distance_km: float | None


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
    return SearchQuery(query.near, float(radius), query.q, query.category, start, end)


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Listing.status == "active"]
    if query.category:
        conditions.append(Listing.category == query.category)
    for word in rules.query_words(query.q):
        conditions.append(Listing.search_text.like(f"% {word}%"))
    if query.available_from is not None:
        conditions.append(
            ~exists().where(
                HeldDay.listing_id == Listing.id,
                HeldDay.day >= query.available_from,
                HeldDay.day <= query.available_to,
            )
        )
    return conditions


def search(query: SearchQuery, *, limit: int, after: list | None = None) -> tuple[list[Found], list | None]:
    """One page of results and the position after its last row (None at the end).

    Near a point: nearest first, position [flat distance, id]. Otherwise newest first,
    position [created_at ISO, id].
    """
    query = check(query)
    if query.near is None:
        return _newest(query, limit, after)
    return _nearest(query, limit, after)


def _newest(query: SearchQuery, limit: int, after: list | None) -> tuple[list[Found], list | None]:
    stmt = select(Listing).where(*_filters(query))
    if after is not None:
        try:
            created, last_id = datetime.fromisoformat(after[0]), int(after[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out.")) from None
        stmt = stmt.where(or_(Listing.created_at < created, and_(Listing.created_at == created, Listing.id < last_id)))
    rows = list(db.session.scalars(stmt.order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    position = [rows[-1].created_at.isoformat(), rows[-1].id] if more and rows else None
    return [Found(listing, None) for listing in rows], position


def _nearest(query: SearchQuery, limit: int, after: list | None) -> tuple[list[Found], list | None]:
    lat, lng = query.near
    radius = query.radius_km
    box = geo.bounding_box(lat, lng, radius)
    ky = geo.KM_PER_DEGREE_LAT
    kx = ky * math.cos(math.radians(lat))
    # Squared flat distance in km²: monotonic with the true distance at search scales.
    flat = (Listing.lat - literal(lat)) * (Listing.lat - literal(lat)) * (ky * ky) + (Listing.lng - literal(lng)) * (
        Listing.lng - literal(lng)
    ) * (kx * kx)
    dialect = db.session.get_bind().dialect.name
    stmt = select(Listing, flat.label("flat")).where(
        spatial.box_overlaps(Listing.__table__, box, dialect),
        flat <= (radius * flat_margin(lat, radius)) ** 2,
        *_filters(query),
    )
    if after is not None:
        try:
            last_flat, last_id = float(after[0]), int(after[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValidationFailed.field("cursor", _l("This cursor is not one we gave out.")) from None
        stmt = stmt.where(or_(flat > last_flat, and_(flat == last_flat, Listing.id > last_id)))
    rows = list(db.session.execute(stmt.order_by(flat, Listing.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    position = [rows[-1].flat, rows[-1].Listing.id] if more and rows else None
    found = []
    for row in rows:
        distance = geo.distance_km(lat, lng, row.Listing.lat, row.Listing.lng)
        if distance <= radius:
            found.append(Found(row.Listing, distance))
    found.sort(key=lambda f: (f.distance_km, f.listing.id))
    return found, position
