"""Hidden content leaves the search pages, the API, the home page and the community pages for
everyone but its author and the moderators; a hidden profile leaves the people pages."""

from __future__ import annotations

from sharemarket.communities import services as communities
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.moderation import services
from tests.main.test_home_rides import LANESTER, drivers  # noqa: F401


def _hide(moderator, target_type, target_id, action="hide"):
    services.act(
        actor=moderator, action=action, target_type=target_type, target_id=target_id, reason="Signalé", now=utcnow()
    )
    db.session.commit()


def test_a_hidden_listing_leaves_search_pages_api_home_and_community(client, make_listing, make_moderator, now):
    listing = make_listing(title="Tronconneuse douteuse")
    community = communities.create(creator=listing.owner, name="Quartier", description="", access="open", now=now)
    db.session.commit()
    places = (
        "/listings?q=tronconneuse",
        "/api/v1/listings?q=tronconneuse",
        "/?lat=47.7486&lng=-3.3667",
        f"/communities/{community.id}",
    )
    for path in places:
        assert "Tronconneuse douteuse" in client.get(path).get_data(as_text=True), path
    _hide(make_moderator(), "listing", listing.id)
    for path in places:
        assert "Tronconneuse douteuse" not in client.get(path).get_data(as_text=True), path


def test_a_hidden_ride_leaves_the_home_page(client, make_user, make_moderator, login, drivers):  # noqa: F811
    member = make_user(display_name="Passenger", home=LANESTER)
    login(member)
    assert "Vannes driver" in client.get("/").get_data(as_text=True)
    _hide(make_moderator(), "ride", drivers["Vannes driver"].id)
    assert "Vannes driver" not in client.get("/").get_data(as_text=True)


def test_a_hidden_profile_is_seen_by_its_owner_and_moderators_only(client, make_user, make_moderator, login):
    person = make_user(display_name="Spammeur")
    person.bio = "Achetez mes crypto-monnaies"
    db.session.commit()
    moderator = make_moderator()
    assert client.get(f"/people/{person.id}").status_code == 200
    _hide(moderator, "user", person.id)
    assert client.get(f"/people/{person.id}").status_code == 404
    assert client.get(f"/api/v1/users/{person.id}").status_code == 404
    assert client.get(f"/api/v1/users/{person.id}/reviews").status_code == 404
    login(person)
    own = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "The moderators have hidden this profile" in own and "crypto" in own
    client.post("/logout")
    login(moderator)
    assert client.get(f"/people/{person.id}").status_code == 200
    client.post("/logout")
    _hide(moderator, "user", person.id, action="unhide")
    assert client.get(f"/api/v1/users/{person.id}").json["bio"] == "Achetez mes crypto-monnaies"
    assert [a.action for a in services.log()] == ["unhide", "hide"]


def test_a_suspended_members_items_leave_the_searches_and_come_back_when_lifted(client, make_listing, make_moderator):
    listing = make_listing(title="Tronconneuse de Gwen")
    places = ("/listings?q=tronconneuse", "/api/v1/listings?q=tronconneuse", "/?lat=47.7486&lng=-3.3667")
    moderator = make_moderator()
    _hide(moderator, "user", listing.owner_id, action="suspend")
    for path in places:
        assert "Tronconneuse de Gwen" not in client.get(path).get_data(as_text=True), path
    _hide(moderator, "user", listing.owner_id, action="lift")
    for path in places:
        assert "Tronconneuse de Gwen" in client.get(path).get_data(as_text=True), path


def test_a_suspended_drivers_rides_leave_the_search_and_the_home_page(
    client,
    make_user,
    make_moderator,
    login,
    drivers,  # noqa: F811
):
    member = make_user(display_name="Passenger", home=LANESTER)
    login(member)
    assert "Vannes driver" in client.get("/").get_data(as_text=True)
    _hide(make_moderator(), "user", drivers["Vannes driver"].driver_id, action="suspend")
    assert "Vannes driver" not in client.get("/").get_data(as_text=True)
