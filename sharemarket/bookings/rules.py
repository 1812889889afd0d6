"""The booking state machine: which action moves which status to which, and who may do it."""

from __future__ import annotations

from dataclasses import dataclass

BOOKER, PROVIDER, SYSTEM = "booker", "provider", "system"

STATUSES = (
    "requested",
    "confirmed",
    "declined",
    "cancelled",
    "expired",
    "waitlisted",
    "active",
    "returned",
    "overdue",
    "checked_in",
    "no_show",
)
# Statuses in which a booking holds the resource (a day, a seat, a desk place).
HOLDING = frozenset({"confirmed", "active", "overdue", "checked_in"})
OPEN = frozenset({"requested", "waitlisted"}) | HOLDING
FINAL = frozenset({"declined", "cancelled", "expired", "returned", "no_show"})

# The actions a person can take through the pages and the API.
USER_ACTIONS = ("approve", "decline", "cancel", "pickup", "return", "check_in")


@dataclass(frozen=True)
class Transition:
    kinds: frozenset[str]
    sources: frozenset[str]
    target: str
    actors: frozenset[str]


def _t(kinds: str, sources: str, target: str, actors: str) -> Transition:
    return Transition(frozenset(kinds.split()), frozenset(sources.split()), target, frozenset(actors.split()))


TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    "approve": (_t("loan seat", "requested", "confirmed", "provider"),),
    "decline": (_t("loan seat", "requested", "declined", "provider"),),
    "cancel": (
        _t("loan", "requested confirmed", "cancelled", "booker"),
        _t("loan", "confirmed", "cancelled", "provider"),
        _t("desk", "confirmed waitlisted", "cancelled", "booker provider system"),
        _t("seat", "requested confirmed", "cancelled", "booker"),
        _t("seat", "confirmed", "cancelled", "provider"),
    ),
    "pickup": (_t("loan", "confirmed", "active", "provider"),),
    "return": (_t("loan", "active overdue", "returned", "provider"),),
    "check_in": (_t("desk", "confirmed", "checked_in", "booker"),),
    # Moves only the scheduler makes.
    "expire": (
        _t("loan seat", "requested", "expired", "system"),
        _t("loan", "confirmed", "expired", "system"),
    ),
    "mark_overdue": (_t("loan", "active", "overdue", "system"),),
    "no_show": (_t("desk", "confirmed", "no_show", "system"),),
    "promote": (_t("desk", "waitlisted", "confirmed", "system"),),
}


def find_transition(kind: str, action: str, status: str, role: str) -> Transition | None:
    """The transition that lets `role` do `action` on a `kind` booking in `status`, if any."""
    for transition in TRANSITIONS.get(action, ()):
        if kind in transition.kinds and status in transition.sources and role in transition.actors:
            return transition
    return None


def allowed_actions(kind: str, status: str, roles: set[str]) -> list[str]:
    return [action for action in USER_ACTIONS if any(find_transition(kind, action, status, role) for role in roles)]
