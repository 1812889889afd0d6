from __future__ import annotations

from datetime import timedelta

from sharemarket.accounts import services as accounts
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.listings import loans
from sharemarket.listings.models import Listing, Loan


def test_export_has_my_listings_and_loans(client, make_user, auth_header, make_listing, today):
    me = make_user()
    mine = make_listing(owner=me, title="Raclette")
    theirs = make_listing(title="Tente")
    loans.request_loan(
        listing=theirs, borrower=me, start=today + timedelta(days=2), end=today + timedelta(days=3), now=utcnow()
    )
    db.session.commit()
    export = client.get("/api/v1/me/export", headers=auth_header(me)).json
    assert [item["id"] for item in export["listings"]] == [mine.id]
    assert export["listings"][0]["pickup_instructions"] == "Sonnez au 12, porte bleue."
    assert [loan["listing_id"] for loan in export["loans"]] == [theirs.id]


def test_closing_an_account_archives_listings_and_keeps_loans(app, make_user, make_listing, today):
    owner, borrower, other = make_user(), make_user(display_name="Borrower"), make_user()
    listing = make_listing(owner=owner)
    now = utcnow()
    past = loans.request_loan(listing=listing, borrower=borrower, start=today, end=today, now=now)
    bookings.act(booking=past, action="approve", actor=owner, now=now)
    bookings.act(booking=past, action="pickup", actor=owner, now=now)
    bookings.act(booking=past, action="return", actor=owner, now=now)
    confirmed = loans.request_loan(
        listing=listing, borrower=other, start=today + timedelta(days=3), end=today + timedelta(days=3), now=now
    )
    bookings.act(booking=confirmed, action="approve", actor=owner, now=now)
    pending = loans.request_loan(
        listing=listing, borrower=borrower, start=today + timedelta(days=5), end=today + timedelta(days=6), now=now
    )
    elsewhere = make_listing(title="Tente")
    my_request = loans.request_loan(
        listing=elsewhere, borrower=borrower, start=today + timedelta(days=5), end=today + timedelta(days=6), now=now
    )
    db.session.commit()

    accounts.delete_account(user=borrower, now=now)
    assert db.session.get(Loan, my_request.id).status == "cancelled"
    assert db.session.get(Loan, pending.id).status == "cancelled"
    assert db.session.get(Loan, past.id).status == "returned"
    assert db.session.get(Loan, past.id).user.display_name == "Former member"

    accounts.delete_account(user=owner, now=now)
    db.session.commit()
    kept = db.session.get(Listing, listing.id)
    assert kept.status == "archived" and kept.pickup_instructions == ""
    assert db.session.get(Loan, confirmed.id).status == "cancelled"
    assert db.session.get(Listing, elsewhere.id).status == "active"
