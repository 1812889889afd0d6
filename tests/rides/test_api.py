import importlib
import random
from datetime import datetime, time, timedelta
from unittest.mock import patch
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import event, func, select, update

from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import schemas, search
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
from sharemarket.rides.privacy import shown_place

PARIS = ZoneInfo("Europe/Paris")
HENNEBONT = {"lat": 47.8050, "lng": -3.2770, "label": "Hennebont"}
VANNES = {"lat": 47.6582, "lng": -2.7608, "label": "Vannes"}
COMMUTE = {"weekdays": [0, 1, 2, 3, 4], "time": "07:45"}


def _next_working_day():
    day = datetime.now(PARIS).date() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _offer(client, headers, **overrides):
    body = {"origin": HENNEBONT, "destination": VANNES, "seats": 3, "recurrence": COMMUTE}
    body.update(overrides)
    return client.post("/api/v1/rides", json=body, headers=headers)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_done_when_a_hennebont_commuter_takes_a_lanester_neighbour_to_vannes(
    client, make_user, auth_header, carpool_areas
):
    driver = make_user(display_name="Gaël Jaffré")
    neighbour = make_user(display_name="Erwan Le Bihan")
    as_driver, as_neighbour = auth_header(driver), auth_header(neighbour)

    offered = _offer(client, as_driver)
    assert offered.status_code == 201, offered.json
    ride = offered.json
    assert ride["recurrence"]["weekdays"] == [0, 1, 2, 3, 4] and ride["recurrence"]["time"] == "07:45"
    assert ride["seats"] == 3 and ride["price_cents"] > 0 and ride["departure_at"].endswith("Z")

    day = _next_working_day()
    window = {
        "from": "47.7614,-3.3419",
        "to": "47.6582,-2.7608",
        "depart_after": datetime.combine(day, time(7, 30), tzinfo=PARIS).isoformat(),
        "depart_before": datetime.combine(day, time(8, 30), tzinfo=PARIS).isoformat(),
        "seats": 1,
    }
    found = client.get("/api/v1/rides/search", query_string=window)
    assert found.status_code == 200, found.json
    assert found.json["next"] is None
    [result] = found.json["results"]
    assert result["ride"]["id"] == ride["id"]
    assert result["departure_at"] == datetime.combine(day, time(7, 45), tzinfo=PARIS).astimezone(
        ZoneInfo("UTC")
    ).isoformat().replace("+00:00", "Z")
    assert result["pickup_at"] > result["departure_at"]
    assert 0 < result["detour_km"] <= 10
    area = result["pickup_meeting_point"]
    assert area["name"] == "Aire de covoiturage de Kergo-Kernous" and area["source"].startswith("Base Nationale")
    assert result["pickup_km"] == pytest.approx(4.1, abs=0.1) and result["dropoff_km"] == 0
    assert result["nearest_meeting_point_from"]["town"] == "LANESTER"
    assert result["ride"]["origin"] != HENNEBONT  # strangers see the start within 200 m

    asked = client.post(
        f"/api/v1/rides/{ride['id']}/bookings",
        json={"seats": 1, "date": result["date"], "pickup": result["pickup"], "dropoff": result["dropoff"]},
        headers=as_neighbour,
    )
    assert asked.status_code == 201, asked.json
    booking = asked.json
    assert booking["status"] == "requested" and booking["kind"] == "seat"
    assert (booking["ride_id"], booking["seats"], booking["date"]) == (ride["id"], 1, day.isoformat())
    assert booking["pickup"]["label"] == "Aire de covoiturage de Kergo-Kernous"

    accepted = client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=as_driver)
    assert accepted.status_code == 200 and accepted.json["status"] == "confirmed"

    mine = client.get("/api/v1/bookings", headers=as_neighbour).json["results"]
    handled = client.get("/api/v1/bookings?role=to_handle", headers=as_driver).json["results"]
    assert [(b["id"], b["status"]) for b in mine] == [(booking["id"], "confirmed")]
    assert [(b["id"], b["status"]) for b in handled] == [(booking["id"], "confirmed")]
    assert mine[0]["driver"]["display_name"] == "Gaël Jaffré"
    occurrences = client.get(f"/api/v1/rides/{ride['id']}/occurrences?limit=10").json["results"]
    assert {o["date"]: o["seats_left"] for o in occurrences}[day.isoformat()] == 2
    seen = client.get(f"/api/v1/rides/{ride['id']}", headers=as_neighbour).json
    assert (seen["origin"]["lat"], seen["origin"]["lng"]) == (HENNEBONT["lat"], HENNEBONT["lng"])  # a passenger now
    feed = client.get(urlsplit(client.get("/api/v1/me/calendar", headers=as_neighbour).json["url"]).path)
    assert feed.status_code == 200
    [event] = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ride Hennebont → Vannes" and str(event["STATUS"]) == "CONFIRMED"


def test_one_off_ride_booking_without_date(client, make_user, auth_header):
    driver, passenger = make_user(), make_user()
    leaves = (datetime.now(PARIS) + timedelta(days=3)).replace(microsecond=0)
    ride = _offer(client, auth_header(driver), recurrence=None, departure_at=leaves.isoformat(), seats=2).json
    assert ride["recurrence"] is None
    booking = client.post(f"/api/v1/rides/{ride['id']}/bookings", json={"seats": 2}, headers=auth_header(passenger))
    assert booking.status_code == 201
    assert booking.json["date"] == leaves.date().isoformat()
    # before confirmation the default pick-up, the driver's own start, stays approximate
    assert booking.json["pickup"]["lat"] != HENNEBONT["lat"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"destination": HENNEBONT}, "destination"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"max_detour_km": -1}, "max_detour_km"),
        ({"max_detour_km": 1000}, "max_detour_km"),
        ({"origin": {"lat": 91, "lng": 0}}, "origin.lat"),
        ({"origin": {"lat": 47, "lng": -181}}, "origin.lng"),
        ({"recurrence": {"weekdays": [0, 7], "time": "07:45"}}, "recurrence.weekdays.1"),
        ({"recurrence": {"weekdays": [-1], "time": "07:45"}}, "recurrence.weekdays.0"),
        ({"recurrence": {"weekdays": [0], "time": "7h45"}}, "recurrence.time"),
        ({"recurrence": {"weekdays": [0], "time": "07:45", "from": "2020-01-01"}}, "recurrence.from"),
        (
            {"recurrence": {"weekdays": [0], "time": "07:45", "from": "2030-01-10", "until": "2030-01-01"}},
            "recurrence.until",
        ),
        ({"recurrence": None, "departure_at": "2020-01-01T08:00:00+01:00"}, "departure_at"),
        ({"recurrence": None, "departure_at": "2030-01-01T08:00:00"}, "departure_at"),
        ({"recurrence": None}, "departure_at"),
        ({"price_cents": 100000}, "price_cents"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"preferences": {"luggage": "piano"}}, "preferences.luggage"),
    ],
)
def test_bad_offers_are_422_and_change_nothing(client, make_user, auth_header, overrides, field):
    response = _offer(client, auth_header(make_user()), **overrides)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert _count(Ride) == 0 and _count(RideOccurrence) == 0


def test_offering_needs_a_token_and_json(client, make_user, auth_header):
    assert _offer(client, {}).status_code == 401
    response = client.post("/api/v1/rides", data="seats=3", headers=auth_header(make_user()))
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "47.7614,-3.3419", "to": "47.7614,-3.3419"}, "to"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"from": "95,-3.3"}, "from"),
        ({"to": "47.6,-200"}, "to"),
        ({"to": "Vannes"}, "to"),
        ({"depart_before": "2030-01-01T06:00:00+01:00"}, "depart_before"),
        ({"depart_before": "2030-01-09T08:00:00+01:00"}, "depart_before"),
        ({"depart_after": "2030-01-01T07:00:00"}, "depart_after"),
        ({"from": None}, "from"),
    ],
)
def test_bad_searches_are_422(client, params, field):
    query = {
        "from": "47.7614,-3.3419",
        "to": "47.6582,-2.7608",
        "depart_after": "2030-01-01T07:00:00+01:00",
        "depart_before": "2030-01-01T09:00:00+01:00",
    }
    query.update(params)
    query = {k: v for k, v in query.items() if v is not None}
    response = client.get("/api/v1/rides/search", query_string=query)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


def test_search_takes_an_offset_whose_plus_became_a_space(client):
    response = client.get(
        "/api/v1/rides/search?from=47.76,-3.34&to=47.65,-2.76"
        "&depart_after=2030-01-01T07:00:00 01:00&depart_before=2030-01-01T09:00:00 01:00"
    )
    assert response.status_code == 200 and response.json == {"results": [], "next": None}


def test_search_pages_with_a_cursor(client, make_user, auth_header):
    headers = auth_header(make_user())
    for minutes in (0, 10, 20):
        _offer(client, headers, recurrence={"weekdays": [0, 1, 2, 3, 4, 5, 6], "time": f"07:{minutes:02d}"})
    day = datetime.now(PARIS).date() + timedelta(days=1)
    query = {
        "from": "47.8050,-3.2770",
        "to": "47.6582,-2.7608",
        "depart_after": datetime.combine(day, time(6, 0), tzinfo=PARIS).isoformat(),
        "depart_before": datetime.combine(day, time(9, 0), tzinfo=PARIS).isoformat(),
        "limit": 2,
    }
    first = client.get("/api/v1/rides/search", query_string=query).json
    assert len(first["results"]) == 2 and first["next"]
    second = client.get("/api/v1/rides/search", query_string={**query, "cursor": first["next"]}).json
    assert len(second["results"]) == 1 and second["next"] is None
    departures = [r["departure_at"] for r in first["results"] + second["results"]]
    assert departures == sorted(departures)
    bad = client.get("/api/v1/rides/search", query_string={**query, "cursor": "forged.000000000000"})
    assert bad.status_code == 422


def test_a_search_costs_three_queries_however_many_rides_it_finds(client, make_user, auth_header, carpool_areas):
    """The carpool areas near both ends, the candidates, the page's rides and drivers: no query
    per result."""
    for minutes in (0, 10, 20, 30):
        _offer(client, auth_header(make_user()), recurrence={"weekdays": [0, 1, 2, 3, 4], "time": f"07:{minutes:02d}"})
    day = _next_working_day()
    query = {
        "from": "47.7614,-3.3419",
        "to": "47.6582,-2.7608",
        "depart_after": datetime.combine(day, time(6, 30), tzinfo=PARIS).isoformat(),
        "depart_before": datetime.combine(day, time(8, 0), tzinfo=PARIS).isoformat(),
    }
    statements = []
    connection = db.session.get_bind()
    driver_module = importlib.import_module("sharemarket.db")  # `sharemarket.db` is the extension
    run_by_the_driver = driver_module._driver_execute

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    def by_the_driver(statement, values):  # `db.driver_rows` and `driver_records`: SQLAlchemy's events do not see them
        statements.append(str(statement))
        return run_by_the_driver(statement, values)

    event.listen(connection, "before_cursor_execute", count)
    try:
        with patch.object(driver_module, "_driver_execute", by_the_driver):
            found = client.get("/api/v1/rides/search", query_string=query)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert found.status_code == 200 and len(found.json["results"]) == 4
    assert len({r["ride"]["driver"]["id"] for r in found.json["results"]}) == 4
    assert len(statements) == 3, statements


def test_a_search_ends_its_read_with_commit(client):
    """Not with the ROLLBACK of the session's close: psycopg forgets its prepared statements on a
    rollback, and PostgreSQL would plan the candidates' query again on every search."""
    commits = []

    def committed(session):
        commits.append(session)

    event.listen(db.session.registry().__class__, "after_commit", committed)
    try:
        found = client.get("/api/v1/rides/search", query_string={"from": "47.7614,-3.3419", "to": "47.6582,-2.7608"})
    finally:
        event.remove(db.session.registry().__class__, "after_commit", committed)
    assert found.status_code == 200
    assert commits


def test_seat_requests_bad_input(client, make_user, auth_header):
    driver, passenger = make_user(), make_user()
    as_passenger = auth_header(passenger)
    ride = _offer(client, auth_header(driver)).json
    url = f"/api/v1/rides/{ride['id']}/bookings"
    day = _next_working_day().isoformat()
    saturday = _next_working_day()
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    assert client.post(url, json={"seats": 4, "date": day}, headers=as_passenger).status_code == 422
    assert client.post(url, json={"seats": 0, "date": day}, headers=as_passenger).status_code == 422
    no_day = client.post(url, json={"seats": 1, "date": saturday.isoformat()}, headers=as_passenger)
    assert no_day.status_code == 422 and "date" in no_day.json["errors"]
    assert client.post(url, json={"seats": 1}, headers=as_passenger).status_code == 422
    assert client.post(url, json={"seats": 1, "date": "2020-01-06"}, headers=as_passenger).status_code == 422
    far = {"seats": 1, "date": day, "pickup": {"lat": 48.39, "lng": -4.48, "label": "Brest"}}
    assert client.post(url, json=far, headers=as_passenger).status_code == 422
    assert client.post(url, json={"seats": 1, "date": day}, headers=auth_header(driver)).status_code == 403
    assert client.post("/api/v1/rides/999999/bookings", json={"seats": 1}, headers=as_passenger).status_code == 404
    assert client.post(url, json={"seats": 1, "date": day}).status_code == 401
    assert _count(SeatBooking) == 0
    assert client.post(url, json={"seats": 3, "date": day}, headers=as_passenger).status_code == 201
    other = auth_header(make_user())
    first = client.get("/api/v1/bookings", headers=as_passenger).json["results"][0]
    assert client.post(f"/api/v1/bookings/{first['id']}/approve", headers=auth_header(driver)).status_code == 200
    full = client.post(url, json={"seats": 1, "date": day}, headers=other)
    assert full.status_code == 409
    assert client.get(f"/api/v1/bookings/{first['id']}", headers=other).status_code == 404


def test_cancel_a_day_and_the_ride(client, make_user, auth_header):
    driver = make_user()
    headers = auth_header(driver)
    ride = _offer(client, headers).json
    day = _next_working_day().isoformat()
    assert (
        client.post(
            f"/api/v1/rides/{ride['id']}/occurrences/{day}/cancel", headers=auth_header(make_user())
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/rides/{ride['id']}/occurrences/not-a-day/cancel", headers=headers).status_code == 422
    cancelled = client.post(f"/api/v1/rides/{ride['id']}/occurrences/{day}/cancel", headers=headers)
    assert cancelled.status_code == 200 and day in cancelled.json["recurrence"]["skip"]
    withdrawn = client.post(f"/api/v1/rides/{ride['id']}/cancel", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "cancelled"
    assert client.post(f"/api/v1/rides/{ride['id']}/cancel", headers=headers).status_code == 409
    assert client.get("/api/v1/rides/999999").status_code == 404


def test_meeting_points_near_a_place(client, carpool_areas):
    response = client.get("/api/v1/meeting-points?near=47.7614,-3.3419&radius_km=5")
    assert response.status_code == 200
    names = [p["name"] for p in response.json["results"]]
    assert names[0] == "Aire de covoiturage de Géant"
    distances = [p["distance_km"] for p in response.json["results"]]
    assert distances == sorted(distances) and distances[-1] <= 5
    assert client.get("/api/v1/meeting-points?near=north").status_code == 422
    assert client.get("/api/v1/meeting-points?near=47,-3&radius_km=-1").status_code == 422


def test_the_rides_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/rides", "/rides/search", "/rides/{ride_id}/bookings", "/meeting-points"} <= set(paths)
    params = {p["name"] for p in paths["/rides/search"]["get"]["parameters"]}
    assert {"from", "to", "depart_after", "depart_before", "seats"} <= params


def test_a_rides_places_in_json_are_those_shown_to_a_stranger_or_to_its_people():
    rng = random.Random(5)
    for n in range(300):
        lat, lng = rng.uniform(-89, 89), rng.uniform(-180, 180)
        label, exact = rng.choice([None, "", "Gare de Lorient"]), n % 3 == 0
        expected = shown_place(Place(lat, lng, label), n, exact).as_dict()
        assert schemas._place_json(lat, lng, label, n, exact) == expected


def test_a_search_reads_without_a_transaction_on_postgresql(live_app):
    """`reads_only`: on PostgreSQL the search's statements run in autocommit (no BEGIN and
    COMMIT round trips), for a stranger and for a member alike; the pooled connection goes back
    to transactions for the next request, which still rolls back what it does not commit."""
    from sharemarket.accounts import services as accounts
    from sharemarket.db import utcnow
    from sharemarket.rides import services

    with live_app.app_context():
        now = utcnow()
        driver = accounts.register_user(email="d@example.org", password="long enough pw", display_name="D", now=now)
        passenger = accounts.register_user(email="p@example.org", password="long enough pw", display_name="P", now=now)
        leaves = now + timedelta(days=1)
        services.publish_ride(
            driver=driver, origin=Place(**HENNEBONT), destination=Place(**VANNES), seats=3, departure_at=leaves, now=now
        )
        raw, _ = accounts.issue_token(user=passenger, now=now)
        db.session.commit()
        postgres = db.engine.dialect.name == "postgresql"
    query = {
        "from": "47.7614,-3.3419",
        "to": "47.6582,-2.7608",
        "depart_after": (leaves - timedelta(hours=1)).isoformat(),
        "depart_before": (leaves + timedelta(hours=1)).isoformat(),
    }
    seen = []
    real_search = search.search

    def watched(**kwargs):
        seen.append(getattr(db.session.connection().connection.driver_connection, "autocommit", None) is True)
        return real_search(**kwargs)

    client = live_app.test_client()
    with patch.object(search, "search", watched):
        for headers in ({}, {"Authorization": f"Bearer {raw}"}):
            found = client.get("/api/v1/rides/search", query_string=query, headers=headers)
            assert found.status_code == 200 and len(found.json["results"]) == 1
    assert seen == [postgres, postgres]
    with live_app.app_context():
        assert getattr(db.session.connection().connection.driver_connection, "autocommit", False) is False
        db.session.execute(update(Ride).values(note="not kept"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).where(Ride.note == "not kept")) == 0
