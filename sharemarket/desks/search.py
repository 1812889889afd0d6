"""Finding free desks: slots near a point in a time window, and spaces with their slots of a day.

Spaces are narrowed by the spatial index (R*Tree / GiST) on their point and ordered in SQL by an
equirectangular distance (exact enough to rank within 200 km); the great-circle distance is
computed only for the rows returned. The API search reads plain columns, not ORM objects, through
the session's connection (Core rows, no ORM result machinery): it is the hottest read of the feature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Float, Integer, and_, bindparam, or_, select
from sqlalchemy.orm import contains_eager

from sharemarket import spatial
from sharemarket.desks import rules
from sharemarket.desks.models import Desk, Slot, Space
from sharemarket.extensions import db
from sharemarket.geo import KM_PER_DEGREE_LAT, bounding_box, distance_km, fast_distance_km


@dataclass(frozen=True)
class Near:
    lat: float
    lng: float
    radius_km: float


@dataclass
class Found:
    slot: dict  # the columns of SLOT_COLUMNS
    distance_km: float | None
    sort_key: list


# What a search result holds: the slot with its space (read in the ordered, limited inner query)
# and its desk (joined on the few rows left).
SLOT_COLUMNS = (
    Slot.id,
    Slot.space_id,
    Slot.desk_id,
    Slot.starts_at,
    Slot.ends_at,
    Slot.capacity,
    Slot.booked,
    Slot.price_cents,
    Slot.currency,
    Slot.cancelled_at,
    Space.name.label("space_name"),
    Space.lat.label("space_lat"),
    Space.lng.label("space_lng"),
    Space.place_label.label("space_label"),
)
DESK_COLUMNS = (Desk.label.label("desk_label"), Desk.kind.label("desk_kind"), Desk.seats.label("desk_seats"))


def _squared_degrees(near: Near):
    """The squared distance in degrees of latitude, the longitude shrunk by cos(latitude)."""
    k = math.cos(math.radians(near.lat))
    dlat = Space.lat - near.lat
    dlng = (Space.lng - near.lng) * k
    return dlat * dlat + dlng * dlng


def _within(query, near: Near):
    box = bounding_box(near.lat, near.lng, near.radius_km)
    dialect = db.session.get_bind().dialect.name
    reach = near.radius_km * 1.01 / KM_PER_DEGREE_LAT
    return query.where(spatial.box_overlaps(Space.__table__, box, dialect), _squared_degrees(near) <= reach * reach)


@lru_cache(maxsize=32)
def _search_statement(dialect: str, near: bool, after: bool, space: bool):
    """The search SELECT with bound parameters, built once per shape (building it costs more
    than running it). Rows: SLOT_COLUMNS, DESK_COLUMNS and, near a point, `rank`."""
    p = bindparam
    query = (
        select(*SLOT_COLUMNS)
        .select_from(Slot)
        .join(Space, Space.id == Slot.space_id)
        .where(
            Slot.cancelled_at.is_(None),
            Slot.ends_at > p("now"),
            Slot.starts_at >= p("starts_from"),
            Slot.starts_at < p("starts_before"),
        )
    )
    if space:
        query = query.where(Slot.space_id == p("space_id"))
    after_time = or_(
        Slot.starts_at > p("after_starts"), and_(Slot.starts_at == p("after_starts"), Slot.id > p("after_id"))
    )
    order = [Slot.starts_at, Slot.id]
    if near:
        dlat = Space.lat - p("lat", type_=Float)
        dlng = (Space.lng - p("lng", type_=Float)) * p("k", type_=Float)
        rank = dlat * dlat + dlng * dlng
        box = spatial.Box(*(p(name, type_=Float) for name in ("min_lat", "max_lat", "min_lng", "max_lng")))
        query = query.add_columns(rank.label("rank")).where(
            spatial.box_overlaps(Space.__table__, box, dialect), rank <= p("reach2", type_=Float)
        )
        order.insert(0, rank)
        after_time = or_(rank > p("after_rank"), and_(rank == p("after_rank"), after_time))
    if after:
        query = query.where(after_time)
    inner = query.order_by(*order).limit(p("limit", type_=Integer)).subquery()
    ordered = ([inner.c.rank] if near else []) + [inner.c.starts_at, inner.c.id]
    return select(inner, *DESK_COLUMNS).join(Desk, Desk.id == inner.c.desk_id).order_by(*ordered)


def slots_query(
    *,
    now: datetime,
    starts_from: datetime,
    starts_before: datetime,
    near: Near | None = None,
    space_id: int | None = None,
    after: list | None = None,
    limit: int = 20,
) -> tuple:
    """The statement behind `find_slots` and its parameters (`limit + 1` rows, to see if more follow)."""
    params: dict = {"now": now, "starts_from": starts_from, "starts_before": starts_before, "limit": limit + 1}
    if space_id is not None:
        params["space_id"] = space_id
    if near is not None:
        box = bounding_box(near.lat, near.lng, near.radius_km)
        reach = near.radius_km * 1.01 / KM_PER_DEGREE_LAT
        params.update(
            lat=near.lat, lng=near.lng, k=math.cos(math.radians(near.lat)), reach2=reach * reach,
            min_lat=box.min_lat, max_lat=box.max_lat, min_lng=box.min_lng, max_lng=box.max_lng,
        )  # fmt: skip
    if after is not None:
        *rank, params["after_starts"], params["after_id"] = after
        if near is not None:
            params["after_rank"] = rank[0]
    dialect = db.session.get_bind().dialect.name
    return _search_statement(dialect, near is not None, after is not None, space_id is not None), params


def find_slots(
    *,
    now: datetime,
    starts_from: datetime,
    starts_before: datetime,
    near: Near | None = None,
    space_id: int | None = None,
    limit: int = 20,
    after: list | None = None,
) -> tuple[list[Found], list | None]:
    """Live slots starting in [starts_from, starts_before), nearest first, then soonest.

    Returns up to `limit` results and the sort key to continue after (None at the end).
    """
    statement, params = slots_query(
        now=now, starts_from=starts_from, starts_before=starts_before, near=near, space_id=space_id, after=after,
        limit=limit,
    )  # fmt: skip
    rows = db.session.connection().execute(statement, params).mappings().all()
    more = len(rows) > limit
    found = []
    for row in rows[:limit]:
        if near is None:
            found.append(Found(dict(row), None, [row["starts_at"], row["id"]]))
            continue
        km = fast_distance_km(near.lat, near.lng, row["space_lat"], row["space_lng"])
        found.append(Found(dict(row), km, [row["rank"], row["starts_at"], row["id"]]))
    next_key = found[-1].sort_key if more and found else None
    # The box and the ranking use a close approximation; the radius is enforced exactly here.
    found = [f for f in found if f.distance_km is None or f.distance_km <= near.radius_km]
    return found, next_key


@dataclass
class SpaceDay:
    space: Space
    distance_km: float | None
    slots: list[Slot]


def spaces_near(near: Near | None, limit: int = 50) -> list[tuple[Space, float | None]]:
    """Spaces within the radius, nearest first (without a point: by name)."""
    if near is None:
        spaces = db.session.scalars(select(Space).order_by(Space.name).limit(limit)).all()
        return [(space, None) for space in spaces]
    rank = _squared_degrees(near)
    spaces = db.session.scalars(_within(select(Space), near).order_by(rank).limit(limit)).all()
    measured = [(space, distance_km(near.lat, near.lng, space.lat, space.lng)) for space in spaces]
    return [(space, km) for space, km in measured if km <= near.radius_km]


def spaces_with_slots_on(*, day: date, now: datetime, near: Near | None) -> list[SpaceDay]:
    """Each space near the point with its live slots starting on that local day."""
    spaces = spaces_near(near)
    if not spaces:
        return []
    bounds = {space.id: rules.local_day_bounds(day, rules.zone(space.timezone)) for space, _ in spaces}
    slots = db.session.scalars(
        select(Slot)
        .join(Desk, Desk.id == Slot.desk_id)
        .options(contains_eager(Slot.desk))
        .where(
            Slot.space_id.in_(list(bounds)),
            Slot.cancelled_at.is_(None),
            Slot.ends_at > now,
            Slot.starts_at >= min(b[0] for b in bounds.values()),
            Slot.starts_at < max(b[1] for b in bounds.values()),
        )
        .order_by(Slot.starts_at, Desk.label, Slot.id)
    ).all()
    by_space: dict[int, list[Slot]] = {space.id: [] for space, _ in spaces}
    for slot in slots:
        start, end = bounds[slot.space_id]
        if start <= slot.starts_at < end:
            by_space[slot.space_id].append(slot)
    return [SpaceDay(space, km, by_space[space.id]) for space, km in spaces]


def upcoming_by_day(space: Space, *, now: datetime, first_day: date, days: int = 7) -> list[tuple[date, list[Slot]]]:
    """A space's live slots, day by day in its own timezone, for its public page."""
    tz = rules.zone(space.timezone)
    start = rules.local_day_bounds(first_day, tz)[0]
    end = rules.local_day_bounds(date.fromordinal(first_day.toordinal() + days - 1), tz)[1]
    slots = db.session.scalars(
        select(Slot)
        .join(Desk, Desk.id == Slot.desk_id)
        .options(contains_eager(Slot.desk))
        .where(
            Slot.space_id == space.id,
            Slot.cancelled_at.is_(None),
            Slot.ends_at > now,
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .order_by(Slot.starts_at, Desk.label, Slot.id)
    ).all()
    days_list: dict[date, list[Slot]] = {}
    for slot in slots:
        days_list.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return sorted(days_list.items())
