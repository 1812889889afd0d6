"""Building RFC 5545 calendars with `icalendar`: local times with their VTIMEZONE, stable UIDs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import icalendar

PRODID = "-//sharemarket//calendar feed 1.0//EN"


def new_calendar(name: str) -> icalendar.Calendar:
    # Imported on first use (some 30 ms): every worker and job run imports this module, few serve a feed.
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # RFC 7986: how often subscribers should fetch the feed again.
    calendar.add("refresh-interval", icalendar.vDuration.from_ical("PT1H"), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def add_event(
    calendar: icalendar.Calendar,
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    tz: ZoneInfo,
    summary: str,
    status: str,
    now: datetime,
    sequence: int = 0,
    description: str | None = None,
    location: str | None = None,
    url: str | None = None,
    last_modified: datetime | None = None,
) -> None:
    """One VEVENT, its times in `tz` (the VTIMEZONE is added by `to_bytes`)."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", starts_at.astimezone(tz))
    event.add("dtend", ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("status", status)
    event.add("sequence", sequence)
    event.add("transp", "OPAQUE" if status == "CONFIRMED" else "TRANSPARENT")
    if last_modified is not None:
        event.add("last-modified", last_modified.astimezone(UTC))
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    calendar.add_component(event)


def to_bytes(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def uid_host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "sharemarket"
