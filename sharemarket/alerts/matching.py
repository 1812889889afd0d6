"""The alert job: each ride published, or whose commute gained days, since the last look is
compared with the saved searches it could serve; each match is told to the search's owner once.

A ride's mark (`AlertMark.checked_until`) records the last day looked at, so the job looks at
new days only and never misses a ride committed late. A saved search matches a ride when our
own search, run for that search on one of the ride's new days, finds the ride: the alert
promises what the search page would show. Searches saved after a ride was published are not
alerted about it (their owner could already see it).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from sharemarket import spatial
from sharemarket.alerts import rules
from sharemarket.alerts.models import AlertMark, SavedSearch
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification
from sharemarket.notifications.services import notify
from sharemarket.rides import rules as ride_rules
from sharemarket.rides import search, seats
from sharemarket.rides.models import Ride, RideOccurrence
from sharemarket.rides.settings import setting

RIDES_PER_RUN = 200
# Days of one ride tried for one search before giving up: the window is the same every week,
# so only a full or cancelled day makes a later one differ.
DAYS_PER_SEARCH = 3


def dedupe_key(search_id: int, ride_id: int) -> str:
    return f"alert:{search_id}:{ride_id}"


def _rides_to_check():
    return db.session.execute(
        select(Ride, AlertMark)
        .outerjoin(AlertMark, AlertMark.ride_id == Ride.id)
        .where(
            Ride.status == "active",
            Ride.hidden_at.is_(None),
            or_(
                AlertMark.ride_id.is_(None),
                and_(Ride.materialised_until.is_not(None), AlertMark.checked_until < Ride.materialised_until),
            ),
        )
        .order_by(Ride.id)
        .limit(RIDES_PER_RUN)
    ).all()


def _new_days(ride: Ride, since: date | None, now: datetime) -> list[RideOccurrence]:
    query = select(RideOccurrence).where(
        RideOccurrence.ride_id == ride.id, RideOccurrence.departs_at > now, RideOccurrence.cancelled.is_(False)
    )
    if since is not None:
        query = query.where(RideOccurrence.date > since)
    return list(db.session.scalars(query.order_by(RideOccurrence.date)))


def _candidates(ride: Ride) -> list[SavedSearch]:
    """Saved searches whose start and end lie near the ride's detour ellipse (indexed), that
    ask for no more seats than it offers, saved before it was published, not the driver's."""
    area = rules.grow(
        ride_rules.ellipse_box(
            (ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng), ride.max_detour_km
        ),
        float(setting("RIDES_MEETING_POINT_MAX_KM")),
    )
    dialect = db.session.get_bind().dialect.name
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(
                spatial.box_overlaps(SavedSearch.__table__, area, dialect),
                SavedSearch.to_lat.between(area.min_lat, area.max_lat),
                SavedSearch.to_lng.between(area.min_lng, area.max_lng),
                SavedSearch.seats <= ride.seats,
                SavedSearch.user_id != ride.driver_id,
                SavedSearch.created_at <= ride.created_at,
            )
            .order_by(SavedSearch.id)
        )
    )


def _found(saved: SavedSearch, day: date, now: datetime, seen: dict) -> set[int]:
    """The rides the search page shows for this saved search on `day` (asked once per run)."""
    if (saved.id, day) not in seen:
        seen[saved.id, day] = _search(saved, day, now)
    return seen[saved.id, day]


def _search(saved: SavedSearch, day: date, now: datetime) -> set[int]:
    zone = ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])
    start, end = ride_rules.parse_local_time(saved.time_from), ride_rules.parse_local_time(saved.time_to)
    try:
        found = search.search(
            origin=saved.origin,
            destination=saved.destination,
            depart_after=datetime.combine(day, start, tzinfo=zone),
            depart_before=datetime.combine(day, end, tzinfo=zone),
            seats=saved.seats,
            now=now,
            exclude_driver_id=saved.user_id,
        )
    except ValidationFailed:
        return set()
    return {f.ride_id for f in found.found}


def _already_told(saved: SavedSearch, ride: Ride) -> bool:
    return (
        db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == saved.user_id, Notification.dedupe_key == dedupe_key(saved.id, ride.id)
            )
        )
        is not None
    )


def _tell(saved: SavedSearch, ride: Ride, occurrence: RideOccurrence, now: datetime) -> bool:
    owner = saved.user
    note = notify(
        user=owner,
        kind="alert",
        title=_l("New ride for your search %(search)s", search=saved.route_label),
        body=_l(
            "%(driver)s offers %(route)s. It leaves %(when)s, within your window %(start)s–%(end)s, "
            "with %(seats)s seat(s) left. Ask for a seat on the ride's page.",
            driver=ride.driver.display_name,
            route=ride.route_label,
            when=seats.format_when(occurrence.departs_at, ride, owner.locale),
            start=saved.time_from,
            end=saved.time_to,
            seats=occurrence.seats_left,
        ),
        now=now,
        link=f"{seats.ride_path(ride.id)}?date={occurrence.date.isoformat()}",
        dedupe_key=dedupe_key(saved.id, ride.id),
    )
    return note is not None


def _alert(ride: Ride, days: list[RideOccurrence], now: datetime, seen: dict) -> int:
    told = 0
    if not days:
        return told
    for saved in _candidates(ride):
        wanted = [o for o in days if o.date.weekday() in saved.weekdays][:DAYS_PER_SEARCH]
        if not wanted or _already_told(saved, ride):
            continue
        for occurrence in wanted:
            if ride.id in _found(saved, occurrence.date, now, seen):
                told += _tell(saved, ride, occurrence, now)
                break
    return told


def alert_new_rides(*, now: datetime) -> dict:
    """The job (idempotent): compare the rides' new days with the saved searches."""
    rows = _rides_to_check()
    told = 0
    seen: dict[tuple[int, date], set[int]] = {}
    for ride, mark in rows:
        days = _new_days(ride, mark.checked_until if mark else None, now)
        told += _alert(ride, days, now, seen)
        until = ride.materialised_until or ride.departure_at.astimezone(ZoneInfo(ride.timezone)).date()
        if mark is None:
            db.session.add(AlertMark(ride_id=ride.id, checked_until=until, checked_at=now))
        else:
            mark.checked_until, mark.checked_at = until, now
    db.session.flush()
    return {"rides": len(rows), "alerts": told}
