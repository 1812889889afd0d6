"""What people can be told about, and how they may choose to hear it: the list is data.

A feature notifies with a kind (`notify(kind="loan_overdue", ...)`); each person picks a channel
per family of kinds on the settings page. A kind belongs to the family it names, or to the one
its first word names ("loan_overdue" -> "loan"), through ALIASES when the word differs
("seat_requested" -> "ride"). A kind of no family is e-mailed, like the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l

EMAIL, INBOX, DIGEST = "email", "inbox", "digest"
CHANNELS = (EMAIL, INBOX, DIGEST)
CHANNEL_LABELS = {
    EMAIL: _l("An e-mail each time"),
    INBOX: _l("Only in my notifications here"),
    DIGEST: _l("One e-mail a day with everything"),
}

# The kind of the daily digest e-mail itself: unsubscribing from it moves every kind a person
# receives by digest to inbox only.
DIGEST_KIND = "digest"


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: object
    default: str = EMAIL
    # Account and security messages (password reset, account changes) are always e-mailed.
    locked: bool = False


KINDS: dict[str, NotificationKind] = {
    kind.name: kind
    for kind in (
        NotificationKind("account", _l("My account and its security"), locked=True),
        NotificationKind("loan", _l("Things I borrow or lend")),
        NotificationKind("listing", _l("The things I list")),
        NotificationKind("desk", _l("Desk bookings")),
        NotificationKind("ride", _l("Rides and carpool seats")),
        NotificationKind("alert", _l("New rides and things matching my saved searches")),
        NotificationKind("message", _l("Messages from the people I share with")),
        NotificationKind("review", _l("Reviews others leave about me")),
        NotificationKind("community", _l("Invitations to communities and organisations")),
    )
}

# Kinds (or first words of kinds) that belong to a family of another name.
ALIASES = {
    "desks": "desk",
    "seat": "ride",
    "ride_alert": "alert",
    "search_alert": "alert",
    "interop": "message",
    "moderation": "account",  # a moderator's warning reaches the person whatever they chose
}


@lru_cache(maxsize=256)  # KINDS and ALIASES never change; a job asks this a few times per notice
def family(kind: str) -> str | None:
    """The family whose choice applies to `kind`, or None."""
    for candidate in (kind, kind.split("_", 1)[0]):
        candidate = ALIASES.get(candidate, candidate)
        if candidate in KINDS:
            return candidate
    return None


def default_channel(kind: str) -> str:
    known = KINDS.get(family(kind) or "")
    return known.default if known else EMAIL


def is_locked(kind: str) -> bool:
    known = KINDS.get(family(kind) or "")
    return bool(known and known.locked)
