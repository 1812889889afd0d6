"""Bad calls get the standard's 400 (or 401 / 404 / 409 where it declares them) and change nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from sharemarket.bookings.models import Booking
from sharemarket.extensions import db
from sharemarket.interop.models import ExternalPassenger, InteropBooking
from tests.interop.conftest import HENNEBONT, booking_body, journey_query

PROTECTED = [
    ("GET", "/driver_journeys"),
    ("GET", "/driver_regular_trips"),
    ("POST", "/bookings"),
    ("GET", f"/bookings/{uuid.uuid4()}"),
    ("PATCH", f"/bookings/{uuid.uuid4()}?status=CANCELLED"),
    ("POST", "/messages"),
]


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("key", [None, "", "not-a-key", "x" * 500])
def test_a_missing_or_wrong_key_gets_401_before_anything_else(partner, method, path, key):
    response = partner._call(method, path, key=key)
    assert response.status_code == 401
    assert "error" in response.json


def test_a_revoked_key_no_longer_works(partner, app):
    from sharemarket.db import utcnow
    from sharemarket.interop import operators

    assert partner.get("/driver_journeys", query_string=journey_query()).status_code == 200
    operators.revoke_operator(name="partner.example", now=utcnow())
    db.session.commit()
    assert partner.get("/driver_journeys", query_string=journey_query()).status_code == 401


REQUIRED = ["departureLat", "departureLng", "arrivalLat", "arrivalLng", "departureDate"]


@pytest.mark.parametrize("missing", REQUIRED)
def test_journeys_need_every_required_parameter(partner, missing):
    query = journey_query()
    del query[missing]
    response = partner.get("/driver_journeys", query_string=query)
    assert response.status_code == 400
    assert missing in response.json["error"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("departureLat", "north"),
        ("departureLat", "91"),
        ("departureLng", "-180.5"),
        ("arrivalLat", "nan"),
        ("arrivalLng", "inf"),
        ("departureDate", "tomorrow"),
        ("departureDate", "1796280300.5"),
        ("departureDate", "-1"),
        ("departureDate", "99999999999"),
        ("timeDelta", "-60"),
        ("timeDelta", "3000000"),
        ("departureRadius", "0"),
        ("arrivalRadius", "-1"),
        ("arrivalRadius", "1000"),
        ("count", "0"),
        ("count", "many"),
    ],
)
def test_journeys_refuse_wrong_types_and_out_of_range_values(partner, name, value):
    response = partner.get("/driver_journeys", query_string=journey_query(**{name: value}))
    assert response.status_code == 400
    assert name in response.json["error"]


def test_journeys_from_a_place_to_itself_are_a_bad_request(partner):
    response = partner.get("/driver_journeys", query_string=journey_query(destination=HENNEBONT))
    assert response.status_code == 400 and "destination" in response.json["error"]


def _trip_query(**overrides):
    query = {k: v for k, v in journey_query().items() if k != "departureDate"}
    query.update({"departureTimeOfDay": "07:45:00", **overrides})
    return query


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"departureTimeOfDay": None}, "departureTimeOfDay"),
        ({"departureTimeOfDay": "25:00:00"}, "departureTimeOfDay"),
        ({"departureTimeOfDay": "quarter to eight"}, "departureTimeOfDay"),
        ({"departureWeekdays": "MON,FUNDAY"}, "departureWeekdays"),
        ({"timeDelta": "50000"}, "timeDelta"),
        ({"minDepartureDate": "1796280300", "maxDepartureDate": "1796200000"}, "maxDepartureDate"),
        ({"minDepartureDate": "soon"}, "minDepartureDate"),
        ({"arrivalLng": "200"}, "arrivalLng"),
    ],
)
def test_regular_trips_refuse_bad_parameters(partner, overrides, named):
    query = {k: v for k, v in _trip_query(**overrides).items() if v is not None}
    response = partner.get("/driver_regular_trips", query_string=query)
    assert response.status_code == 400
    assert named in response.json["error"]


@pytest.fixture
def journey(partner, commute):
    [found] = partner.get("/driver_journeys", query_string=journey_query()).json
    return found


def _nothing_booked():
    assert (_count(InteropBooking), _count(Booking), _count(ExternalPassenger)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"status": "CONFIRMED"}, "status"),
        ({"status": "MAYBE"}, "status"),
        ({"passenger": {"id": "p-1", "operator": "partner.example"}}, "passenger.alias"),
        ({"passenger": {"id": 42, "operator": "partner.example", "alias": "N"}}, "passenger.id"),
        ({"passengerPickupLat": 123.0}, "passengerPickupLat"),
        ({"passengerDropLng": "east"}, "passengerDropLng"),
        ({"price": "cheap"}, "price"),
        ({"driverJourneyId": None}, "driverJourneyId"),
        ({"driverJourneyId": "999999-20261203"}, "missing_journey"),
        ({"driverJourneyId": "nonsense"}, "missing_journey"),
        ({"driver": {"id": "777", "operator": "127.0.0.1", "alias": "Someone"}}, "driver"),
        ({"driver": {"id": "1", "operator": "elsewhere.example", "alias": "Gaël"}}, "driver"),
        ({"passengerPickupLat": 48.1173, "passengerPickupLng": -1.6778}, "pickup"),  # Rennes: far off the way
    ],
)
def test_a_bad_booking_is_a_400_and_books_nothing(partner, journey, change, named):
    body = booking_body(journey)
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    response = partner.post("/bookings", json=body)
    assert response.status_code == 400, response.json
    assert named in response.json["error"]
    _nothing_booked()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ("id=1", "application/x-www-form-urlencoded")],
)
def test_a_booking_body_that_is_not_a_json_object_is_a_400(partner, journey, data, content_type):
    response = partner.post("/bookings", data=data, content_type=content_type)
    assert response.status_code == 400 and response.json["error"]
    _nothing_booked()


def test_the_same_booking_id_twice_is_refused(partner, journey):
    body = booking_body(journey)
    assert partner.post("/bookings", json=body).status_code == 201
    again = partner.post("/bookings", json={**body, "passenger": {**body["passenger"], "id": "p-43"}})
    assert again.status_code == 400 and "already exists" in again.json["error"]
    assert (_count(InteropBooking), _count(Booking), _count(ExternalPassenger)) == (1, 1, 1)


def test_unknown_and_malformed_booking_ids(partner):
    assert partner.get(f"/bookings/{uuid.uuid4()}").json == {"error": "missing_booking"}
    assert partner.get(f"/bookings/{uuid.uuid4()}").status_code == 404
    assert partner.get("/bookings/42").status_code == 400
    assert partner.patch(f"/bookings/{uuid.uuid4()}", query_string={"status": "CANCELLED"}).status_code == 404
    assert partner.patch("/bookings/42", query_string={"status": "CANCELLED"}).status_code == 400


@pytest.mark.parametrize(
    "query", [{}, {"status": "DONE"}, {"status": "CANCELLED", "message": "x" * 501}, {"status": "cancelled"}]
)
def test_a_patch_needs_a_known_status_and_a_short_message(partner, journey, query):
    body = booking_body(journey)
    partner.post("/bookings", json=body)
    response = partner.patch(f"/bookings/{body['id']}", query_string=query)
    assert response.status_code == 400
    assert partner.get(f"/bookings/{body['id']}").json["status"] == "WAITING_CONFIRMATION"


def test_another_operators_booking_is_unknown(partner, journey, client, app):
    from sharemarket.db import utcnow
    from sharemarket.interop import operators
    from tests.interop.conftest import InteropClient

    body = booking_body(journey)
    partner.post("/bookings", json=body)
    _other, key = operators.add_operator(name="other.example", now=utcnow())
    db.session.commit()
    other = InteropClient(client, key)
    assert other.get(f"/bookings/{body['id']}").status_code == 404
    assert other.patch(f"/bookings/{body['id']}", query_string={"status": "CANCELLED"}).status_code == 404
    assert partner.get(f"/bookings/{body['id']}").json["status"] == "WAITING_CONFIRMATION"


def _message(commute, **overrides):
    body = {
        "from": {"id": "p-42", "operator": "partner.example", "alias": "Nolwenn"},
        "to": {"id": str(commute.driver_id), "operator": "127.0.0.1", "alias": "Gaël"},
        "message": "Bonjour, je peux vous attendre au rond-point ?",
        "recipientCarpoolerType": "DRIVER",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "status", "named"),
    [
        ({"message": ""}, 400, "message"),
        ({"message": "x" * 501}, 400, "message"),
        ({"from": None}, 400, "from"),
        ({"recipientCarpoolerType": "COPILOT"}, 400, "recipientCarpoolerType"),
        ({"bookingId": "12"}, 400, "bookingId"),
        ({"to": {"id": "999999", "operator": "127.0.0.1", "alias": "X"}}, 404, "missing_user"),
        ({"to": {"id": "1", "operator": "elsewhere.example", "alias": "X"}}, 404, "missing_user"),
        ({"driverJourneyId": "999999-20261203"}, 404, "missing_journey"),
        ({"passengerJourneyId": "p-journey-1"}, 404, "missing_journey"),
        ({"bookingId": str(uuid.uuid4())}, 404, "missing_booking"),
    ],
)
def test_a_bad_message_is_refused_and_nobody_is_told(partner, commute, overrides, status, named):
    from sharemarket.notifications.models import Notification

    body = {k: v for k, v in _message(commute, **overrides).items() if v is not None}
    response = partner.post("/messages", json=body)
    assert response.status_code == status
    assert named in response.json["error"]
    assert _count(Notification) == 0
