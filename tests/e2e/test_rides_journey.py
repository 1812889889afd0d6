"""Carpool in a real browser: a driver offers a weekly commute Lorient → Vannes, a neighbour finds
it for tomorrow morning, asks for a seat, the driver accepts on the ride's page."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def test_offer_a_commute_find_it_request_a_seat_driver_accepts(journey):
    page = journey.page
    driver_name = f"Gwenola {uuid.uuid4().hex[:6]}"
    tomorrow = date.today() + timedelta(days=1)

    with journey.doing("driver signs up with a home in Lorient"):
        driver = journey.sign_up(driver_name, home="Lorient")

    with journey.doing("commute form filled"):
        journey.go("/rides/new")
        assert page.input_value("#origin_label") == "Lorient", "the form does not start from the driver's home"
        page.fill("#destination_label", "Vannes")
        page.check("input[name=kind][value=weekly]")
        for box in page.locator("input[name=weekdays]").all():
            box.check()
        page.fill("#commute_time", "07:45")
        page.fill("#valid_from", date.today().isoformat())
        page.select_option("#seats", "2")

    with journey.doing("commute published"):
        journey.submit("main form button[name=publish]")
        assert "/rides/" in page.url and page.locator(".flash-success").is_visible(), "the ride was not published"
        ride_path = page.url.removeprefix(journey.base)
    journey.logout()

    with journey.doing("passenger searches tomorrow morning"):
        passenger = journey.sign_up("Tristan Hervé", home="Lorient")
        journey.go("/rides")
        page.fill("#from_label", "Lorient")
        page.fill("#to_label", "Vannes")
        page.fill("#day", tomorrow.isoformat())
        page.fill("#time_from", "07:00")
        page.fill("#time_to", "09:00")
        journey.submit("form.ride-search button[type=submit]")
        found = page.locator("#ride-results > li").filter(has_text=driver_name)
        assert found.count() == 1, "the new commute is not among the rides found"

    with journey.doing("passenger asks for a seat"):
        journey.submit(f"#ride-results > li:has-text('{driver_name}') h3 a")
        assert page.locator("form[action$='/request']").count() == 1, "no request form on the ride's page"
        journey.submit("form[action$='/request'] button[type=submit]")
        assert page.locator(".flash-success").is_visible(), "no confirmation of the request"
    journey.logout()

    with journey.doing("driver accepts on the ride's page"):
        journey.login(driver, PASSWORD)
        journey.go(ride_path)
        requests = page.locator("section[aria-labelledby=requests-title]")
        assert requests.get_by_text("Tristan Hervé").count() >= 1, "the request is not on the driver's page"
        journey.submit("section[aria-labelledby=requests-title] form[action$='/approve'] button")
        assert page.locator(".flash-success").is_visible(), "the acceptance was not confirmed"
        assert page.locator("section[aria-labelledby=requests-title] form[action$='/approve']").count() == 0
    journey.logout()

    with journey.doing("passenger sees the confirmed seat in My bookings"):
        journey.login(passenger, PASSWORD)
        journey.go("/bookings")
        row = page.locator("#mine li.booking-row").filter(has_text="Vannes").first
        assert row.locator(".status-confirmed").count() == 1, "the seat is not confirmed for the passenger"
