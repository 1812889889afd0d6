"""Showing slot times in the space's own timezone, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime, format_time
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from sharemarket.desks import rules

STATUS_LABELS = {
    "confirmed": _l("Booked"),
    "waitlisted": _l("On the waitlist"),
    "checked_in": _l("Checked in"),
    "cancelled": _l("Cancelled"),
    "no_show": _l("Released: not checked in"),
}


def _zone(space):
    return rules.zone(space.timezone)


def space_time(value: datetime, space) -> str:
    return format_time(value, "short", tzinfo=_zone(space), locale=str(get_locale()))


def space_day(value: datetime | date, space, style: str = "full") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(_zone(space)).date()
    return format_date(value, style, locale=str(get_locale()))


def space_datetime(value: datetime | None, space, style: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, style, tzinfo=_zone(space), locale=str(get_locale()))


def slot_hours(slot) -> str:
    return f"{space_time(slot.starts_at, slot.space)}–{space_time(slot.ends_at, slot.space)}"


def register_filters(bp: Blueprint) -> None:
    bp.add_app_template_filter(space_time, "space_time")
    bp.add_app_template_filter(space_day, "space_day")
    bp.add_app_template_filter(space_datetime, "space_datetime")
    bp.add_app_template_filter(slot_hours, "slot_hours")
    bp.add_app_template_global(rules.DESK_KINDS, "desk_kinds")
    bp.add_app_template_global(rules.AMENITIES, "amenity_labels")
    bp.add_app_template_global(STATUS_LABELS, "desk_status")
