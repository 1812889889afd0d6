"""What people can be told about, and how they may choose to hear it: the list is data.

A feature notifies with one of these kinds (`notify(kind="loan", ...)`); each person picks a
channel per kind on the settings page. A kind missing from this list is e-mailed, like the
default, and cannot be chosen on the page until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    )
}

# Which notification kind a booking of each booking kind belongs to.
BOOKING_KINDS = {"loan": "loan", "desk": "desk", "seat": "ride"}


def default_channel(kind: str) -> str:
    known = KINDS.get(kind)
    return known.default if known else EMAIL


def is_locked(kind: str) -> bool:
    known = KINDS.get(kind)
    return bool(known and known.locked)
