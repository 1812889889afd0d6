"""Simultaneous sign-ups with one address: the unique key decides, the others get a clear 409."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services
from sharemarket.accounts.models import User
from sharemarket.errors import EmailTaken
from sharemarket.extensions import db
from tests.conftest import NOW, PASSWORD

THREADS = 20


@pytest.mark.concurrency
def test_one_account_per_address_whatever_the_number_of_simultaneous_sign_ups(live_app):
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def sign_up(n: int) -> None:
        with live_app.app_context():
            email = "Same@Example.org" if n % 2 else "same@example.org"
            barrier.wait()
            try:
                services.register_user(email=email, password=PASSWORD, display_name=f"Twin {n}", now=NOW)
                db.session.commit()
                outcomes.append("created")
            except EmailTaken:
                db.session.rollback()
                outcomes.append("taken")
            except Exception as exc:  # noqa: BLE001 - any other failure is what this test looks for
                db.session.rollback()
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["created"] + ["taken"] * (THREADS - 1)
    with live_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User).where(User.email_key == "same@example.org"))
        db.session.remove()
    assert count == 1
