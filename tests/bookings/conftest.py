"""Fixtures of the bookings tests: real loans through the tool library's services, and browsers."""

from __future__ import annotations

import pytest

from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import loans, rules
from sharemarket.listings import services as listings
from tests.conftest import PASSWORD

LORIENT = Place(47.7486, -3.3667, "Lorient gare")
# The owner's moves that bring a fresh request to each status.
STEPS = {
    "requested": (),
    "confirmed": ("approve",),
    "active": ("approve", "pickup"),
    "returned": ("approve", "pickup", "return"),
    "declined": ("decline",),
}


@pytest.fixture
def today(app):
    with app.app_context():
        return rules.local_today(utcnow(), app.config["SHAREMARKET_TIMEZONE"])


@pytest.fixture
def make_loan(make_user, today):
    """A loan of one day (today, by the real clock the pages use) moved to `status` by its owner."""

    def make(status="returned", owner=None, borrower=None, title="Perceuse à percussion"):
        owner = owner or make_user(display_name="Owner")
        borrower = borrower or make_user(display_name="Borrower")
        listing = listings.create_listing(
            owner=owner, now=utcnow(), title=title, category="tools", place=LORIENT, pickup_instructions="Porte bleue."
        )
        loan = loans.request_loan(listing=listing, borrower=borrower, start=today, end=today, now=utcnow())
        for action in STEPS[status]:
            bookings.act(booking=loan, action=action, actor=owner, now=utcnow())
        db.session.commit()
        assert loan.status == status
        return loan

    return make


class Browser:
    """One person's browser; each request in its own app context (Flask-Login caches the user in g)."""

    def __init__(self, app, user=None):
        self.app, self.client = app, app.test_client()
        if user is not None:
            response = self.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)

    def text(self, path: str, status: int = 200) -> str:
        response = self.get(path)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_data(as_text=True)


@pytest.fixture
def browser(app):
    return lambda user=None: Browser(app, user)
