from __future__ import annotations

from sqlalchemy import func, select

from sharemarket.extensions import db
from sharemarket.geo import distance_km
from sharemarket.listings.models import Listing

DRILL = {
    "title": "Perceuse à percussion",
    "description": "Bosch PSB 500, avec mèches béton.",
    "category": "tools",
    "location": {"lat": 47.7486, "lng": -3.3667, "label": "Lorient gare"},
    "deposit_cents": 5000,
    "max_loan_days": 5,
}


def _count() -> int:
    return db.session.scalar(select(func.count(Listing.id)))


def test_publish_then_others_see_an_approximate_place(client, make_user, auth_header):
    owner = make_user(display_name="Maëlle")
    response = client.post("/api/v1/listings", json=DRILL, headers=auth_header(owner))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["owner"] == {"id": owner.id, "display_name": "Maëlle"}
    assert body["location"]["lat"] == 47.7486 and body["location_approximate"] is False
    assert body["deposit_cents"] == 5000 and body["currency"] == "EUR" and body["status"] == "active"

    anonymous = client.get(f"/api/v1/listings/{body['id']}")
    assert anonymous.status_code == 200
    shown = anonymous.json["location"]
    assert anonymous.json["location_approximate"] is True
    assert (shown["lat"], shown["lng"]) != (47.7486, -3.3667)
    assert 0 < distance_km(shown["lat"], shown["lng"], 47.7486, -3.3667) < 0.25
    assert "pickup_instructions" not in anonymous.json
    neighbour = make_user()
    seen = client.get(f"/api/v1/listings/{body['id']}", headers=auth_header(neighbour)).json
    assert seen["location"] == shown


def test_invalid_listing_fields_are_422_and_nothing_is_created(client, make_user, auth_header):
    header = auth_header(make_user())
    cases = [
        {**DRILL, "category": "weapons"},
        {**DRILL, "location": {"lat": 91, "lng": 0}},
        {**DRILL, "location": {"lat": 47, "lng": -181}},
        {**DRILL, "location": {"lat": "north", "lng": 0}},
        {**DRILL, "title": "   "},
        {**DRILL, "deposit_cents": -5},
        {**DRILL, "max_loan_days": 0},
        {key: value for key, value in DRILL.items() if key != "location"},
    ]
    for body in cases:
        response = client.post("/api/v1/listings", json=body, headers=header)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert response.json["errors"]
    assert _count() == 0
    assert client.post("/api/v1/listings", json=DRILL).status_code == 401


def test_categories_in_the_callers_language(client, make_user, auth_header):
    english = client.get("/api/v1/categories", headers={"Accept-Language": "en"}).json["results"]
    assert {"id": "tools", "label": "Tools"} in english
    assert [c["id"] for c in english][:2] == ["tools", "garden"]
    assert len(english) == 9
    french_user = make_user(locale="fr")
    french = client.get("/api/v1/categories", headers=auth_header(french_user)).json["results"]
    assert len(french) == 9


def test_only_the_owner_patches_and_deletes(client, make_user, auth_header, make_listing):
    owner = make_user()
    listing = make_listing(owner=owner)
    other = auth_header(make_user())
    assert client.patch(f"/api/v1/listings/{listing.id}", json={"title": "Mine now"}, headers=other).status_code == 403
    assert client.delete(f"/api/v1/listings/{listing.id}", headers=other).status_code == 403
    assert client.patch("/api/v1/listings/999999", json={"title": "x"}, headers=other).status_code == 404
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).title == "Perceuse à percussion"

    mine = auth_header(owner)
    response = client.patch(
        f"/api/v1/listings/{listing.id}", json={"title": "Visseuse", "status": "paused"}, headers=mine
    )
    assert response.status_code == 200
    assert response.json["title"] == "Visseuse" and response.json["status"] == "paused"
    response = client.patch(f"/api/v1/listings/{listing.id}", json={"max_loan_days": 500}, headers=mine)
    assert response.status_code == 422
    response = client.patch(f"/api/v1/listings/{listing.id}", json={"title": None}, headers=mine)
    assert response.status_code == 422
    assert client.delete(f"/api/v1/listings/{listing.id}", headers=mine).status_code == 204
    assert client.get(f"/api/v1/listings/{listing.id}").status_code == 404
    assert _count() == 0


def test_delete_archives_a_listing_with_history(client, make_user, auth_header, make_listing, today):
    owner = make_user()
    listing = make_listing(owner=owner)
    borrower = make_user()
    day = today.isoformat()
    response = client.post(
        f"/api/v1/listings/{listing.id}/bookings",
        json={"start_date": day, "end_date": day},
        headers=auth_header(borrower),
    )
    assert response.status_code == 201
    assert client.delete(f"/api/v1/listings/{listing.id}", headers=auth_header(owner)).status_code == 204
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "archived"
    # The borrower keeps seeing it (history); strangers do not; the request was declined.
    assert client.get(f"/api/v1/listings/{listing.id}", headers=auth_header(borrower)).status_code == 200
    assert client.get(f"/api/v1/listings/{listing.id}").status_code == 404
    booking = client.get(f"/api/v1/bookings/{response.json['id']}", headers=auth_header(borrower)).json
    assert booking["status"] == "declined"
    again = client.patch(f"/api/v1/listings/{listing.id}", json={"status": "active"}, headers=auth_header(owner))
    assert again.status_code == 409
