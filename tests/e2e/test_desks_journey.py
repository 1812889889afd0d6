"""Desks in a real browser: a manager creates a space, adds a one-seat desk and publishes a slot
starting in a few minutes; a member books it, another joins the waitlist, the first cancels, the
second is promoted and checks in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
TOWN = ZoneInfo("Europe/Paris")


def _slot_hours() -> tuple[datetime, datetime]:
    """A slot starting two minutes from now (check-in opens 15 minutes before the start), same day."""
    start = (datetime.now(TOWN) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    end = min(start + timedelta(hours=1), start.replace(hour=23, minute=59))
    if end - start < timedelta(minutes=5):
        pytest.skip("too close to midnight to publish a slot today")
    return start, end


def test_publish_book_waitlist_cancel_promote_check_in(journey):
    page = journey.page
    name = f"Tiers-lieu {journey.size_name} {uuid.uuid4().hex[:6]}"
    desk = "Bureau du fond"
    start, end = _slot_hours()

    with journey.doing("manager signs up"):
        journey.sign_up("Armelle Quéré")

    with journey.doing("manager creates the space"):
        journey.go("/spaces/new")
        page.fill("#name", name)
        page.fill("#address", "2 rue de la Gare")
        page.fill("#place_label", "Lorient")
        journey.submit("main form button[type=submit]")
        assert page.locator("h1").inner_text().endswith(name), "not on the space's manage page"

    with journey.doing("manager adds a one-seat desk"):
        page.fill("#label", desk)
        page.fill("#seats", "1")
        journey.submit("form[action$='/desks'] button[type=submit]")
        assert page.get_by_role("cell", name=desk, exact=True).is_visible(), "the desk is not listed"

    with journey.doing("publish form filled for a slot in a few minutes"):
        page.click("main a[href^='/spaces/'][href$='/publish']")
        page.wait_for_selector("#first_day")
        page.check("input[name=desks]")
        page.fill("#first_day", start.date().isoformat())
        page.fill("#last_day", start.date().isoformat())
        for box in page.locator("input[name=weekdays]").all():
            box.set_checked(box.get_attribute("value") == str(start.weekday()))
        page.fill("#start_1", start.strftime("%H:%M"))
        page.fill("#end_1", end.strftime("%H:%M"))

    with journey.doing("slot published"):
        journey.submit("main form button[type=submit]")
        assert page.locator(".flash-success").is_visible(), "no confirmation of the published slot"
        space_path = page.locator("a[href^='/spaces/']").first.get_attribute("href").split("/manage")[0]
    journey.logout()

    with journey.doing("first member books the only seat"):
        first = journey.sign_up("Hugo Le Brun")
        journey.go(space_path)
        journey.submit("form[action$='/book'] button[type=submit]")
        assert "/desk-bookings/" in page.url
        assert page.locator(".tag.status-confirmed").count() == 1, "the booking is not confirmed"
        first_booking = page.url
    journey.logout()

    with journey.doing("second member joins the waitlist"):
        second = journey.sign_up("Inès Benali")
        journey.go(space_path)
        assert page.locator("input[name=waitlist]").count() == 1, "a full slot should offer the waitlist"
        journey.submit("form[action$='/book'] button[type=submit]")
        assert page.locator(".tag.status-waitlisted").count() == 1, "not on the waitlist"
        second_booking = page.url
    journey.logout()

    with journey.doing("first member cancels"):
        journey.login(first, PASSWORD)
        journey.go(first_booking.removeprefix(journey.base))
        journey.submit("form[action$='/cancel'] button[type=submit]")
        assert page.locator(".tag.status-cancelled").count() >= 1, "the booking is not cancelled"
    journey.logout()

    with journey.doing("second member was promoted and checks in"):
        journey.login(second, PASSWORD)
        journey.go(second_booking.removeprefix(journey.base))
        assert page.locator(".tag.status-confirmed").count() == 1, "the waitlisted member was not promoted"
        journey.submit("form[action$='/check_in'] button[type=submit]")
        assert page.locator(".tag.status-checked_in").count() == 1, "the check-in did not happen"
