"""Words and symbols for kinds, statuses and actions on pages, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flask_babel import format_date, format_decimal, format_time, to_user_timezone
from flask_babel import lazy_gettext as _l

KIND_LABELS = {"loan": _l("Loan"), "desk": _l("Desk"), "seat": _l("Ride")}

STATUS_LABELS = {
    "requested": _l("requested"),
    "confirmed": _l("confirmed"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
    "waitlisted": _l("on the waiting list"),
    "active": _l("picked up"),
    "returned": _l("returned"),
    "overdue": _l("overdue"),
    "checked_in": _l("checked in"),
    "no_show": _l("no-show"),
}

ACTION_LABELS = {
    "approve": _l("Approve"),
    "decline": _l("Decline"),
    "cancel": _l("Cancel"),
    "pickup": _l("Picked up"),
    "return": _l("Returned"),
    "check_in": _l("Check in"),
}

EVENT_LABELS = {
    "create": _l("booked"),
    "approve": _l("approved"),
    "decline": _l("declined"),
    "cancel": _l("cancelled"),
    "pickup": _l("picked up"),
    "return": _l("returned"),
    "check_in": _l("checked in"),
    "expire": _l("expired"),
    "mark_overdue": _l("became overdue"),
    "no_show": _l("marked as no-show"),
    "promote": _l("moved up from the waiting list"),
}


def ordered(kinds: Iterable[str]) -> list[str]:
    """Known kinds in a fixed order, then any other registered kind."""
    present = set(kinds)
    return [k for k in KIND_LABELS if k in present] + sorted(present - set(KIND_LABELS))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def period(starts_at: datetime, ends_at: datetime) -> str:
    """When a booking runs, in the reader's timezone and language: whole days as dates (a loan),
    else a day with its hours, else two instants."""
    start, end = to_user_timezone(starts_at), to_user_timezone(ends_at)
    if start.time() == end.time() == time(0):
        last = (end - timedelta(days=1)).date()
        if last <= start.date():
            return format_date(start.date(), "medium")
        return f"{format_date(start.date(), 'medium')} – {format_date(last, 'medium')}"
    if start.date() == end.date():
        return f"{format_date(start.date(), 'medium')}, {format_time(start, 'short')} – {format_time(end, 'short')}"
    return f"{moment(start)} – {moment(end)}"


def moment(instant: datetime) -> str:
    local = to_user_timezone(instant)
    return f"{format_date(local.date(), 'medium')}, {format_time(local, 'short')}"


def person_name(user) -> str:
    """A closed account's name, in the reader's language."""
    return str(_l("Former member")) if user is None or user.status == "deleted" else user.display_name


def rating_text(average: float | None) -> str:
    return format_decimal(average or 0, "0.#")
