"""With JavaScript off, every core action still works: forms post and redirect (POST/redirect/GET).

axe needs JavaScript, so these steps record screenshots and the page width only; the same pages
are checked by axe in the other journeys.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def _post_and_redirect(journey, selector: str) -> None:
    """Submit a POST form and check the browser followed a redirect to a GET page."""
    with journey.page.expect_navigation() as navigation:
        journey.page.click(selector)
    response = navigation.value
    first = response.request.redirected_from
    assert first is not None and first.method == "POST", f"{selector}: no POST answered by a redirect"
    assert response.request.method == "GET" and response.ok, f"{selector}: landed on {response.status}"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_sign_up_search_borrow_and_book_without_javascript(open_journey, size):
    journey = open_journey(size, javascript=False)
    page = journey.page

    email = f"nojs-{size}-{uuid.uuid4().hex[:8]}@example.org"
    with journey.doing("sign up without JavaScript", check=False):
        journey.go("/register")
        page.fill("#display_name", "Fañch Le Moing")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        _post_and_redirect(journey, "main button[type=submit]")
        assert page.url.endswith("/account")

    with journey.doing("log out and in again", check=False):
        _post_and_redirect(journey, "form[action='/logout'] button")
        journey.go("/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        _post_and_redirect(journey, "main button[type=submit]")
        assert page.locator("form[action='/logout']").count() == 1, "not logged in"

    with journey.doing("search things near Lorient", check=False):
        journey.go("/listings")
        page.fill("#q", "perceuse")
        page.fill("#where", "Lorient")
        journey.submit("form[role=search] button[type=submit]")
        assert "q=perceuse" in page.url
        results = page.locator("#results li a")
        assert results.count() > 0, "no drill found around Lorient in the demo town"
        assert page.locator(".leaflet-container").count() == 0, "a map was drawn without JavaScript"

    with journey.doing("request a loan", check=False):
        journey.submit("#results li a")
        day = date.today() + timedelta(days=20)
        page.fill("#start_date", day.isoformat())
        page.fill("#end_date", (day + timedelta(days=1)).isoformat())
        _post_and_redirect(journey, "form[action$='/request'] button[type=submit]")
        assert page.locator(".flash-success").is_visible(), "no confirmation of the request"

    with journey.doing("book a desk this week", check=False):
        journey.go("/desks")
        page.fill("#where", "Lorient")
        journey.submit("form[role=search] button[type=submit]")
        journey.submit("#spaces-list h3 a")
        free = "form[action$='/book']:not(:has(input[name=waitlist])) button"
        assert page.locator(free).count() > 0, "no free desk this week in the nearest space of the demo town"
        _post_and_redirect(journey, f"{free} >> nth=0")
        assert "/desk-bookings/" in page.url and page.locator(".tag.status-confirmed").count() == 1
