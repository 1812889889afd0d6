"""Sign up, profile, export and account deletion in a real browser, phone and desktop."""

from __future__ import annotations

import itertools
import json

import pytest

pytestmark = pytest.mark.e2e
_n = itertools.count()


def test_sign_up_set_home_export_and_delete(journey):
    page = journey.page
    email = f"e2e-{journey.size_name}-{next(_n)}@example.org"

    journey.go("/")
    journey.step("home page")

    journey.go("/register")
    journey.step("sign-up form")
    page.click("main button[type=submit]")
    assert page.locator(".form-errors").is_visible(), "empty sign-up form shows no error summary"
    journey.step("sign-up errors")

    page.fill("#display_name", "Annaïg Le Roux")
    page.fill("#email", email)
    page.fill("#password", "a long enough password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account")
    journey.step("profile after sign-up")

    page.fill("#home_label", "Lanester")
    page.click("main form button[type=submit]")
    assert page.locator(".flash-success").is_visible()
    assert page.input_value("#home_label") == "Lanester"
    journey.step("profile saved")

    with page.expect_download() as download:
        page.click("a[href='/account/export']")
    data = json.loads(download.value.path().read_text())
    assert data["user"]["email"] == email
    assert data["user"]["home"]["label"] == "Lanester"

    journey.go("/account/delete")
    journey.step("delete account form")
    page.fill("#password", "a long enough password")
    page.click("main button[type=submit]")
    page.wait_for_url(journey.base + "/")
    journey.step("after deletion")

    journey.login(email, "a long enough password")
    assert page.locator(".error").is_visible(), "a deleted account could still log in"


def test_keyboard_reaches_the_content_through_the_skip_link(journey):
    page = journey.page
    journey.go("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()
    journey.shot("skip link focused")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
