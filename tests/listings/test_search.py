from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place, distance_km
from sharemarket.listings import loans, search, services
from sharemarket.listings.models import Listing, ListingPhoto

CENTRE = (47.7486, -3.3667)


def _get(client, headers=None, **params):
    return client.get("/api/v1/listings", query_string=params, headers=headers or {})


@pytest.fixture
def town(make_user, make_listing):
    """Listings at known distances east of the centre, plus a far one."""
    owner = make_user()
    made = {}
    for name, km in (("near", 0.5), ("mid", 3.0), ("far", 8.0), ("outside", 30.0)):
        lng = CENTRE[1] + km / (111.32 * 0.6727)
        made[name] = make_listing(owner=owner, title=f"Échelle {name}", place=Place(CENTRE[0], lng, name))
    return made


def test_nearest_first_with_true_distances(client, town):
    response = _get(client, near=f"{CENTRE[0]},{CENTRE[1]}", radius_km=10)
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["title"] for r in results] == ["Échelle near", "Échelle mid", "Échelle far"]
    for result in results:
        listing = town[result["title"].split()[-1]]
        true = distance_km(CENTRE[0], CENTRE[1], listing.lat, listing.lng)
        assert result["distance_km"] == pytest.approx(true, abs=0.051)
        assert result["location_approximate"] is True
    assert response.json["next"] is None
    default = _get(client, near=f"{CENTRE[0]},{CENTRE[1]}").json["results"]
    assert len(default) == 3  # radius defaults to 10 km
    wide = _get(client, near=f"{CENTRE[0]},{CENTRE[1]}", radius_km=200).json["results"]
    assert [r["title"] for r in wide][-1] == "Échelle outside"


def test_without_near_newest_first_and_no_distance(client, town):
    results = _get(client).json["results"]
    assert [r["title"] for r in results] == ["Échelle outside", "Échelle far", "Échelle mid", "Échelle near"]
    assert all("distance_km" not in r for r in results)


def test_pages_follow_each_other_without_gaps(client, make_user, make_listing):
    owner = make_user()
    ids = {make_listing(owner=owner, title=f"Tente {i}", place=Place(47.75 + i * 0.001, -3.36)).id for i in range(7)}
    for params in ({"near": "47.75,-3.36"}, {}):
        seen, cursor = [], None
        while True:
            page = _get(client, limit=3, **params, **({"cursor": cursor} if cursor else {})).json
            seen += [r["id"] for r in page["results"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert _get(client, cursor="forged.123").status_code == 422


def test_words_ignore_case_and_accents(client, make_user, make_listing):
    owner = make_user()
    make_listing(owner=owner, title="Perceuse à percussion", description="Très bon état")
    make_listing(owner=owner, title="Appareil à raclette", description="Pour 8 personnes, avec poêlons")
    make_listing(owner=owner, title="Tondeuse électrique", description="")

    def titles(q):
        return [r["title"] for r in _get(client, q=q).json["results"]]

    assert titles("perceuse") == ["Perceuse à percussion"]
    assert titles("PERCEUSE") == ["Perceuse à percussion"]
    assert titles("poelons") == ["Appareil à raclette"]
    assert titles("RACLETTE poêlon") == ["Appareil à raclette"]
    assert titles("tondeuses electriques") == ["Tondeuse électrique"]
    assert titles("ceuse") == []
    assert titles("raclette perceuse") == []


def test_category_and_status_filters(client, make_user, make_listing, auth_header):
    owner = make_user()
    make_listing(owner=owner, title="Tente 4 places", category="sports")
    paused = make_listing(owner=owner, title="Tente paused", category="sports")
    services.update_listing(listing=paused, actor=owner, now=utcnow(), status="paused")
    db.session.commit()
    make_listing(owner=owner, title="Perceuse", category="tools")
    assert [r["title"] for r in _get(client, category="sports").json["results"]] == ["Tente 4 places"]
    assert _get(client, category="weapons").status_code == 422


def test_available_days_exclude_lent_and_blocked_listings(client, make_user, make_listing, today):
    owner = make_user()
    lent = make_listing(owner=owner, title="Remorque lent")
    blocked = make_listing(owner=owner, title="Remorque blocked")
    make_listing(owner=owner, title="Remorque free")
    start = today + timedelta(days=10)
    loan = loans.request_loan(
        listing=lent, borrower=make_user(), start=start, end=start + timedelta(days=2), now=utcnow()
    )
    bookings.act(booking=loan, action="approve", actor=owner, now=utcnow())
    services.add_block(
        listing=blocked,
        actor=owner,
        start=start + timedelta(days=2),
        end=start + timedelta(days=4),
        reason="",
        now=utcnow(),
    )
    db.session.commit()

    def titles(first, last):
        params = {"available_from": first.isoformat(), "available_to": last.isoformat()}
        return sorted(r["title"] for r in _get(client, **params).json["results"])

    assert titles(start, start) == ["Remorque blocked", "Remorque free"]
    assert titles(start + timedelta(days=2), start + timedelta(days=2)) == ["Remorque free"]
    assert titles(start + timedelta(days=5), start + timedelta(days=6)) == [
        "Remorque blocked",
        "Remorque free",
        "Remorque lent",
    ]
    reversed_days = _get(client, available_from=(start + timedelta(days=3)).isoformat(), available_to=start.isoformat())
    assert reversed_days.status_code == 422


@pytest.mark.parametrize(
    "params, field",
    [
        ({"near": "47.7,-3.3", "radius_km": "-1"}, "radius_km"),
        ({"near": "47.7,-3.3", "radius_km": "0"}, "radius_km"),
        ({"near": "47.7,-3.3", "radius_km": "1e9"}, "radius_km"),
        ({"near": "47.7,-3.3", "radius_km": "201"}, "radius_km"),
        ({"near": "47.7,-3.3", "radius_km": "nan"}, "radius_km"),
        ({"near": "47.7,-3.3", "radius_km": "ten"}, "radius_km"),
        ({"near": "91,0"}, "near"),
        ({"near": "0,181"}, "near"),
        ({"near": "north,west"}, "near"),
        ({"near": "47.7"}, "near"),
        ({"near": "inf,0"}, "near"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"available_from": "2026-02-30"}, "available_from"),
    ],
)
def test_bad_search_input_is_422(client, params, field):
    response = _get(client, **params)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_search_service_checks_radius_itself(app):
    with pytest.raises(ValidationFailed) as caught:
        search.search(search.SearchQuery(near=CENTRE, radius_km=-3), limit=5)
    assert "radius_km" in caught.value.errors


def test_ring_search_finds_the_same_as_a_full_scan(client, make_user, make_listing):
    """Dense near the centre, sparse further out: pages fill from the inner rings first, yet
    the union of the pages is exactly what lies within the radius, nearest first."""
    rng = random.Random(5)
    owner = make_user()
    places = []
    for i in range(40):
        km = rng.uniform(0, 0.5) if i < 25 else rng.uniform(0.5, 7)
        angle = rng.uniform(0, 6.283)
        lat = CENTRE[0] + km * math.cos(angle) / 111.32
        lng = CENTRE[1] + km * math.sin(angle) / (111.32 * math.cos(math.radians(CENTRE[0])))
        places.append(make_listing(owner=owner, title=f"Objet {i}", place=Place(lat, lng)).id)
    expected = {
        listing.id
        for listing in db.session.scalars(select(Listing))
        if distance_km(CENTRE[0], CENTRE[1], listing.lat, listing.lng) <= 5
    }
    seen, distances, cursor = [], [], None
    while True:
        params = {"near": f"{CENTRE[0]},{CENTRE[1]}", "radius_km": 5, "limit": 6}
        page = _get(client, **params, **({"cursor": cursor} if cursor else {})).json
        seen += [r["id"] for r in page["results"]]
        distances += [r["distance_km"] for r in page["results"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert all(b >= a - 0.1 for a, b in zip(distances, distances[1:], strict=False))


def test_a_result_shows_the_listing_as_its_own_page_does(client, make_user, make_listing, auth_header):
    """A search reads its page as plain rows (owner's name joined, photos aggregated): each result
    is the listing exactly as GET /listings/<id> shows it, photos in their order, plus the distance."""
    owner = make_user(display_name="Maëlle")
    listing = make_listing(owner=owner, title="Scie sauteuse", place=Place(CENTRE[0], CENTRE[1] + 0.01, "Merville"))
    make_listing(owner=make_user(display_name="Yann"), title="Escabeau", place=Place(CENTRE[0] + 0.01, CENTRE[1]))
    for position, key in ((2, "c" * 32), (0, "a" * 32), (1, "b" * 32)):
        db.session.add(ListingPhoto(listing_id=listing.id, position=position, key=key, width=1600, height=1200))
    db.session.commit()
    viewer = make_user()
    for headers in ({}, auth_header(viewer), auth_header(owner)):
        alone = {
            item.id: client.get(f"/api/v1/listings/{item.id}", headers=headers).json
            for item in db.session.scalars(select(Listing))
        }
        newest = _get(client, headers=headers).json["results"]
        results = _get(client, near=f"{CENTRE[0]},{CENTRE[1]}", headers=headers).json["results"]
        assert [r.pop("distance_km") > 0 for r in results] == [True, True]
        assert sorted(results, key=lambda r: r["id"]) == sorted(newest, key=lambda r: r["id"])
        assert {r["id"]: r for r in results} == alone
    shown = next(r for r in results if r["id"] == listing.id)
    keys = ["a" * 32, "b" * 32, "c" * 32]
    assert [next(key for key in keys if key in photo["url"]) for photo in shown["photos"]] == keys
    assert shown["owner"] == {"id": owner.id, "display_name": "Maëlle"} and "pickup_instructions" in shown


def test_near_a_point_only_what_the_viewer_may_see(client, make_user, make_listing, auth_header):
    """The single-statement page keeps every filter: paused, hidden and community listings."""
    from sharemarket.communities import services as communities

    owner, member, stranger = make_user(), make_user(), make_user()
    community = communities.create(creator=owner, name="Jardins partagés", access="open", now=utcnow())
    communities.join(community=community, user=member, now=utcnow())
    made = {}
    for i, name in enumerate(("open", "paused", "hidden", "kept")):
        made[name] = make_listing(owner=owner, title=f"Brouette {name}", place=Place(CENTRE[0] + i * 0.001, CENTRE[1]))
    services.update_listing(listing=made["paused"], actor=owner, now=utcnow(), status="paused")
    made["hidden"].hidden_at = utcnow()
    communities.restrict(item=made["kept"], owner_id=owner.id, community_id=community.id, actor=owner)
    db.session.commit()

    def titles(viewer=None, **params):
        headers = auth_header(viewer) if viewer else {}
        found = _get(client, near=f"{CENTRE[0]},{CENTRE[1]}", headers=headers, **params).json["results"]
        page = client.get(f"/listings?lat={CENTRE[0]}&lng={CENTRE[1]}", headers=headers)
        assert page.status_code == 200
        return [r["title"].split()[-1] for r in found]

    assert titles() == ["open"] and titles(stranger) == ["open"]
    assert titles(member) == ["open", "kept"] and titles(owner, limit=1) == ["open"]
