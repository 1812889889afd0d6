"""The mayor's dashboard in Chromium: figures and charts of the demo town's year, a period picked
with the menus and the preset links (with JavaScript off too), the admins' detailed view."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.e2e
ADMIN = "maelle.legoff@lorient.example.org"


def _last_month() -> date:
    first = date.today().replace(day=1)
    return date(first.year - 1, 12, 1) if first.month == 1 else first.replace(month=first.month - 1)


def test_the_public_dashboard_and_its_period(journey):
    page = journey.page
    with journey.doing("the town's impact, last 12 months"):
        journey.go("/impact")
        assert page.locator(".impact-totals > div").count() == 7
        assert page.locator(".impact-chart h3").count() == 8
        assert page.locator(".impact-chart svg").count() == 8, "a chart of the demo year is empty"
        assert page.locator(".impact-chart svg .impact-tick").count() == 8 * 3
        assert "€" in page.locator(".impact-totals").inner_text()
    with journey.doing("one month picked in the menus"):
        month = _last_month().strftime("%Y-%m")
        page.select_option("#impact-from", month)
        page.select_option("#impact-to", month)
        journey.submit(".impact-period button[type=submit]")
        assert f"from={month}&to={month}" in page.url
        assert page.locator(".impact-chart svg").first.locator("rect.impact-bar").count() == 1
    with journey.doing("last year, from its link"):
        journey.submit(".impact-presets li:nth-child(3) a")
        year = date.today().year - 1
        assert f"from={year}-01&to={year}-12" in page.url
        assert page.locator(".impact-presets a[aria-current=true]").count() == 1


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_period_picker_without_javascript(open_journey, size):
    journey = open_journey(size, javascript=False)
    page = journey.page
    with journey.doing("a period picked without JavaScript", check=False):
        journey.go("/impact")
        month = _last_month().strftime("%Y-%m")
        page.select_option("#impact-from", month)
        journey.submit(".impact-period button[type=submit]")
        assert f"from={month}" in page.url and page.locator(".impact-chart svg").count() == 8


def test_the_admins_detailed_view(journey):
    page = journey.page
    journey.login(ADMIN)
    with journey.doing("the detailed view, week by week"):
        journey.go("/impact/admin")
        weeks = page.locator("[aria-labelledby=impact-weeks] tbody tr")
        assert weeks.count() >= 50
        assert page.locator("[aria-labelledby=impact-weeks] thead th").count() == 4  # the week and 3 spaces
