"""Pure rules of communities: who may see restricted items, e-mail domains."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select

ACCESS = {
    "open": _l("Open: anyone may join"),
    "invitation": _l("By invitation"),
    "domain": _l("For an e-mail domain"),
}


def clean_domain(value: str) -> str:
    return value.strip().lower().lstrip("@")


def email_in_domain(email_key: str, domain: str) -> bool:
    return bool(domain) and email_key.lower().endswith("@" + clean_domain(domain))


def visible_to(community_column, viewer_id) -> ColumnElement[bool]:
    """Unrestricted, or restricted to a community the viewer belongs to (viewer_id: a value or a bind)."""
    from sharemarket.communities.models import CommunityMember

    mine = select(CommunityMember.community_id).where(CommunityMember.user_id == viewer_id)
    return or_(community_column.is_(None), community_column.in_(mine))
