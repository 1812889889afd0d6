"""Official carpool meeting points (BNLC, ODbL): loading the national CSV and finding the nearest.

`load_csv` is an idempotent upsert keyed by the register's `id_lieu`; rows without usable
coordinates are skipped and counted. Nothing is ever deleted: a place that left the register
keeps its row (bookings may name it) and a closed one is flagged `is_open = False`.
"""

from __future__ import annotations

import csv
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from time import monotonic

from sqlalchemy import select

from sharemarket import geo
from sharemarket.db import plain_rows
from sharemarket.extensions import db
from sharemarket.rides.models import MeetingPoint
from sharemarket.rides.settings import setting

PACKAGED_CSV = Path(__file__).parent / "data" / "bnlc.csv"
CREDIT = "Base Nationale des Lieux de Covoiturage, transport.data.gouv.fr, ODbL"


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _coordinates(row: dict) -> tuple[float, float] | None:
    try:
        lat, lng = float(row.get("Ylat") or ""), float(row.get("Xlong") or "")
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:  # the usual placeholder for "unknown"
        return None
    return lat, lng


def _spaces(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) < 100_000 else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _fields(row: dict, lat: float, lng: float) -> dict:
    return {
        "name": (row.get("nom_lieu") or row.get("ad_lieu") or row["id_lieu"]).strip()[:200],
        "address": (row.get("ad_lieu") or "").strip()[:300],
        "town": (row.get("com_lieu") or "").strip()[:100],
        "insee": (row.get("insee") or "").strip()[:10],
        "kind": (row.get("type") or "").strip()[:40],
        "spaces": _spaces(row.get("nbre_pl")),
        "is_open": (row.get("ouvert") or "true").strip().lower() != "false",
        "lat": lat,
        "lng": lng,
        "updated_on": _day(row.get("date_maj")),
    }


def load_csv(path: Path = PACKAGED_CSV) -> LoadSummary:
    """Insert new places and update changed ones; flushes, the caller commits."""
    summary = LoadSummary()
    existing = {point.ref: point for point in db.session.scalars(select(MeetingPoint))}
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            ref = (row.get("id_lieu") or "").strip()[:32]
            coordinates = _coordinates(row)
            if not ref or coordinates is None:
                summary.skipped += 1
                continue
            fields = _fields(row, *coordinates)
            point = existing.get(ref)
            if point is None:
                point = MeetingPoint(ref=ref, **fields)
                db.session.add(point)
                existing[ref] = point
                summary.created += 1
            elif any(getattr(point, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(point, name, value)
                summary.updated += 1
            else:
                summary.unchanged += 1
    db.session.flush()
    forget()
    return summary


def near(lat: float, lng: float, radius_km: float, limit: int = 5) -> list[tuple[MeetingPoint, float]]:
    """Open meeting points within radius_km of a point, nearest first, with their distance (km)."""
    return near_each([(lat, lng)], radius_km, limit)[0]


def near_each(points: list[tuple[float, float]], radius_km: float, limit: int = 5) -> list[list]:
    """`near` for several points: per point, [(meeting point, km)...], nearest first (ties by id).
    The meeting points are plain objects with the table's columns (read-only), from `register`."""
    if radius_km <= 0:
        return [[] for _ in points]
    areas = register()
    found = []
    for lat, lng in points:
        nearby = areas.within(lat, lng, radius_km)
        pairs = [(point, geo.fast_distance_km(lat, lng, point.lat, point.lng)) for point in nearby]
        pairs = sorted((pair for pair in pairs if pair[1] <= radius_km), key=lambda pair: (pair[1], pair[0].id))
        found.append(pairs[:limit])
    return found


class Register:
    """The open carpool areas of one database, in memory, by latitude: a search reads a few of
    some thousands of rows that change once a month (a `meeting-points load`), so each process
    keeps them instead of asking the database at every search."""

    def __init__(self, points: list):
        self.points = sorted(points, key=lambda point: (point.lat, point.id))
        self.lats = [point.lat for point in self.points]

    def within(self, lat: float, lng: float, radius_km: float) -> list:
        """The areas in the box around (lat, lng) that holds every point within radius_km."""
        box = geo.bounding_box(lat, lng, radius_km)
        first, last = bisect_left(self.lats, box.min_lat), bisect_right(self.lats, box.max_lat)
        return [point for point in self.points[first:last] if box.min_lng <= point.lng <= box.max_lng]


# Per database URL: (when it was read, monotonic seconds; its register).
_registers: dict[str, tuple[float, Register]] = {}


def register() -> Register:
    """The open areas as this process last read them, read again when older than
    RIDES_MEETING_POINTS_REFRESH_SECONDS (a load from another process shows up within that time;
    one in this process at once, `forget`)."""
    bind = db.session.get_bind()
    key = str(getattr(bind, "engine", bind).url)
    now = monotonic()
    kept = _registers.get(key)
    if kept is None or now - kept[0] >= float(setting("RIDES_MEETING_POINTS_REFRESH_SECONDS")):
        table = MeetingPoint.__table__
        rows = plain_rows(db.session.connection().execute(select(*table.c).where(table.c.is_open.is_(True))))
        kept = _registers[key] = (now, Register(rows))
    return kept[1]


def forget() -> None:
    """Read the areas again at the next search (after a load, or between tests)."""
    _registers.clear()


def as_json(point: MeetingPoint, distance_km: float | None = None) -> dict:
    data = {
        "id": point.id,
        "ref": point.ref,
        "name": point.name,
        "town": point.town,
        "kind": point.kind,
        "spaces": point.spaces,
        "lat": point.lat,
        "lng": point.lng,
        "source": CREDIT,
    }
    if distance_km is not None:
        data["distance_km"] = round(distance_km, 2)
    return data
