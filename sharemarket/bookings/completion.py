"""When a booking counts as completed (its two sides may then review each other), per kind.

A kind may register its own rule with `register(kind, rule)`; the defaults below use only the
fields every booking has, so they hold before and after the kind's package is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sharemarket.bookings.models import Booking

CompletionRule = Callable[[Booking, datetime], bool]

RULES: dict[str, CompletionRule] = {
    # A loan is completed once the item came back.
    "loan": lambda booking, now: booking.status == "returned",
    # A desk booking once the person checked in and the slot is over.
    "desk": lambda booking, now: booking.status == "checked_in" and booking.ends_at <= now,
    # A ride seat once the ride left with the passenger's seat confirmed.
    "seat": lambda booking, now: booking.status == "confirmed" and booking.starts_at <= now,
}


def register(kind: str, rule: CompletionRule) -> None:
    RULES[kind] = rule


def is_completed(booking: Booking, now: datetime) -> bool:
    rule = RULES.get(booking.kind)
    return rule is not None and rule(booking, now)
