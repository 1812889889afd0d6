"""Pure rules of moderation: reasons, actions, who sees hidden content."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    "spam": _l("Spam or advertising"),
    "fraud": _l("Scam or fraud"),
    "dangerous": _l("Dangerous or illegal"),
    "offensive": _l("Offensive or hateful"),
    "harassment": _l("Harassment"),
    "inaccurate": _l("Misleading or inaccurate"),
    "other": _l("Something else"),
}
TARGET_LABELS = {
    "listing": _l("Listing"),
    "ride": _l("Ride"),
    "message": _l("Booking message"),
    "user": _l("User"),
}
ACTIONS = {
    "hide": _l("Hid the content"),
    "unhide": _l("Showed the content again"),
    "warn": _l("Warned the user"),
    "suspend": _l("Suspended the user"),
    "lift": _l("Lifted the suspension"),
    "dismiss": _l("Dismissed the report"),
}
# The same actions as a moderator chooses them (the safest first).
ACTION_CHOICES = {
    "dismiss": _l("Dismiss the report: nothing to do"),
    "hide": _l("Hide the content"),
    "unhide": _l("Show the content again"),
    "warn": _l("Warn the user"),
    "suspend": _l("Suspend the user"),
    "lift": _l("Lift the suspension"),
}
# What admins do to the moderators' team, logged with the moderators' actions.
ROLE_ACTIONS = {
    "grant": _l("Made the user a moderator"),
    "revoke": _l("Removed the user from the moderators"),
}
LOGGED = ACTIONS | ROLE_ACTIONS
COMMENT_MAX = 1000
REASON_MAX = 500


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", True))


def is_admin(user) -> bool:
    return _signed_in(user) and bool(getattr(user, "is_admin", False))


def is_moderator(user) -> bool:
    """Moderators see the queue and act on it. Admins, who grant the role, may too; a moderator
    is not an admin."""
    return _signed_in(user) and bool(getattr(user, "is_moderator", False) or getattr(user, "is_admin", False))


def may_see(hidden_at, owner_id: int, viewer) -> bool:
    """Hidden content is seen only by its owner (with a notice) and by moderators."""
    if hidden_at is None:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", True):
        return False
    return viewer.id == owner_id or is_moderator(viewer)
