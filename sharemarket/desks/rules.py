"""Pure rules of desk slots: expanding a weekly schedule in local time, windows, limits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l

DESK_KINDS = {
    "hot_desk": _l("Hot desk"),
    "fixed_desk": _l("Fixed desk"),
    "meeting_room": _l("Meeting room"),
}
AMENITIES = {
    "wifi": _l("Wi-Fi"),
    "printer": _l("Printer"),
    "kitchen": _l("Kitchen"),
    "coffee": _l("Coffee and tea"),
    "accessible_entrance": _l("Accessible entrance"),
    "accessible_toilets": _l("Accessible toilets"),
    "phone_booth": _l("Phone booth"),
    "meeting_room": _l("Meeting room"),
    "projector": _l("Projector or screen"),
    "lockers": _l("Lockers"),
    "showers": _l("Showers"),
    "bike_parking": _l("Bike parking"),
    "car_parking": _l("Car parking"),
    "ev_charging": _l("EV charging"),
    "quiet_zone": _l("Quiet zone"),
    "kids_corner": _l("Children's corner"),
}

CHECK_IN_EARLY = timedelta(minutes=15)
NO_SHOW_AFTER = timedelta(minutes=30)
REMIND_BEFORE = timedelta(hours=1)
MAX_SLOT_LENGTH = timedelta(hours=24)
MAX_REPEAT_DAYS = 366
MAX_CAPACITY = 500
MAX_PRICE_CENTS = 1_000_000
MAX_CUTOFF_HOURS = 14 * 24
DEFAULT_CUTOFF_HOURS = 2


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None (only names the system's database lists)."""
    if not name or name not in _zone_names():
        return None
    return ZoneInfo(name)


def clean_amenities(codes: Iterable[str]) -> list[str] | None:
    """The codes in the fixed list's order, or None if one is unknown."""
    chosen = set(codes)
    if not chosen <= AMENITIES.keys():
        return None
    return [code for code in AMENITIES if code in chosen]


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=365)


def local_occurrences(
    *,
    first_day: date,
    last_day: date,
    weekdays: Iterable[int],
    start: time,
    end: time,
    tz: ZoneInfo,
    end_day_offset: int = 0,
) -> list[tuple[datetime, datetime]]:
    """[start, end) in UTC on each chosen weekday (0 = Monday) from first_day to last_day inclusive.

    The wall-clock hours are kept in `tz`, so 09:00 stays 09:00 across a DST change; the end
    falls `end_day_offset` days after the start's day (1 for a slot that ends after midnight).
    """
    days = set(weekdays)
    found = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days:
            starts = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
            ends = datetime.combine(day + timedelta(days=end_day_offset), end, tzinfo=tz).astimezone(UTC)
            found.append((starts, ends))
        day += timedelta(days=1)
    return found


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open intervals [start, end) overlap."""
    return a[0] < b[1] and b[0] < a[1]


def first_overlap(intervals: list[tuple[datetime, datetime]]) -> tuple[int, int] | None:
    """Indexes of two intervals of the list that overlap, if any."""
    order = sorted(range(len(intervals)), key=lambda i: intervals[i])
    for before, after in zip(order, order[1:], strict=False):
        if overlaps(intervals[before], intervals[after]):
            return before, after
    return None


def check_in_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    return starts_at - CHECK_IN_EARLY, ends_at


def can_check_in(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    opens, closes = check_in_window(starts_at, ends_at)
    return opens <= now < closes


def free_cancellation_until(starts_at: datetime, cutoff_hours: int) -> datetime:
    return starts_at - timedelta(hours=cutoff_hours)


def is_late_cancellation(starts_at: datetime, cutoff_hours: int, now: datetime) -> bool:
    return now > free_cancellation_until(starts_at, cutoff_hours)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where that local day starts and the next one starts (23, 24 or 25 h apart)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def occupancy_percent(booked: int, capacity: int) -> int:
    return round(100 * booked / capacity) if capacity else 0
