"""Simultaneous sign-ups with one address: the unique key decides, the others get a clear 409."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services
from sharemarket.accounts.models import User
from sharemarket.extensions import db
from tests.conftest import NOW, PASSWORD
from tests.races import race

THREADS = 20


@pytest.mark.concurrency
def test_one_account_per_address_whatever_the_number_of_simultaneous_sign_ups(live_app):
    def sign_up(n: int) -> None:
        email = "Same@Example.org" if n % 2 else "same@example.org"
        services.register_user(email=email, password=PASSWORD, display_name=f"Twin {n}", now=NOW)

    outcomes = race(live_app, sign_up, range(THREADS))
    assert sorted(outcomes) == ["EmailTaken"] * (THREADS - 1) + ["ok"]
    with live_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User).where(User.email_key == "same@example.org"))
        db.session.remove()
    assert count == 1
