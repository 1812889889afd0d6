"""The home page in a real browser: what is near the town centre, near a typed town, and near the
position the browser gives (the location button), each list linking on to its feature."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
LANESTER = {"latitude": 47.7614, "longitude": -3.3419}


def test_near_the_centre_a_typed_town_and_my_position(journey):
    page = journey.page
    lists = ("#near-items-title", "#near-desks-title", "#near-rides-title")

    with journey.doing("home page around the town centre"):
        journey.go("/")
        for title in lists:
            assert page.locator(title).is_visible(), f"{title} is missing"
        assert page.locator("section[aria-labelledby=near-items-title] li a").count() > 0, "no thing listed"
        assert page.locator("section[aria-labelledby=near-rides-title] li a").count() > 0, "no ride listed"

    with journey.doing("a town typed in the one search box"):
        page.fill("#where", "Hennebont")
        journey.submit("form[role=search] button[type=submit]")
        assert "where=Hennebont" in page.url
        assert "Hennebont" in page.locator("#near-origin").inner_text()

    with journey.doing("an unknown town is announced"):
        page.fill("#where", "Atlantide-sur-Mer")
        journey.submit("form[role=search] button[type=submit]")
        assert page.locator(".form-errors[role=alert] a[href='#where']").count() == 1
        assert page.get_attribute("#where", "aria-invalid") == "true"

    with journey.doing("the browser's position"):
        page.context.grant_permissions(["geolocation"], origin=journey.base)
        page.context.set_geolocation(LANESTER)
        button = page.locator("button[data-use-location]")
        assert button.is_visible(), "the location button stays hidden with JavaScript on"
        with page.expect_navigation():
            button.click()
        assert "lat=47.76" in page.url and "lng=-3.34" in page.url
        assert page.locator(".form-errors").count() == 0

    with journey.doing("on to all things near that position"):
        journey.submit("section[aria-labelledby=near-items-title] .near-more a")
        assert "/listings?" in page.url and "lat=47.76" in page.url
        assert page.locator("#results li").count() > 0
