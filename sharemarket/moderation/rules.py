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
COMMENT_MAX = 1000


def is_moderator(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", True) and bool(getattr(user, "is_admin", False))


def may_see(hidden_at, owner_id: int, viewer) -> bool:
    """Hidden content is seen only by its owner (with a notice) and by moderators."""
    if hidden_at is None:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", True):
        return False
    return viewer.id == owner_id or is_moderator(viewer)
