"""Moderators are a role of their own: admins grant and revoke it; moderators act; others get 403."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sharemarket.db import utcnow
from sharemarket.errors import NotAllowed
from sharemarket.extensions import db
from sharemarket.moderation import services, team
from sharemarket.moderation.models import ModerationAction

MODERATION_PAGES = ("/moderation", "/moderation/log")
ADMIN_PAGES = ("/admin/moderators", "/impact/admin", "/admin/jobs")


def _admin(make_user):
    admin = make_user(display_name="Admin")
    admin.is_admin = True
    db.session.commit()
    return admin


def test_an_admin_grants_the_role_on_the_admin_page_and_it_is_logged(client, make_user, login):
    admin, helper = _admin(make_user), make_user(display_name="Helper", email="helper@example.org")
    login(admin)
    assert client.get("/admin/moderators").status_code == 200
    unknown = client.post("/admin/moderators", data={"email": "nobody@example.org", "reason": "Bénévole"})
    assert unknown.status_code == 422 and "No member has this e-mail address." in unknown.get_data(as_text=True)
    unexplained = client.post("/admin/moderators", data={"email": "HELPER@example.org", "reason": ""})
    assert unexplained.status_code == 422
    granted = client.post("/admin/moderators", data={"email": "HELPER@example.org", "reason": "Bénévole"})
    assert granted.status_code == 303
    assert helper.is_moderator and not helper.is_admin
    assert "Helper" in client.get("/admin/moderators").get_data(as_text=True)
    revoked = client.post(f"/admin/moderators/{helper.id}/revoke", data={"reason": "A déménagé"})
    assert revoked.status_code == 303
    db.session.expire_all()
    assert not helper.is_moderator
    log = [(e.moderator_id, e.action, e.target_id, e.reason) for e in db.session.scalars(select(ModerationAction))]
    assert log == [(admin.id, "grant", helper.id, "Bénévole"), (admin.id, "revoke", helper.id, "A déménagé")]
    page = client.get("/moderation/log").get_data(as_text=True)
    assert "Made the user a moderator" in page and "A déménagé" in page


def test_a_moderator_works_the_queue_but_is_not_an_admin(client, make_user, make_moderator, login, make_listing):
    moderator = make_moderator()
    listing = make_listing()
    login(moderator)
    for path in MODERATION_PAGES:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    done = client.post(
        "/moderation/actions",
        data={"action": "hide", "target_type": "listing", "target_id": listing.id, "reason": "Doublon"},
    )
    assert done.status_code == 302 and listing.hidden_at is not None
    assert "Moderation" in client.get("/").get_data(as_text=True)
    with pytest.raises(NotAllowed):
        team.set_moderator(actor=moderator, user=make_user(), grant=True, reason="x", now=utcnow())


def test_ordinary_members_get_403_everywhere_in_moderation(client, make_user, login, make_listing):
    listing = make_listing()
    login(make_user())
    for path in MODERATION_PAGES + ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    action = {"action": "hide", "target_type": "listing", "target_id": listing.id, "reason": "x"}
    assert client.post("/moderation/actions", data=action).status_code == 403
    assert client.post("/admin/moderators", data={"email": "a@example.org", "reason": "x"}).status_code == 403
    assert listing.hidden_at is None and db.session.scalars(select(ModerationAction)).all() == []


def test_revoked_moderators_lose_the_queue(client, make_user, make_moderator, login):
    admin, moderator = _admin(make_user), make_moderator()
    team.set_moderator(actor=admin, user=moderator, grant=False, reason="Fin de mission", now=utcnow())
    db.session.commit()
    login(moderator)
    assert client.get("/moderation").status_code == 403


def test_a_member_suspended_while_logged_in_is_logged_out_and_told_why(
    client, make_user, make_moderator, login, auth_header
):
    moderator, member = make_moderator(), make_user(display_name="Troll")
    login(member)
    header = auth_header(member)
    assert client.get("/bookings").status_code == 200
    services.act(
        actor=moderator, action="suspend", target_type="user", target_id=member.id, reason="Arnaques", now=utcnow()
    )
    db.session.commit()
    page = client.get("/")
    assert "This account is suspended: Arnaques" in page.get_data(as_text=True)
    assert client.get("/bookings").status_code == 302  # logged out: back to the login page
    refused = client.post("/api/v1/listings", json={"title": "x"}, headers=header)
    assert refused.status_code == 403 and "Arnaques" in refused.json["detail"]
    tokens = client.post("/api/v1/tokens", json={"email": member.email, "password": "correct horse battery"})
    assert tokens.status_code == 403 and "Arnaques" in tokens.json["detail"]
