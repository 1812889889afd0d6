"""Saved-search rules, pure: what a valid search is, and the area a ride can serve."""

from __future__ import annotations

import math
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from sharemarket.geo import KM_PER_DEGREE_LAT
from sharemarket.rides import rules as ride_rules
from sharemarket.spatial import Box

# A member keeps at most this many saved searches.
SAVED_MAX = 20


def check_window(time_from: str, time_to: str) -> dict[str, list]:
    """Local departure times 'HH:MM'; the window ends after it starts, within the day."""
    errors: dict[str, list] = {}
    start, end = ride_rules.parse_local_time(time_from), ride_rules.parse_local_time(time_to)
    if start is None:
        errors["time_from"] = [_l("Give a time as HH:MM, e.g. 07:30.")]
    if end is None:
        errors["time_to"] = [_l("Give a time as HH:MM, e.g. 08:30.")]
    if start is not None and end is not None and end <= start:
        errors["time_to"] = [_l("The window ends before it starts.")]
    return errors


def check_weekdays(weekdays: Iterable[object]) -> tuple[list[int], dict[str, list]]:
    """Sorted distinct weekdays (0 = Monday … 6 = Sunday), or an error."""
    days = list(weekdays or ())
    if not days or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        return [], {"weekdays": [_l("Choose days between 0 (Monday) and 6 (Sunday).")]}
    return sorted(set(days)), {}


def grow(box: Box, km: float) -> Box:
    """The box widened by `km` on every side (longitudes measured at its most poleward edge)."""
    dlat = km / KM_PER_DEGREE_LAT
    poleward = min(89.0, max(abs(box.min_lat), abs(box.max_lat)) + dlat)
    dlng = min(180.0, km / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(poleward)), 0.01)))
    return Box(
        max(-90.0, box.min_lat - dlat),
        min(90.0, box.max_lat + dlat),
        max(-180.0, box.min_lng - dlng),
        min(180.0, box.max_lng + dlng),
    )
