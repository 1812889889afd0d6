"""The tool library in a real browser: publish a thing with a photo, a neighbour finds it (list
and map), asks for it, the owner approves in My bookings, pick-up, return, both review."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e


def _png(folder, name: str = "scie.png"):
    path = folder / name
    Image.new("RGB", (64, 48), (180, 90, 20)).save(path, "PNG")
    return path


def _booking_row(page, title: str):
    return page.locator("#to_handle li.booking-row, #mine li.booking-row").filter(has_text=title).first


def test_lend_a_thing_from_publishing_to_reviews(journey, tmp_path):
    page = journey.page
    title = f"Scie sauteuse {journey.size_name} {uuid.uuid4().hex[:6]}"
    today = date.today()

    with journey.doing("owner signs up with a home in Lanester"):
        owner = journey.sign_up("Brigitte Le Gall", home="Lanester")

    with journey.doing("lend form filled with a photo"):
        journey.go("/listings/new")
        assert page.input_value("#place_label") == "Lanester", "the form does not start from the owner's home"
        page.fill("#title", title)
        page.fill("#description", "Bosch PST, lames bois et métal.")
        page.select_option("#category", "tools")
        page.fill("#pickup_instructions", "Sonnez chez Le Gall, porte verte.")
        page.set_input_files("#new_photos", str(_png(tmp_path)))

    with journey.doing("thing published with its photo"):
        journey.submit("main form button[type=submit]")
        assert "/listings/" in page.url and page.locator("h1").inner_text() == title
        assert page.locator(".flash-success").is_visible()
        photo = page.locator(".photo-list img").first
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo does not load"
    journey.logout()

    with journey.doing("neighbour signs up"):
        neighbour = journey.sign_up("Youenn Cariou", home="Lorient")

    with journey.doing("neighbour finds it in the list and on the map"):
        journey.go("/listings")
        page.fill("#q", title)
        page.fill("#where", "Lanester")
        journey.submit("form[role=search] button[type=submit]")
        result = page.locator("#results li").filter(has_text=title)
        assert result.count() == 1, "the new thing is not in the results"
        assert result.locator("img.listing-thumb").count() == 1, "the result shows no photo"
        page.wait_for_selector(".map .leaflet-marker-icon")
        markers = page.locator(".map .leaflet-marker-icon[title]").evaluate_all("els => els.map(e => e.title)")
        assert title in markers, f"no marker for the thing on the map: {markers}"

    with journey.doing("neighbour asks to borrow it"):
        result.locator("a").first.click()
        page.wait_for_selector("#start_date")
        page.fill("#start_date", today.isoformat())
        page.fill("#end_date", (today + timedelta(days=2)).isoformat())
        journey.submit("form[action$='/request'] button[type=submit]")
        assert page.locator(".flash-success").is_visible(), "no confirmation of the request"
        assert page.locator(".tag.status-requested").count() == 1
    journey.logout()

    with journey.doing("owner sees the request in My bookings"):
        journey.login(owner, "a long enough password")
        journey.go("/bookings")
        row = _booking_row(page, title)
        assert row.locator(".status-requested").count() == 1, "the request is not waiting in My bookings"

    with journey.doing("owner approves"):
        journey.submit(f"#to_handle li.booking-row:has-text('{title}') form[action$='/approve'] button")
        assert _booking_row(page, title).locator(".status-confirmed").count() == 1

    with journey.doing("owner records the pick-up"):
        journey.submit(f"#to_handle li.booking-row:has-text('{title}') form[action$='/pickup'] button")
        assert _booking_row(page, title).locator(".status-active").count() == 1

    with journey.doing("owner records the return"):
        journey.submit(f"#to_handle li.booking-row:has-text('{title}') form[action$='/return'] button")
        row = page.locator("#to_handle li.booking-row").filter(has_text=title)
        assert row.locator(".status-returned").count() == 1, "the loan is not returned"

    with journey.doing("owner reviews the borrower"):
        row.locator("a[href$='#reviews']").first.click()
        page.wait_for_selector("form[action$='/review']")
        page.check("form[action$='/review'] input[name=rating][value='5']")
        page.fill("#comment", "Rendue propre et à l'heure, merci !")
        journey.submit("form[action$='/review'] button[type=submit]")
        assert page.locator("#reviews").get_by_text("Rendue propre").is_visible()
    journey.logout()

    with journey.doing("neighbour reviews the owner"):
        journey.login(neighbour, "a long enough password")
        journey.go("/bookings")
        _booking_row(page, title).locator("a[href$='#reviews']").first.click()
        page.check("form[action$='/review'] input[name=rating][value='4']")
        page.fill("#comment", "Très bonne scie, prêteuse arrangeante.")
        journey.submit("form[action$='/review'] button[type=submit]")
        reviews = page.locator("#reviews li")
        assert reviews.count() == 2, "both reviews should show on the booking"
