from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sharemarket.communities import services
from sharemarket.db import utcnow
from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings import search as listing_search
from sharemarket.rides import search as ride_search
from tests.rides.conftest import LANESTER, VANNES

MORNING = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def _community(user, **kw):
    fields = {"name": "Chantiers du Blavet", "access": "open"} | kw
    community = services.create(creator=user, now=utcnow(), **fields)
    db.session.commit()
    return community


def test_joining_open_domain_and_invitation(make_user):
    boss = make_user(email="boss@blavet.example")
    open_one = _community(boss)
    walker = make_user(email="walker@gmail.example")
    services.join(community=open_one, user=walker, now=utcnow())
    with pytest.raises(Conflict):
        services.join(community=open_one, user=walker, now=utcnow())

    company = _community(boss, name="Salariés", access="domain", email_domain="@Blavet.example")
    with pytest.raises(NotAllowed):
        services.join(community=company, user=walker, now=utcnow())
    colleague = make_user(email="Colleague@blavet.example")
    services.join(community=company, user=colleague, now=utcnow())
    with pytest.raises(ValidationFailed):
        services.create(creator=boss, name="X", access="domain", email_domain="", now=utcnow())

    club = _community(boss, name="Quartier", access="invitation")
    with pytest.raises(NotAllowed):
        services.join(community=club, user=walker, now=utcnow())
    with pytest.raises(NotAllowed):
        services.invite(community=club, actor=walker, email=walker.email, now=utcnow(), link_for=str)
    token = services.invite(community=club, actor=boss, email=walker.email, now=utcnow(), link_for=str)
    with pytest.raises(NotAllowed):
        services.join(community=club, user=colleague, now=utcnow(), token=token)
    with pytest.raises(NotAllowed):
        services.join(community=club, user=walker, now=utcnow(), token=token + "x")
    services.join(community=club, user=walker, now=utcnow(), token=token)
    assert services.is_member(club.id, walker.id)


def test_a_listing_kept_in_a_community_is_hidden_from_others(client, make_user, auth_header, make_listing):
    owner, neighbour, stranger = make_user(), make_user(), make_user()
    community = _community(owner)
    services.join(community=community, user=neighbour, now=utcnow())
    listing = make_listing(owner=owner, title="Bétonnière")
    with pytest.raises(NotAllowed):
        services.restrict(item=listing, owner_id=listing.owner_id, community_id=community.id, actor=neighbour)
    services.restrict(item=listing, owner_id=listing.owner_id, community_id=community.id, actor=owner)
    db.session.commit()

    def found(viewer):
        query = listing_search.SearchQuery(q="betonniere", viewer_id=viewer.id if viewer else None)
        return [f.listing.id for f in listing_search.search(query, limit=10)[0]]

    assert found(neighbour) == [listing.id]
    assert found(stranger) == [] and found(None) == []
    assert client.get(f"/api/v1/listings/{listing.id}", headers=auth_header(stranger)).status_code == 404
    assert client.get(f"/api/v1/listings/{listing.id}", headers=auth_header(neighbour)).status_code == 200
    api = client.get("/api/v1/listings?q=betonniere", headers=auth_header(stranger)).json["results"]
    assert api == []


def test_a_ride_kept_in_a_community_is_found_by_members_only(client, make_user, make_ride, auth_header, now):
    ride = make_ride(max_detour_km=12)
    colleague, stranger = make_user(), make_user()
    community = _community(ride.driver)
    services.join(community=community, user=colleague, now=now)
    services.restrict(item=ride, owner_id=ride.driver_id, community_id=community.id, actor=ride.driver)
    db.session.commit()

    def found(viewer):
        result = ride_search.search(
            origin=LANESTER,
            destination=VANNES,
            depart_after=MORNING,
            depart_before=MORNING + timedelta(hours=3),
            now=now,
            viewer_id=viewer.id if viewer else None,
        )
        return [m.ride_id for m in result.matches]

    assert found(colleague) == [ride.id]
    assert found(stranger) == [] and found(None) == []
    assert client.get(f"/api/v1/rides/{ride.id}", headers=auth_header(stranger)).status_code == 404
    assert client.get(f"/api/v1/rides/{ride.id}", headers=auth_header(colleague)).status_code == 200
