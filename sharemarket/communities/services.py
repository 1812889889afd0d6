"""Communities: create, join (open, domain, invitation link), leave, restrict an item to one."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.communities import rules
from sharemarket.communities.models import Community, CommunityMember
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications.services import notify

INVITATION_DAYS = 14


def get(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound(_l("No such community."))
    return community


def membership(community_id: int, user_id: int | None) -> CommunityMember | None:
    if user_id is None:
        return None
    return db.session.scalar(
        select(CommunityMember).where(CommunityMember.community_id == community_id, CommunityMember.user_id == user_id)
    )


def is_member(community_id: int | None, user_id: int | None) -> bool:
    return community_id is None or membership(community_id, user_id) is not None


def in_its_community(community_id: int | None, owner_id: int, viewer) -> bool:
    """An item kept in a community is seen by its owner, the community's members and moderators."""
    if community_id is None:
        return True
    if viewer is None:
        return False
    return viewer.id == owner_id or bool(viewer.is_admin) or membership(community_id, viewer.id) is not None


def create(
    *, creator: User, name: str, access: str, now: datetime, description: str = "", email_domain: str = ""
) -> Community:
    if not name.strip():
        raise ValidationFailed.field("name", _l("Give the community a name."))
    if access not in rules.ACCESS:
        raise ValidationFailed.field("access", _l("Choose how people join."))
    domain = rules.clean_domain(email_domain or "")
    if access == "domain" and ("." not in domain or " " in domain or "@" in domain):
        raise ValidationFailed.field("email_domain", _l("Give an e-mail domain, e.g. chantiers-blavet.fr."))
    community = Community(
        name=name.strip(), description=description.strip(), access=access, email_domain=domain or None, created_at=now
    )
    community.members.append(CommunityMember(user_id=creator.id, role="admin", created_at=now))
    db.session.add(community)
    db.session.flush()
    return community


def _add(community: Community, user: User, now: datetime) -> CommunityMember:
    member = CommunityMember(community_id=community.id, user_id=user.id, role="member", created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(member)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("You are already a member.")) from None
    return member


def join(*, community: Community, user: User, now: datetime, token: str | None = None) -> CommunityMember:
    if community.access == "domain" and not rules.email_in_domain(user.email_key, community.email_domain or ""):
        raise NotAllowed(_l("This community is for addresses ending in @%(domain)s.", domain=community.email_domain))
    if community.access == "invitation":
        invited = _invited_email(token, community.id)
        if invited != user.email_key:
            raise NotAllowed(_l("This community is by invitation: use the link you received."))
    return _add(community, user, now)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="community-invitation")


def _invited_email(token: str | None, community_id: int) -> str | None:
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=INVITATION_DAYS * 86400)
    except (BadSignature, SignatureExpired):
        return None
    return data.get("e") if data.get("c") == community_id else None


def invite(*, community: Community, actor: User, email: str, now: datetime, link_for) -> str:
    """An administrator invites an address: a signed link, sent as a notification if it has an account."""
    member = membership(community.id, actor.id)
    if member is None or member.role != "admin":
        raise NotAllowed(_l("Only the community's administrators can invite."))
    key = email.strip().lower()
    if "@" not in key:
        raise ValidationFailed.field("email", _l("Give an e-mail address."))
    token = _serializer().dumps({"c": community.id, "e": key})
    user = db.session.scalar(select(User).where(User.email_key == key, User.status == "active"))
    if user is not None:
        notify(
            user=user,
            kind="community_invitation",
            title=_l("An invitation to %(name)s", name=community.name),
            body=_l("%(who)s invites you to join %(name)s.", who=actor.display_name, name=community.name),
            now=now,
            link=link_for(token),
        )
    return token


def leave(*, community: Community, user: User) -> None:
    member = membership(community.id, user.id)
    if member is None:
        raise NotFound(_l("You are not a member of this community."))
    db.session.delete(member)
    db.session.flush()


def restrict(*, item, owner_id: int, community_id: int | None, actor: User) -> None:
    """Keep a listing or a ride among one of my communities (None: for everyone again)."""
    if owner_id != actor.id:
        raise NotAllowed(_l("Only its owner can do this."))
    if community_id is not None and membership(community_id, actor.id) is None:
        raise NotAllowed(_l("You can only restrict to a community you belong to."))
    item.community_id = community_id
    db.session.flush()


def mine(user_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community).join(CommunityMember).where(CommunityMember.user_id == user_id).order_by(Community.name)
        )
    )
