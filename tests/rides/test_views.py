from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sharemarket.bookings import services as bookings
from sharemarket.extensions import db
from sharemarket.rides import jobs, rules, seats, services
from sharemarket.rides.models import Ride, SeatBooking
from tests.rides.conftest import HENNEBONT, VANNES, WEEKDAYS

PARIS = ZoneInfo("Europe/Paris")


def _working_day():
    day = datetime.now(PARIS).date() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _commute(driver, detour=10.0, seats=3):
    now = datetime.now(PARIS)
    ride = services.publish_ride(
        driver=driver,
        origin=HENNEBONT,
        destination=VANNES,
        seats=seats,
        max_detour_km=detour,
        recurrence=rules.Recurrence(WEEKDAYS, rules.parse_local_time("07:45"), None),
        now=now,
    )
    db.session.commit()
    return ride


def test_find_a_ride_is_in_the_main_navigation(client):
    page = client.get("/")
    assert 'href="/rides"' in page.get_data(as_text=True)


def test_search_page_lists_rides_with_detour_and_carpool_area(client, make_user, carpool_areas):
    ride = _commute(make_user(display_name="Gaël"))
    day = _working_day()
    page = client.get(
        "/rides",
        query_string={
            "from_label": "Lanester",
            "to_label": "Vannes",
            "day": day.isoformat(),
            "time_from": "07:30",
            "time_to": "08:30",
            "seats": "1",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 ride found" in html and f"/rides/{ride.id}?date={day.isoformat()}" in html
    assert "Aire de covoiturage de Kergo-Kernous" in html
    assert "Carpool area nearest your start: Aire de covoiturage de Géant" in html
    assert "Base Nationale des Lieux de Covoiturage, transport.data.gouv.fr, ODbL" in html
    assert 'data-line="' in html and 'id="ride-results"' in html


def test_search_page_shows_errors_beside_the_fields(client):
    page = client.get("/rides?from_label=Lanester&to_label=Lanester&day=2030-01-02&time_from=07:00&time_to=08:00")
    assert page.status_code == 422
    assert "The destination must differ from the start." in page.get_data(as_text=True)
    unknown = client.get("/rides?from_label=Atlantis&to_label=Vannes")
    assert unknown.status_code == 422 and "We do not know the place" in unknown.get_data(as_text=True)


def test_offer_a_weekly_commute_through_the_form(client, make_user, login):
    driver = make_user()
    assert client.get("/rides/new").status_code == 302
    login(driver)
    assert client.get("/rides/new").status_code == 200
    form = {
        "origin_label": "Hennebont",
        "destination_label": "Vannes",
        "kind": "weekly",
        "weekdays": ["0", "1", "2", "3", "4"],
        "commute_time": "07:45",
        "skip_dates": "2030-12-25",
        "seats": "3",
        "max_detour_km": "10",
        "luggage": "small",
        "music": "y",
    }
    preview = client.post("/rides/new", data={**form, "preview": "1"})
    assert preview.status_code == 200 and "we suggest" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Ride.id)) is None
    published = client.post("/rides/new", data={**form, "publish": "1"})
    assert published.status_code == 302
    ride = db.session.scalar(select(Ride))
    assert published.headers["Location"].endswith(f"/rides/{ride.id}")
    assert (ride.weekdays, ride.local_time, ride.luggage, ride.skip_dates) == (
        [0, 1, 2, 3, 4],
        "07:45",
        "small",
        ["2030-12-25"],
    )
    assert ride.music and not ride.talkative and ride.origin_label == "Hennebont"
    detail = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "Every Mon, Tue, Wed, Thu, Fri at 07:45" in detail and "I do not drive that day" in detail


def test_offer_form_errors_change_nothing(client, make_user, login):
    login(make_user())
    page = client.post(
        "/rides/new",
        data={
            "origin_label": "Hennebont",
            "destination_label": "Hennebont",
            "kind": "weekly",
            "commute_time": "07:45",
            "seats": "3",
            "max_detour_km": "10",
            "luggage": "medium",
            "publish": "1",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "The destination must differ from the origin." in html
    assert "Choose weekdays" in html
    once = client.post(
        "/rides/new",
        data={
            "origin_label": "Hennebont",
            "destination_label": "Vannes",
            "kind": "once",
            "departure_date": "2020-01-01",
            "departure_time": "08:00",
            "seats": "3",
            "max_detour_km": "10",
            "luggage": "medium",
            "publish": "1",
        },
    )
    assert once.status_code == 422 and "The departure is in the past." in once.get_data(as_text=True)
    assert db.session.scalar(select(Ride.id)) is None


def test_request_a_seat_then_the_driver_accepts_in_my_rides(client, make_user, login):
    driver, passenger = make_user(display_name="Gaël"), make_user(display_name="Erwan")
    ride = _commute(driver)
    day = _working_day().isoformat()
    detail = client.get(f"/rides/{ride.id}?date={day}&pickup_lat=47.7614&pickup_lng=-3.3419&pickup_label=Lanester")
    assert "Log in to ask the driver for a seat." in detail.get_data(as_text=True)
    login(passenger)
    detail = client.get(f"/rides/{ride.id}?date={day}&pickup_lat=47.7614&pickup_lng=-3.3419&pickup_label=Lanester")
    assert "Pick-up: Lanester" in detail.get_data(as_text=True)
    sent = client.post(
        f"/rides/{ride.id}/request",
        data={"day": day, "seats": "1", "pickup_lat": "47.7614", "pickup_lng": "-3.3419", "pickup_label": "Lanester"},
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/rides/mine")
    booking = db.session.scalar(select(SeatBooking))
    assert booking.pickup_label == "Lanester" and booking.status == "requested"
    again = client.post(f"/rides/{ride.id}/request", data={"day": day, "seats": "1"})
    assert again.status_code == 422 and "You already asked for a seat on this date." in again.get_data(as_text=True)
    client.post("/logout")
    login(driver)
    mine = client.get("/rides/mine").get_data(as_text=True)
    assert "Erwan" in mine and "Accept" in mine
    accepted = client.post(f"/rides/bookings/{booking.id}/approve")
    assert accepted.status_code == 302
    db.session.refresh(booking)
    assert booking.status == "confirmed"
    again = client.post(f"/rides/bookings/{booking.id}/approve", follow_redirects=True)
    assert "You cannot approve a booking that is confirmed." in again.get_data(as_text=True)


def test_strangers_cannot_act_on_a_seat(client, make_user, login):
    driver, passenger = make_user(), make_user()
    ride = _commute(driver)
    booking = seats.request_seats(ride=ride, passenger=passenger, seats=1, day=_working_day(), now=datetime.now(PARIS))
    db.session.commit()
    login(make_user())
    assert client.post(f"/rides/bookings/{booking.id}/approve").status_code == 404
    assert client.post(f"/rides/{ride.id}/cancel").status_code == 302
    assert db.session.get(Ride, ride.id).status == "active"


def test_the_driver_skips_a_day_from_the_ride_page(client, make_user, login):
    driver = make_user()
    ride = _commute(driver)
    login(driver)
    day = _working_day()
    response = client.post(f"/rides/{ride.id}/days/{day.isoformat()}/cancel", follow_redirects=True)
    assert "You do not drive that day" in response.get_data(as_text=True)
    assert day.isoformat() in db.session.get(Ride, ride.id).skip_dates
    assert client.post(f"/rides/{ride.id}/days/someday/cancel").status_code == 404


def test_public_profile_shows_shared_kilometres(client, make_user):
    driver, passenger = make_user(), make_user()
    ride = _commute(driver)
    now = datetime.now(PARIS)
    booking = seats.request_seats(ride=ride, passenger=passenger, seats=1, day=_working_day(), now=now)
    bookings.act(booking=booking, action="approve", actor=driver, now=now)
    jobs.close_past(booking.occurrence.departs_at + timedelta(hours=7))
    db.session.commit()
    html = client.get(f"/people/{passenger.id}").get_data(as_text=True)
    assert "1 shared trip" in html and "kg of CO2 avoided" in html
    assert "Shared rides" not in client.get(f"/people/{make_user().id}").get_data(as_text=True)


def test_unknown_ride_is_404(client):
    assert client.get("/rides/999999").status_code == 404


def test_past_dates_are_not_offered_in_the_request_form(client, make_user, login):
    ride = _commute(make_user())
    login(make_user())
    html = client.get(f"/rides/{ride.id}").get_data(as_text=True)
    assert (date.today() - timedelta(days=1)).isoformat() not in html


def test_ride_page_lists_two_weeks_of_departures_and_the_rest_on_request(client, make_user):
    ride = _commute(make_user())
    page = client.get(f"/rides/{ride.id}").get_data(as_text=True)
    table = page.split('id="days-title"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 10  # the header row and ten departures
    assert "Show the next 30 departures" in page
    everything = client.get(f"/rides/{ride.id}?all_days=1").get_data(as_text=True)
    assert everything.split('id="days-title"')[1].split("</table>")[0].count("<tr>") == 1 + 30
    assert "Show the next" not in everything


def test_ride_page_says_one_seat_in_the_singular(client, make_user):
    ride = _commute(make_user(), seats=1)
    assert "1 seat ·" in " ".join(client.get(f"/rides/{ride.id}").get_data(as_text=True).split())
