"""The tool library through its pages, as a person with a browser without JavaScript would use it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.listings.models import Listing, ListingPhoto, Loan
from tests.conftest import PASSWORD
from tests.listings.conftest import picture


class Browser:
    """One person's browser. Each request runs in a fresh app context: the test's own context
    would otherwise be reused by every request, and Flask-Login caches the user in its `g`."""

    def __init__(self, app, user=None):
        self.app, self.client = app, app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if user is not None:
            response = self.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


def _browser(app, user):
    return Browser(app, user)


def _listing_form(**overrides) -> dict:
    data = {
        "title": "Perceuse à percussion",
        "description": "Bosch, avec mèches.",
        "category": "tools",
        "condition": "good",
        "place_label": "Lorient",
        "deposit": "50",
        "max_loan_days": "5",
        "min_notice_days": "0",
        "buffer_days": "0",
        "pickup_instructions": "Sonnez au 12, porte bleue.",
    }
    data.update(overrides)
    return data


def test_publish_find_ask_approve_pickup_return(app, make_user, next_saturday):
    owner = make_user(display_name="Maëlle", email="maelle@example.org")
    neighbour = make_user(display_name="Yann", email="yann@example.org")
    lender, borrower = _browser(app, owner), _browser(app, neighbour)

    assert lender.get("/listings/new").status_code == 200
    form = _listing_form(new_photos=(io.BytesIO(picture("JPEG", exif=True)), "drill.jpg"))
    response = lender.post("/listings/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = db.session.scalar(select(Listing).where(Listing.owner_id == owner.id))
    assert response.headers["Location"] == f"/listings/{listing.id}"
    assert listing.deposit_cents == 5000 and listing.place_label == "Lorient"
    assert db.session.scalar(select(ListingPhoto).where(ListingPhoto.listing_id == listing.id)) is not None

    found = borrower.get("/listings", query_string={"q": "perceuse", "where": "Lorient", "radius_km": "5"})
    page = found.get_data(as_text=True)
    assert found.status_code == 200
    assert f'href="/listings/{listing.id}"' in page and 'id="results"' in page and "data-map" in page
    assert "Sonnez" not in page

    detail = borrower.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Ask to borrow it" in detail and "Sonnez" not in detail
    assert "calendar" in detail and "free" in detail
    sunday = next_saturday + timedelta(days=1)
    asked = borrower.post(
        f"/listings/{listing.id}/request",
        data={"start_date": next_saturday.isoformat(), "end_date": sunday.isoformat()},
    )
    assert asked.status_code == 302
    loan = db.session.scalar(select(Loan).where(Loan.listing_id == listing.id))
    assert loan.status == "requested"

    owner_page = lender.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Yann" in owner_page and f"/listings/loans/{loan.id}/approve" in owner_page
    approved = lender.post(f"/listings/loans/{loan.id}/approve")
    assert approved.status_code == 303
    assert "Loan approved" in lender.get(approved.headers["Location"]).get_data(as_text=True)

    detail = borrower.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Sonnez au 12, porte bleue." in detail and "Pick up at" in detail
    assert ">taken<" in detail

    # Days are for next weekend: record the pick-up as if today were that Saturday's eve is not
    # possible through the page, so the owner may only do what the state and dates allow.
    early = lender.post(f"/listings/loans/{loan.id}/pickup", follow_redirects=True)
    db.session.expire_all()
    if next_saturday - timedelta(days=1) > _today_of(app):
        assert "Record the pick-up" in early.get_data(as_text=True)
        assert db.session.get(Loan, loan.id).status == "confirmed"


def _today_of(app):
    from sharemarket.db import utcnow
    from sharemarket.listings.rules import local_today

    return local_today(utcnow(), app.config["SHAREMARKET_TIMEZONE"])


def test_pickup_and_return_from_the_owner_page(app, make_user, today):
    owner, neighbour = make_user(), make_user(display_name="Soizic")
    lender, borrower = _browser(app, owner), _browser(app, neighbour)
    lender.post("/listings/new", data=_listing_form(title="Tondeuse"))
    listing = db.session.scalar(select(Listing).where(Listing.owner_id == owner.id))
    borrower.post(f"/listings/{listing.id}/request", data={"start_date": today, "end_date": today})
    loan = db.session.scalar(select(Loan).where(Loan.listing_id == listing.id))
    for action, status in (("approve", "confirmed"), ("pickup", "active"), ("return", "returned")):
        assert lender.post(f"/listings/loans/{loan.id}/{action}").status_code == 303
        db.session.expire_all()
        assert db.session.get(Loan, loan.id).status == status
    # A second "return" is not allowed by the state: a message, nothing changes.
    page = lender.post(f"/listings/loans/{loan.id}/return", follow_redirects=True).get_data(as_text=True)
    assert "cannot return" in page


def test_bad_input_on_pages_gets_messages_not_errors(app, make_user, today):
    owner, neighbour = make_user(), make_user()
    lender, borrower = _browser(app, owner), _browser(app, neighbour)
    response = lender.post("/listings/new", data=_listing_form(title="", place_label="Atlantis-sur-Mer"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    response = lender.post("/listings/new", data=_listing_form(lat="95", lng="0"))
    assert response.status_code == 422
    response = lender.post(
        "/listings/new",
        data=_listing_form(new_photos=(io.BytesIO(b"not a picture"), "x.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "x.jpg" in response.get_data(as_text=True)
    assert db.session.scalar(select(Listing)) is None

    lender.post("/listings/new", data=_listing_form())
    listing = db.session.scalar(select(Listing))
    reversed_days = borrower.post(
        f"/listings/{listing.id}/request",
        data={"start_date": today + timedelta(days=3), "end_date": today + timedelta(days=1)},
    )
    assert reversed_days.status_code == 422
    assert "on or after the first day" in reversed_days.get_data(as_text=True)
    past = borrower.post(
        f"/listings/{listing.id}/request", data={"start_date": today - timedelta(days=3), "end_date": today}
    )
    assert past.status_code == 422 and "in the past" in past.get_data(as_text=True)
    own = lender.post(f"/listings/{listing.id}/request", data={"start_date": today, "end_date": today})
    assert own.status_code == 403
    assert db.session.scalar(select(Loan)) is None

    for query in ({"radius_km": "-5", "where": "Lorient"}, {"lat": "100", "lng": "0"}, {"where": "Nowhere-at-all"}):
        response = borrower.get("/listings", query_string=query)
        assert response.status_code == 422, query
        assert "form-errors" in response.get_data(as_text=True)

    assert borrower.get(f"/listings/{listing.id}/edit").status_code == 403
    assert (
        borrower.post(
            f"/listings/{listing.id}/blocks", data={"block-start_date": today, "block-end_date": today}
        ).status_code
        == 403
    )
    blocked = lender.post(
        f"/listings/{listing.id}/blocks",
        data={"block-start_date": today + timedelta(days=2), "block-end_date": today + timedelta(days=1)},
    )
    assert blocked.status_code == 422


def test_owner_blocks_days_and_the_calendar_says_so(app, make_user, today):
    owner = make_user()
    lender = _browser(app, owner)
    lender.post("/listings/new", data=_listing_form())
    listing = db.session.scalar(select(Listing))
    day = today + timedelta(days=3)
    response = lender.post(
        f"/listings/{listing.id}/blocks",
        data={"block-start_date": day, "block-end_date": day + timedelta(days=1), "block-reason": "Vacances"},
    )
    assert response.status_code == 303
    page = Browser(app).get(f"/listings/{listing.id}").get_data(as_text=True)
    assert len(re.findall(r'class="day day-blocked"', page)) == 2
    assert "Vacances" not in page  # the reason is the owner's
    assert "Log in to ask for it" in page


def test_my_listings_and_edit(app, make_user):
    owner = make_user()
    lender = _browser(app, owner)
    lender.post("/listings/new", data=_listing_form(title="Échelle 3 plans"))
    listing = db.session.scalar(select(Listing))
    page = lender.get("/listings/mine").get_data(as_text=True)
    assert "Échelle 3 plans" in page
    edit = lender.get(f"/listings/{listing.id}/edit")
    assert edit.status_code == 200 and 'value="50.00"' in edit.get_data(as_text=True)
    saved = lender.post(f"/listings/{listing.id}/edit", data=_listing_form(title="Échelle", status="paused"))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "paused"
    nav = Browser(app).get("/").get_data(as_text=True)
    assert 'href="/listings"' in nav


def test_search_form_messages_in_the_reader_language(client):
    """WTForms' own messages come from its catalogue of the request's language (read once each)."""
    for language, message in (
        ("fr", "Le nombre doit être compris entre -90 et 90."),
        ("en", "Number must be between -90 and 90."),
        ("fr", "Le nombre doit être compris entre -90 et 90."),
    ):
        page = client.get("/listings?lat=95&lng=0", headers={"Accept-Language": language})
        assert page.status_code == 422
        assert message in page.get_data(as_text=True)
