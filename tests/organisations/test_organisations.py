from __future__ import annotations

from datetime import timedelta

import pytest

from sharemarket.db import utcnow
from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.organisations import services


def _org(user, **kw):
    fields = {"name": "Ressourcerie du Scorff", "kind": "association", "description": "Une bibliothèque d'objets."}
    org = services.create(creator=user, now=utcnow(), **(fields | kw))
    db.session.commit()
    return org


def test_creator_is_admin_and_last_admin_cannot_leave(make_user):
    ana = make_user(display_name="Ana")
    org = _org(ana)
    assert services.admin_ids(org.id) == {ana.id}
    with pytest.raises(Conflict):
        services.leave(organisation=org, actor=ana)
    assert services.is_admin(org.id, ana.id)


def test_admins_manage_members_and_non_admins_cannot(make_user):
    ana, bob, cid = make_user(), make_user(display_name="Bob"), make_user()
    org = _org(ana)
    member = services.add_member(organisation=org, actor=ana, email=bob.email.upper(), role="member", now=utcnow())
    with pytest.raises(NotAllowed):
        services.add_member(organisation=org, actor=bob, email=cid.email, role="member", now=utcnow())
    with pytest.raises(NotAllowed):
        services.change_role(organisation=org, actor=bob, member_id=member.id, role="admin")
    with pytest.raises(Conflict):
        services.add_member(organisation=org, actor=ana, email=bob.email, role="member", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.add_member(organisation=org, actor=ana, email="nobody@example.org", role="member", now=utcnow())
    services.change_role(organisation=org, actor=ana, member_id=member.id, role="admin")
    assert services.admin_ids(org.id) == {ana.id, bob.id}
    services.leave(organisation=org, actor=ana)  # another admin remains
    assert services.admin_ids(org.id) == {bob.id}
    own = services.membership(org.id, bob.id)
    with pytest.raises(Conflict):
        services.change_role(organisation=org, actor=bob, member_id=own.id, role="member")


def test_bad_fields_are_refused(make_user):
    with pytest.raises(ValidationFailed):
        services.create(creator=make_user(), name=" ", kind="association", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.create(creator=make_user(), name="X", kind="club", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.create(creator=make_user(), name="X", kind="school", website="javascript:x", now=utcnow())


def test_any_admin_handles_loans_of_the_organisation(client, make_user, auth_header, make_listing, next_saturday):
    ana, bob, borrower = make_user(), make_user(), make_user()
    org = _org(ana)
    services.add_member(organisation=org, actor=ana, email=bob.email, role="admin", now=utcnow())
    listing = make_listing(owner=ana)
    with pytest.raises(NotAllowed):
        services.assign_listing(organisation=org, actor=bob, listing=listing)
    services.assign_listing(organisation=org, actor=ana, listing=listing)
    db.session.commit()

    asked = client.post(
        f"/api/v1/listings/{listing.id}/bookings",
        json={"start_date": next_saturday.isoformat(), "end_date": (next_saturday + timedelta(days=1)).isoformat()},
        headers=auth_header(borrower),
    )
    assert asked.status_code == 201, asked.json
    to_handle = client.get("/api/v1/bookings?role=to_handle", headers=auth_header(bob)).json["results"]
    assert [b["id"] for b in to_handle] == [asked.json["id"]]
    approved = client.post(f"/api/v1/bookings/{asked.json['id']}/approve", headers=auth_header(bob))
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "confirmed"
    stranger = client.post(f"/api/v1/bookings/{asked.json['id']}/cancel", headers=auth_header(make_user()))
    assert stranger.status_code in (403, 404)


def test_an_item_lent_by_an_organisation_names_it_on_its_page(client, make_user, make_listing):
    ana = make_user(display_name="Ana")
    org = _org(ana)
    listing = make_listing(owner=ana)
    services.assign_listing(organisation=org, actor=ana, listing=listing)
    db.session.commit()
    text = " ".join(client.get(f"/listings/{listing.id}").get_data(as_text=True).split())
    assert f'<a href="/organisations/{org.id}">Ressourcerie du Scorff</a>' in text
    assert "listed by" in text and "Ana" in text
