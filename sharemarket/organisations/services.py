"""Organisations: create, members and roles, listings held on behalf of an organisation."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.db import lock_row
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.organisations import rules
from sharemarket.organisations.models import Organisation, OrganisationMember


def get(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_l("No such organisation."))
    return organisation


def membership(organisation_id: int, user_id: int | None) -> OrganisationMember | None:
    if user_id is None:
        return None
    return db.session.scalar(
        select(OrganisationMember).where(
            OrganisationMember.organisation_id == organisation_id, OrganisationMember.user_id == user_id
        )
    )


def is_admin(organisation_id: int, user_id: int | None) -> bool:
    member = membership(organisation_id, user_id)
    return member is not None and member.role == "admin"


def admin_ids(organisation_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(OrganisationMember.user_id).where(
                OrganisationMember.organisation_id == organisation_id, OrganisationMember.role == "admin"
            )
        )
    )


def administered_by(user_id: int):
    """The ids of the organisations `user_id` administers, as a subquery."""
    return select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user_id, OrganisationMember.role == "admin"
    )


def _check_fields(name: str, kind: str, website: str | None) -> None:
    if not name.strip():
        raise ValidationFailed.field("name", _l("Give the organisation a name."))
    if kind not in rules.KINDS:
        raise ValidationFailed.field("kind", _l("Choose a kind of organisation."))
    if website and not rules.is_web_address(website):
        raise ValidationFailed.field("website", _l("A web address starts with https://."))


def create(
    *, creator: User, name: str, kind: str, now: datetime, description: str = "", website: str = ""
) -> Organisation:
    """A new organisation; its creator is its first administrator."""
    _check_fields(name, kind, website)
    organisation = Organisation(
        name=name.strip(), kind=kind, description=description.strip(), website=website or None, created_at=now
    )
    organisation.members.append(OrganisationMember(user_id=creator.id, role="admin", created_at=now))
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update(*, organisation: Organisation, actor: User, name: str, kind: str, description: str, website: str) -> None:
    _require_admin(organisation, actor)
    _check_fields(name, kind, website)
    organisation.name, organisation.kind = name.strip(), kind
    organisation.description, organisation.website = description.strip(), website or None
    db.session.flush()


def _require_admin(organisation: Organisation, actor: User) -> None:
    if not is_admin(organisation.id, actor.id):
        raise NotAllowed(_l("Only the organisation's administrators can do this."))


def add_member(*, organisation: Organisation, actor: User, email: str, role: str, now: datetime) -> OrganisationMember:
    _require_admin(organisation, actor)
    if role not in rules.ROLES:
        raise ValidationFailed.field("role", _l("Choose a role."))
    user = db.session.scalar(select(User).where(User.email_key == email.strip().lower(), User.status == "active"))
    if user is None:
        raise ValidationFailed.field("email", _l("Nobody has an account with this e-mail address."))
    if membership(organisation.id, user.id) is not None:
        raise Conflict(_l("%(name)s is already a member.", name=user.display_name))
    member = OrganisationMember(organisation_id=organisation.id, user_id=user.id, role=role, created_at=now)
    db.session.add(member)
    db.session.flush()
    return member


def _the_member(organisation: Organisation, member_id: int) -> OrganisationMember:
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != organisation.id:
        raise NotFound(_l("No such member."))
    return member


def _keep_an_admin(organisation: Organisation, leaving: OrganisationMember) -> None:
    """Under the organisation's row lock: an organisation always keeps an administrator."""
    lock_row(db.session, Organisation, organisation.id)
    db.session.refresh(leaving)
    if leaving.role != "admin":
        return
    admins = db.session.scalar(
        select(func.count(OrganisationMember.id)).where(
            OrganisationMember.organisation_id == organisation.id, OrganisationMember.role == "admin"
        )
    )
    if admins <= 1:
        raise Conflict(_l("The last administrator cannot leave: name another administrator first."))


def change_role(*, organisation: Organisation, actor: User, member_id: int, role: str) -> None:
    _require_admin(organisation, actor)
    if role not in rules.ROLES:
        raise ValidationFailed.field("role", _l("Choose a role."))
    member = _the_member(organisation, member_id)
    if role == "member":
        _keep_an_admin(organisation, member)
    member.role = role
    db.session.flush()


def remove_member(*, organisation: Organisation, actor: User, member_id: int) -> None:
    member = _the_member(organisation, member_id)
    if member.user_id != actor.id:
        _require_admin(organisation, actor)
    _keep_an_admin(organisation, member)
    db.session.delete(member)
    db.session.flush()


def leave(*, organisation: Organisation, actor: User) -> None:
    member = membership(organisation.id, actor.id)
    if member is None:
        raise NotFound(_l("You are not a member of this organisation."))
    remove_member(organisation=organisation, actor=actor, member_id=member.id)


def assign_listing(*, organisation: Organisation | None, actor: User, listing) -> None:
    """Lend one of my listings on behalf of an organisation I administer (or take it back: None)."""
    if listing.owner_id != actor.id:
        raise NotAllowed(_l("Only the owner can change this listing."))
    if organisation is not None:
        _require_admin(organisation, actor)
    listing.organisation_id = organisation.id if organisation is not None else None
    db.session.flush()


def mine(user_id: int) -> list[tuple[Organisation, str]]:
    rows = db.session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember)
        .where(OrganisationMember.user_id == user_id)
        .order_by(Organisation.name)
    )
    return [(org, role) for org, role in rows]
