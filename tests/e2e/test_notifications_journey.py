"""Notifications in a real browser: a neighbour's request shows as an unread count in the menu
and in the inbox, with a link to the thing; the owner marks it read and chooses to hear about
requests only here, not by e-mail."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def test_a_request_arrives_in_the_inbox_is_read_and_settings_change(journey):
    page = journey.page
    title = f"Escabeau {journey.size_name} {uuid.uuid4().hex[:6]}"

    with journey.doing("owner publishes a thing"):
        owner = journey.sign_up("Katell Le Garrec", home="Locmiquélic")
        journey.go("/listings/new")
        page.fill("#title", title)
        page.select_option("#category", "tools")
        journey.submit("main form button[type=submit]")
        thing = page.url.removeprefix(journey.base)
        assert page.locator("h1").inner_text() == title
    journey.logout()

    with journey.doing("a neighbour asks for it"):
        journey.sign_up("Ronan Ezanno", home="Riantec")
        journey.go(thing)
        day = date.today() + timedelta(days=3)
        page.fill("#start_date", day.isoformat())
        page.fill("#end_date", day.isoformat())
        journey.submit("form[action$='/request'] button[type=submit]")
        assert page.locator(".flash-success").is_visible()
    journey.logout()

    with journey.doing("owner sees one unread notification in the menu"):
        journey.login(owner, PASSWORD)
        badge = page.locator("nav a[href='/notifications'] .badge")
        assert badge.inner_text() == "1", "the menu does not count the unread request"

    with journey.doing("inbox shows the request with a link to the thing"):
        journey.submit("nav a[href='/notifications']")
        unread = page.locator("li.notification.unread")
        assert unread.count() == 1, "the request is not unread in the inbox"
        assert unread.locator(f"a[href='{thing}']").count() == 1, "the notification does not link to the thing"

    with journey.doing("owner marks it read"):
        journey.submit("li.notification.unread form[action$='/read'] button")
        assert page.locator("li.notification.unread").count() == 0
        assert page.locator("nav a[href='/notifications'] .badge").count() == 0, "the menu still counts it"

    with journey.doing("owner chooses to hear about requests only here"):
        journey.submit("a[href='/notifications/settings']")
        inbox_only = page.locator("fieldset.channel-choice input[value=inbox]").first
        name = inbox_only.get_attribute("name")
        inbox_only.check()
        journey.submit("main form button[type=submit]")
        assert page.locator(".flash-success").is_visible(), "the choice was not saved"
        journey.go("/notifications/settings")
        assert page.locator(f"input[name='{name}'][value=inbox]").is_checked(), "the choice did not stick"
