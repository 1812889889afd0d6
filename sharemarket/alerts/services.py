"""Saved searches: keep, list, forget. Callers commit."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from sharemarket import geo
from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.alerts import rules
from sharemarket.alerts.models import SavedSearch
from sharemarket.api.schemas import iso_utc
from sharemarket.db import lock_row
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import rules as ride_rules


def _signature(search: SavedSearch) -> tuple:
    return (
        search.from_lat,
        search.from_lng,
        search.to_lat,
        search.to_lng,
        list(search.weekdays),
        search.time_from,
        search.time_to,
        search.seats,
    )


def save_search(
    *,
    user: User,
    origin: Place | None,
    destination: Place | None,
    weekdays: list[int],
    time_from: str,
    time_to: str,
    seats: int,
    now: datetime,
) -> SavedSearch:
    """Keep a search; its owner hears of each new ride it would find (see `matching`)."""
    errors: dict[str, list] = {}
    origin = geo.collect_place(origin, "from", errors, _l("Give a town or pick the point on the map."))
    destination = geo.collect_place(destination, "to", errors, _l("Give a town or pick the point on the map."))
    if origin and destination:
        if geo.distance_km(origin.lat, origin.lng, destination.lat, destination.lng) < ride_rules.SAME_PLACE_KM:
            errors["to"] = [_l("The destination must differ from the start.")]
    days, day_errors = rules.check_weekdays(weekdays)
    errors.update(day_errors)
    errors.update(rules.check_window(time_from, time_to))
    if (
        isinstance(seats, bool)
        or not isinstance(seats, int)
        or not ride_rules.SEATS_MIN <= seats <= ride_rules.SEATS_MAX
    ):
        errors["seats"] = [
            _l("Ask for between %(min)s and %(max)s seats.", min=ride_rules.SEATS_MIN, max=ride_rules.SEATS_MAX)
        ]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    # The member's row lock makes "at most SAVED_MAX, no duplicates" hold under concurrent saves.
    lock_row(db.session, User, user.id)
    mine = list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)))
    wanted = (origin.lat, origin.lng, destination.lat, destination.lng, days, time_from, time_to, seats)
    if any(_signature(kept) == wanted for kept in mine):
        raise Conflict(_l("You already saved this search."))
    if len(mine) >= rules.SAVED_MAX:
        raise Conflict(_l("You can keep %(n)s saved searches; delete one first.", n=rules.SAVED_MAX))
    search = SavedSearch(
        user_id=user.id,
        from_lat=origin.lat,
        from_lng=origin.lng,
        from_label=origin.label,
        to_lat=destination.lat,
        to_lng=destination.lng,
        to_label=destination.label,
        weekdays=days,
        time_from=time_from,
        time_to=time_to,
        seats=seats,
        created_at=now,
    )
    db.session.add(search)
    db.session.flush()
    return search


def searches_of(user: User, *, after_id: int | None = None, limit: int | None = None) -> list[SavedSearch]:
    """The member's saved searches, newest first."""
    query = select(SavedSearch).where(SavedSearch.user_id == user.id)
    if after_id is not None:
        query = query.where(SavedSearch.id < after_id)
    query = query.order_by(SavedSearch.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_of(user: User) -> int:
    return db.session.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id)) or 0


def forget_search(*, user: User, search_id: int) -> None:
    """Delete one of the member's saved searches (someone else's is as unknown as a missing one)."""
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id:
        raise NotFound(_l("No such saved search."))
    db.session.delete(search)
    db.session.flush()


def as_dict(search: SavedSearch) -> dict:
    return {
        "id": search.id,
        "from": search.origin.as_dict(),
        "to": search.destination.as_dict(),
        "weekdays": list(search.weekdays),
        "time_from": search.time_from,
        "time_to": search.time_to,
        "seats": search.seats,
        "created_at": iso_utc(search.created_at),
    }


def _export(user: User) -> tuple[str, object]:
    return "saved_searches", [as_dict(search) for search in searches_of(user)]


def _erase(user: User, now: datetime) -> None:
    db.session.execute(delete(SavedSearch).where(SavedSearch.user_id == user.id))


# Saved searches are personal data: in the member's export, and gone when the account closes.
accounts.EXPORTERS.append(_export)
accounts.ERASERS.append(_erase)
