"""Finding free desks: slots near a point in a time window, and spaces with their slots of a day.

Spaces are narrowed by the spatial index (R*Tree / GiST) on their point, ordered in SQL by an
equirectangular distance (exact enough to rank within 200 km), and the geodesic distance is
computed only for the rows returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager

from sharemarket import spatial
from sharemarket.desks import rules
from sharemarket.desks.models import Desk, Slot, Space
from sharemarket.extensions import db
from sharemarket.geo import KM_PER_DEGREE_LAT, bounding_box, distance_km


@dataclass(frozen=True)
class Near:
    lat: float
    lng: float
    radius_km: float


@dataclass
class Found:
    slot: Slot
    distance_km: float | None
    sort_key: list


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
    query = (
        select(Slot)
        .join(Space, Space.id == Slot.space_id)
        .join(Desk, Desk.id == Slot.desk_id)
        .options(contains_eager(Slot.space), contains_eager(Slot.desk))
        .where(
            Slot.cancelled_at.is_(None),
            Slot.ends_at > now,
            Slot.starts_at >= starts_from,
            Slot.starts_at < starts_before,
        )
    )
    if space_id is not None:
        query = query.where(Slot.space_id == space_id)
    if near is not None:
        rank = _squared_degrees(near)
        query = _within(query.add_columns(rank), near).order_by(rank, Slot.starts_at, Slot.id)
        if after is not None:
            d, starts, last_id = after
            query = query.where(
                or_(
                    rank > d,
                    and_(rank == d, or_(Slot.starts_at > starts, and_(Slot.starts_at == starts, Slot.id > last_id))),
                )
            )
    else:
        query = query.order_by(Slot.starts_at, Slot.id)
        if after is not None:
            starts, last_id = after
            query = query.where(or_(Slot.starts_at > starts, and_(Slot.starts_at == starts, Slot.id > last_id)))
    rows = db.session.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    distances: dict[int, float] = {}
    found = []
    for row in rows:
        slot = row[0]
        if near is None:
            found.append(Found(slot, None, [slot.starts_at, slot.id]))
            continue
        if slot.space_id not in distances:
            distances[slot.space_id] = distance_km(near.lat, near.lng, slot.space.lat, slot.space.lng)
        found.append(Found(slot, distances[slot.space_id], [row[1], slot.starts_at, slot.id]))
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
