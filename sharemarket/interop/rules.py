"""The standard-covoiturage's vocabulary and ours, pure: statuses, weekdays, ids, units, keys.

The standard speaks UNIX seconds, metres, weekday names (MON..SUN), RFC 3339 partial times and
prices in currency units; we speak aware datetimes, kilometres, weekday numbers (0 = Monday)
and integer cents. Conversions live here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time

from sharemarket.geo import fast_distance_km
from sharemarket.rides.rules import ROAD_FACTOR, Point, detour_km

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
STATUSES = ("WAITING_CONFIRMATION", "CONFIRMED", "CANCELLED", "COMPLETED_PENDING_VALIDATION", "VALIDATED")
LUGGAGE_SIZE = {"none": 1, "small": 2, "medium": 3, "large": 4}
WALKING_KMH = 5.0
_JOURNEY_ID = re.compile(r"^(\d{1,12})-(\d{8})$")
_PARTIAL_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?$")
OPERATOR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def unix(instant: datetime) -> int:
    return int(instant.timestamp())


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def road_metres(crow_km: float) -> int:
    """The road distance we estimate everywhere else (crow flight × the detour index), metres."""
    return round(crow_km * ROAD_FACTOR * 1000)


def walking(crow_km: float) -> tuple[int, int]:
    """(metres, seconds) on foot to or from a meeting point."""
    return round(crow_km * 1000), round(crow_km / WALKING_KMH * 3600)


def price(cents: int, currency: str) -> dict:
    """A seat's contribution as the standard's Price: the amount in currency units, not cents."""
    return {"type": "PAYING" if cents > 0 else "FREE", "amount": cents / 100, "currency": currency}


def journey_id(ride_id: int, day: date) -> str:
    """A driver journey is one day of a ride: stable whether or not the day's row exists yet."""
    return f"{ride_id}-{day:%Y%m%d}"


def parse_journey_id(text: str | None) -> tuple[int, date] | None:
    found = _JOURNEY_ID.match(text or "")
    if not found:
        return None
    try:
        return int(found.group(1)), datetime.strptime(found.group(2), "%Y%m%d").date()
    except ValueError:
        return None


def parse_time_of_day(text: str | None) -> time | None:
    """RFC 3339 partial-time ('07:30:00', fractions allowed); 'HH:MM' is accepted too."""
    found = _PARTIAL_TIME.match((text or "").strip())
    if not found:
        return None
    return time(int(found.group(1)), int(found.group(2)), int(found.group(3) or 0))


def parse_weekdays(values: list[str]) -> tuple[int, ...] | None:
    """'MON,TUE' (the standard's form style, not exploded) or repeated values → (0, 1); None
    when a name is unknown. No value at all means every day."""
    names = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    if any(name not in WEEKDAYS for name in names):
        return None
    if not names:
        return tuple(range(7))
    return tuple(sorted({WEEKDAYS.index(name) for name in names}))


def standard_status(status: str, departed: bool, validated: bool) -> str:
    """Our booking status, as the standard names it. A confirmed seat whose ride has left is
    COMPLETED_PENDING_VALIDATION until a party validates it; declined and expired requests are
    CANCELLED (the standard has no other end)."""
    if status == "requested":
        return "WAITING_CONFIRMATION"
    if status == "confirmed":
        if validated:
            return "VALIDATED"
        return "COMPLETED_PENDING_VALIDATION" if departed else "CONFIRMED"
    return "CANCELLED"


ALREADY = "already"


def patch_action(current: str, target: str) -> str | None:
    """What a partner's PATCH to `target` does to a booking now `current`: "cancel" (its
    passenger withdraws), "validate" (the ride took place), ALREADY, or None when refused:
    only our driver confirms, and a booking never goes back to waiting."""
    if current == target:
        return ALREADY
    if target == "CANCELLED" and current in ("WAITING_CONFIRMATION", "CONFIRMED"):
        return "cancel"
    if target == "VALIDATED" and current == "COMPLETED_PENDING_VALIDATION":
        return "validate"
    return None


def fit_radius(
    origin: Point,
    destination: Point,
    max_detour: float,
    doors: tuple[Point, Point],
    points: tuple[Point, Point],
    radii: tuple[float, float],
    distance: Callable[[float, float, float, float], float] = fast_distance_km,
) -> tuple[Point, Point] | None:
    """The pick-up and drop-off a partner may show: a meeting point beyond the caller's radius
    is replaced by the caller's own point, if the driver's detour allows it; None otherwise."""
    chosen = tuple(
        point if distance(*door, *point) <= radius + 1e-9 else door
        for door, point, radius in zip(doors, points, radii, strict=True)
    )
    if chosen == tuple(points):
        return points
    if detour_km(origin, chosen[0], chosen[1], destination, distance) > max_detour + 1e-9:
        return None
    return chosen[0], chosen[1]


def parse_keys(text: str | None) -> list[tuple[str, str]]:
    """SHAREMARKET_INTEROP_KEYS: 'operator:key,operator:key'. Entries without a name or a key
    are ignored, so a stray comma never lets an empty key in."""
    pairs = []
    for entry in (text or "").split(","):
        name, sep, key = entry.strip().partition(":")
        if sep and name.strip() and key.strip():
            pairs.append((name.strip(), key.strip()))
    return pairs
