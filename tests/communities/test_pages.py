from __future__ import annotations

from sharemarket.communities import services
from sharemarket.communities.models import Community
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification


def test_create_join_invite_and_restrict_through_the_pages(client, make_user, login, make_listing):
    boss, walker = make_user(), make_user(display_name="Walker")
    login(boss)
    assert client.post("/communities/new", data={"name": "", "access": "open"}).status_code == 422
    bad = client.post("/communities/new", data={"name": "Blavet", "access": "domain", "email_domain": ""})
    assert bad.status_code == 422
    made = client.post("/communities/new", data={"name": "Quartier de Merville", "access": "invitation"})
    assert made.status_code == 302
    community = db.session.query(Community).one()
    listing = make_listing(owner=boss, title="Barnum de fête")
    kept = client.post(f"/communities/{community.id}/restrict", data={"item": f"listing-{listing.id}"})
    assert kept.status_code == 302
    assert db.session.get(type(listing), listing.id).community_id == community.id
    assert client.post(f"/communities/{community.id}/invitations", data={"email": walker.email}).status_code == 302
    client.post("/logout")

    assert "Barnum de fête" not in client.get(f"/communities/{community.id}").get_data(as_text=True)
    login(walker)
    assert client.post(f"/communities/{community.id}/join", data={}).status_code == 403
    note = db.session.query(Notification).filter_by(user_id=walker.id).one()
    page = client.get(note.link)
    assert page.status_code == 200
    token = note.link.split("token=")[1]
    assert client.post(f"/communities/{community.id}/join", data={"token": token}).status_code == 302
    assert services.is_member(community.id, walker.id)
    assert "Barnum de fête" in client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert client.post(f"/communities/{community.id}/invitations", data={"email": "x@example.org"}).status_code == 403


def test_open_community_page_for_visitors(client, make_user):
    community = services.create(creator=make_user(), name="Kervénanec", access="open", now=utcnow())
    db.session.commit()
    page = client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert "Kervénanec" in page and "Log in to join" in page
    assert "Kervénanec" in client.get("/communities").get_data(as_text=True)
    assert client.get("/communities/999").status_code == 404


def test_a_suspended_members_offers_leave_the_community_page(client, make_user, make_listing):
    owner = make_user()
    community = services.create(creator=owner, name="Kerentrech", access="open", now=utcnow())
    make_listing(owner=owner, title="Scie sauteuse")
    db.session.commit()
    assert "Scie sauteuse" in client.get(f"/communities/{community.id}").get_data(as_text=True)
    owner.status = "suspended"
    db.session.commit()
    assert "Scie sauteuse" not in client.get(f"/communities/{community.id}").get_data(as_text=True)
    owner.status = "active"
    db.session.commit()
    assert "Scie sauteuse" in client.get(f"/communities/{community.id}").get_data(as_text=True)
