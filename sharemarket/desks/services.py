"""Spaces, their managers and desks. Callers commit; these only flush."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.accounts.rules import clean_text
from sharemarket.db import lock_row
from sharemarket.desks import rules
from sharemarket.desks.models import Desk, Slot, Space, SpaceManager
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place, check_coordinates

NAME_MAX, LABEL_MAX, TEXT_MAX = 120, 80, 5000
UNSET = object()


def get_space(space_id: int) -> Space:
    space = db.session.get(Space, space_id)
    if space is None:
        raise NotFound(_l("No such space."))
    return space


def is_manager(space: Space, user: User | None) -> bool:
    return user is not None and getattr(user, "id", None) in space.manager_ids


def require_manager(space: Space, user: User) -> None:
    if not is_manager(space, user):
        raise NotAllowed(_l("Only the managers of this space can do that."))


def managed_spaces(user: User) -> list[Space]:
    return list(
        db.session.scalars(select(Space).join(SpaceManager).where(SpaceManager.user_id == user.id).order_by(Space.name))
    )


def _text(value: str | None, limit: int, field: str, errors: dict) -> str:
    text = clean_text(value, limit)
    if len(text) > limit:
        errors.setdefault(field, []).append(_l("Use at most %(n)s characters.", n=limit))
    return text


def _space_fields(fields: dict, errors: dict) -> dict:
    """Checked values of the fields given (absent ones untouched)."""
    values: dict = {}
    if "name" in fields:
        values["name"] = _text(fields["name"], NAME_MAX, "name", errors)
        if not values["name"]:
            errors.setdefault("name", []).append(_l("Give the space a name."))
    for field, limit in (("description", TEXT_MAX), ("opening_hours", 1000), ("house_rules", TEXT_MAX)):
        if fields.get(field) is not None:
            values[field] = _text(fields[field], limit, field, errors)
    if fields.get("address") is not None:
        values["address"] = _text(fields["address"], 200, "address", errors)
    if fields.get("timezone") is not None:
        if rules.zone(fields["timezone"]) is None:
            errors.setdefault("timezone", []).append(_l("Give an IANA timezone such as Europe/Paris."))
        values["timezone"] = fields["timezone"]
    if fields.get("amenities") is not None:
        codes = rules.clean_amenities(fields["amenities"])
        if codes is None:
            errors.setdefault("amenities", []).append(
                _l("Choose amenities from: %(choices)s.", choices=", ".join(rules.AMENITIES))
            )
        else:
            values["amenities"] = ",".join(codes)
    if fields.get("cancel_cutoff_hours") is not None:
        hours = fields["cancel_cutoff_hours"]
        if not isinstance(hours, int) or not 0 <= hours <= rules.MAX_CUTOFF_HOURS:
            errors.setdefault("cancel_cutoff_hours", []).append(
                _l("Give a number of hours from 0 to %(n)s.", n=rules.MAX_CUTOFF_HOURS)
            )
        values["cancel_cutoff_hours"] = hours
    if "max_future_bookings" in fields and fields["max_future_bookings"] is not UNSET:
        limit = fields["max_future_bookings"]
        if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 1000):
            errors.setdefault("max_future_bookings", []).append(_l("Give a number from 1 to 1000, or nothing."))
        values["max_future_bookings"] = limit
    if fields.get("location") is not None:
        place: Place = fields["location"]
        values["lat"], values["lng"] = check_coordinates(place.lat, place.lng, "location")
        values["place_label"] = clean_text(place.label, 120)[:120] or None
    return values


def create_space(*, creator: User, name: str, location: Place | None, now: datetime, **fields) -> Space:
    """A new space; its creator becomes its first manager."""
    errors: dict[str, list] = {}
    if location is None:
        errors["location"] = [_l("Say where the space is.")]
    if not fields.get("timezone"):
        fields["timezone"] = current_app.config["SHAREMARKET_TIMEZONE"]
    values = _space_fields({**fields, "name": name, "location": location}, errors)
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    defaults = {
        "description": "",
        "address": "",
        "opening_hours": "",
        "amenities": "",
        "house_rules": "",
        "cancel_cutoff_hours": rules.DEFAULT_CUTOFF_HOURS,
    }
    space = Space(
        checkin_code=secrets.token_urlsafe(9),
        calendar_token=secrets.token_urlsafe(32),
        created_at=now,
        updated_at=now,
        **{**defaults, **values},
    )
    space.managers.append(SpaceManager(user_id=creator.id, added_at=now, added_by_id=creator.id))
    db.session.add(space)
    db.session.flush()
    return space


def update_space(*, space: Space, actor: User, now: datetime, **fields) -> Space:
    require_manager(space, actor)
    errors: dict[str, list] = {}
    values = _space_fields(fields, errors)
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    for key, value in values.items():
        setattr(space, key, value)
    space.updated_at = now
    db.session.flush()
    return space


def reset_checkin_code(*, space: Space, actor: User, now: datetime) -> str:
    """A new check-in link; the printed one stops working."""
    require_manager(space, actor)
    space.checkin_code = secrets.token_urlsafe(9)
    space.updated_at = now
    db.session.flush()
    return space.checkin_code


def reset_calendar_token(*, space: Space, actor: User, now: datetime) -> str:
    require_manager(space, actor)
    space.calendar_token = secrets.token_urlsafe(32)
    space.updated_at = now
    db.session.flush()
    return space.calendar_token


def add_manager(*, space: Space, actor: User, user_id: int | None = None, email: str | None = None, now: datetime):
    """A co-manager, named by id (API) or e-mail (pages); told by a notification."""
    from sharemarket.accounts.services import user_by_email
    from sharemarket.notifications.services import notify

    require_manager(space, actor)
    field = "user_id" if email is None else "email"
    user = db.session.get(User, user_id) if email is None else user_by_email(email)
    if user is None or user.status != "active":
        raise ValidationFailed.field(field, _l("We know no member by that."))
    if user.id in space.manager_ids:
        raise Conflict(_l("%(name)s already manages this space.", name=user.display_name))
    manager = SpaceManager(space=space, user_id=user.id, added_at=now, added_by_id=actor.id)
    db.session.add(manager)
    db.session.flush()
    notify(
        user=user,
        kind="desks",
        title=_l("You now manage %(space)s", space=space.name),
        body=_l("%(name)s made you a manager of %(space)s.", name=actor.display_name, space=space.name),
        link=f"/spaces/{space.id}/manage",
        now=now,
    )
    return manager


def remove_manager(*, space: Space, actor: User, user_id: int, now: datetime) -> None:
    """Managers remove co-managers or leave; the last manager cannot."""
    require_manager(space, actor)
    lock_row(db.session, Space, space.id)
    ids = set(db.session.scalars(select(SpaceManager.user_id).where(SpaceManager.space_id == space.id)))
    if user_id not in ids:
        raise NotFound(_l("This person does not manage this space."))
    if ids == {user_id}:
        raise Conflict(_l("A space needs at least one manager: add another before leaving."))
    manager = db.session.get(SpaceManager, (space.id, user_id))
    space.managers.remove(manager)
    space.updated_at = now
    db.session.flush()


def _desk_values(label, kind, seats, errors: dict) -> dict:
    values = {}
    if label is not None:
        values["label"] = _text(label, LABEL_MAX, "label", errors)
        if not values["label"]:
            errors.setdefault("label", []).append(_l("Give the desk a label."))
    if kind is not None:
        if kind not in rules.DESK_KINDS:
            errors.setdefault("kind", []).append(_l("Choose one of: %(choices)s.", choices=", ".join(rules.DESK_KINDS)))
        values["kind"] = kind
    if seats is not None:
        if not isinstance(seats, int) or not 1 <= seats <= rules.MAX_CAPACITY:
            errors.setdefault("seats", []).append(_l("Give a number of seats from 1 to %(n)s.", n=rules.MAX_CAPACITY))
        values["seats"] = seats
    return values


def add_desk(*, space: Space, actor: User, label: str, now: datetime, kind: str = "hot_desk", seats: int = 1) -> Desk:
    require_manager(space, actor)
    errors: dict[str, list] = {}
    values = _desk_values(label, kind or "hot_desk", seats if seats is not None else 1, errors)
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    desk = Desk(space=space, created_at=now, **values)
    db.session.add(desk)
    db.session.flush()
    return desk


def update_desk(*, desk: Desk, actor: User, now: datetime, label=None, kind=None, seats=None) -> Desk:
    require_manager(desk.space, actor)
    errors: dict[str, list] = {}
    values = _desk_values(label, kind, seats, errors)
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    for key, value in values.items():
        setattr(desk, key, value)
    db.session.flush()
    return desk


def get_desk(space: Space, desk_id: object, field: str = "desk_id") -> Desk:
    desk = db.session.get(Desk, desk_id) if isinstance(desk_id, int) else None
    if desk is None or desk.space_id != space.id:
        raise ValidationFailed.field(field, _l("This space has no such desk."))
    return desk


def desks_by_ids(space: Space, ids: Iterable[int], field: str = "desks") -> list[Desk]:
    return [get_desk(space, desk_id, field) for desk_id in ids]


def upcoming_slot_count(space: Space, now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count(Slot.id)).where(
                Slot.space_id == space.id, Slot.ends_at > now, Slot.cancelled_at.is_(None)
            )
        )
        or 0
    )
