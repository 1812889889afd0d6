"""The partner's journey end to end: find the Hennebont → Vannes commute, book, driver accepts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from sharemarket.db import utcnow
from sharemarket.geo import Place
from sharemarket.interop import journeys, rules
from sharemarket.rides.rules import Recurrence
from tests.interop.conftest import LANESTER, OPERATOR, PARIS, at, booking_body, journey_query, next_working_day
from tests.rides.conftest import HENNEBONT, VANNES


def test_an_operator_finds_books_and_follows_the_hennebont_commute(
    client, app, partner, commute, carpool_areas, auth_header
):
    # 1. A partner's passenger looks for a ride Hennebont → Vannes tomorrow (a working day) at 07:45.
    day = next_working_day()
    found = partner.get("/driver_journeys", query_string=journey_query())
    assert found.status_code == 200, found.json
    [journey] = found.json
    assert journey["id"] == rules.journey_id(commute.id, day)
    assert journey["operator"] == "127.0.0.1" == journey["driver"]["operator"]
    assert journey["driver"] == {"id": str(commute.driver_id), "operator": "127.0.0.1", "alias": "Gaël"}
    assert journey["type"] == "PLANNED"
    departs = datetime.combine(day, time(7, 45), tzinfo=PARIS)
    assert journey["driverDepartureDate"] == rules.unix(departs)
    assert 0 <= journey["passengerPickupDate"] - journey["driverDepartureDate"] < 120  # picked up at the start
    assert journey["availableSeats"] == 3
    assert journey["price"] == {"type": "PAYING", "amount": commute.price_cents / 100, "currency": "EUR"}
    assert journey["distance"] == pytest.approx(commute.distance_km * 1.3 * 1000, rel=0.01)  # metres
    assert 2400 < journey["duration"] < 3600  # seconds: ~47 km at 60 km/h on roads
    assert journey["webUrl"] == f"http://127.0.0.1:5000/rides/{commute.id}?date={day.isoformat()}"
    assert journey["preferences"]["luggageSize"] == 3 and journey["preferences"]["smoking"] is False
    assert "departureToPickupWalkingDistance" not in journey  # at the passenger's door
    # Strangers see the driver's start within about 200 m, never exactly.
    assert (journey["driverDepartureLat"], journey["driverDepartureLng"]) != (commute.origin_lat, commute.origin_lng)

    # 2. The same ride as a regular trip: weekdays at about 07:45, with the days found this week.
    trips = partner.get(
        "/driver_regular_trips",
        query_string={
            **{k: v for k, v in journey_query().items() if k != "departureDate"},
            "departureTimeOfDay": "07:45:00",
            "departureWeekdays": "MON,TUE,WED,THU,FRI",
        },
    )
    assert trips.status_code == 200, trips.json
    [trip] = trips.json
    assert trip["driver"]["alias"] == "Gaël"
    assert [s["passengerPickupDay"] for s in trip["schedules"]] == ["MON", "TUE", "WED", "THU", "FRI"]
    assert {s["passengerPickupTimeOfDay"][:5] for s in trip["schedules"]} == {"07:45"}
    days = [j["id"] for s in trip["schedules"] for j in s["journeySchedules"]]
    assert rules.journey_id(commute.id, day) in days and len(days) == 5

    # 3. The partner books a seat: a request our driver must answer.
    body = booking_body(journey)
    booked = partner.post("/bookings", json=body)
    assert booked.status_code == 201, booked.json
    assert booked.json["id"] == body["id"] and booked.json["status"] == "WAITING_CONFIRMATION"
    assert booked.json["passenger"] == body["passenger"]
    assert booked.json["passengerPickupDate"] == journey["passengerPickupDate"]
    assert booked.json["driverJourneyId"] == journey["id"]

    # 4. Our driver sees the request in our own API, from "Nolwenn · partner.example", and accepts it.
    as_driver = auth_header(commute.driver)
    pending = client.get("/api/v1/bookings", query_string={"role": "to_handle"}, headers=as_driver)
    [request] = pending.json["results"]
    assert request["status"] == "requested" and request["user"]["display_name"] == f"Nolwenn · {OPERATOR}"
    assert request["date"] == day.isoformat() and request["seats"] == 1
    accepted = client.post(f"/api/v1/bookings/{request['id']}/approve", headers=as_driver)
    assert accepted.status_code == 200 and accepted.json["status"] == "confirmed"

    # 5. The partner sees it confirmed, and the seat is gone from the journey.
    followed = partner.get(f"/bookings/{body['id']}")
    assert followed.status_code == 200
    assert followed.json["status"] == "CONFIRMED"
    again = partner.get("/driver_journeys", query_string=journey_query())
    assert again.json[0]["availableSeats"] == 2


def test_a_meeting_point_within_the_radius_is_shown_with_the_walk(partner, commute, carpool_areas):
    """From Lanester the driver prefers the Kergo-Kernous carpool area, 4.1 km away: shown when
    the partner's radius reaches it, with the walk; beyond it, the passenger's own point."""
    wide = partner.get("/driver_journeys", query_string=journey_query(origin=LANESTER, departureRadius=5))
    assert wide.status_code == 200
    [journey] = wide.json
    assert journey["passengerPickupAddress"] == "Aire de covoiturage de Kergo-Kernous"
    assert journey["departureToPickupWalkingDistance"] == pytest.approx(4100, abs=150)
    assert journey["departureToPickupWalkingDuration"] == pytest.approx(4100 / 5000 * 3600, rel=0.05)

    # Within 1 km: the driver's 10 km detour also allows Lanester itself, so the door it is.
    narrow = partner.get("/driver_journeys", query_string=journey_query(origin=LANESTER, departureRadius=1))
    assert narrow.status_code == 200
    [door] = narrow.json
    assert (door["passengerPickupLat"], door["passengerPickupLng"]) == (LANESTER.lat, LANESTER.lng)
    assert "departureToPickupWalkingDistance" not in door and "passengerPickupAddress" not in door
    assert door["passengerPickupDate"] > journey["passengerPickupDate"]  # Lanester is farther from Hennebont


def test_the_pickup_time_window_and_count_narrow_the_journeys(partner, make_ride, make_user, carpool_areas):
    for hour, minute in ((7, 0), (7, 45), (9, 30)):
        make_ride(
            driver=make_user(display_name=f"Driver {hour}{minute}"),
            now=utcnow(),
            recurrence=Recurrence((0, 1, 2, 3, 4), time(hour, minute), None),
        )
    day = next_working_day()
    around = partner.get("/driver_journeys", query_string=journey_query(departureDate=at(day, 7, 40), timeDelta=900))
    assert [j["driver"]["alias"] for j in around.json] == ["Driver 745"]
    wide = partner.get("/driver_journeys", query_string=journey_query(departureDate=at(day, 8, 0), timeDelta=7200))
    assert [j["driver"]["alias"] for j in wide.json] == ["Driver 745", "Driver 70", "Driver 930"]
    assert len(partner.get("/driver_journeys", query_string=journey_query(timeDelta=7200, count=1)).json) == 1


@pytest.mark.parametrize("local_hour", [6, 9, 20])
def test_a_weekday_commute_is_found_on_five_days_whatever_the_hour_of_the_search(app, make_ride, make_user, local_hour):
    """The week looked over runs from the search's instant to the same instant seven days on: after
    today's 07:45 departure has left, next week's same day takes its place."""
    now = datetime(2026, 12, 2, local_hour, 0, tzinfo=PARIS)  # a Wednesday
    make_ride(driver=make_user(display_name="Gaël"), now=now - timedelta(days=1))
    [trip] = journeys.driver_regular_trips(
        origin=Place(HENNEBONT.lat, HENNEBONT.lng),
        destination=Place(VANNES.lat, VANNES.lng),
        time_of_day=time(7, 45),
        weekdays=(0, 1, 2, 3, 4),
        time_delta=timedelta(minutes=30),
        radii=(1.0, 1.0),
        now=now,
    )
    days = [journey.pickup_at.astimezone(PARIS).date() for journey in trip.journeys]
    assert sorted(d.weekday() for d in days) == [0, 1, 2, 3, 4]
    assert all(now <= j.pickup_at < now + timedelta(days=7) for j in trip.journeys)
