from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.errors import BookingConflict, InvalidTransition
from sharemarket.extensions import db
from sharemarket.listings import loans, services
from sharemarket.listings.models import HeldDay, Loan


def _ask(client, listing, header, start, end):
    return client.post(
        f"/api/v1/listings/{listing.id}/bookings",
        json={"start_date": start.isoformat(), "end_date": end.isoformat()},
        headers=header,
    )


def _act(client, booking_id, action, header):
    return client.post(f"/api/v1/bookings/{booking_id}/{action}", headers=header)


def _loans() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def test_weekend_loan_through_the_api(client, make_user, auth_header, make_listing, next_saturday):
    owner, borrower = make_user(display_name="Owner"), make_user(display_name="Borrower")
    listing = make_listing(owner=owner)
    lender, asker = auth_header(owner), auth_header(borrower)
    sunday = next_saturday + timedelta(days=1)

    response = _ask(client, listing, asker, next_saturday, sunday)
    assert response.status_code == 201, response.json
    loan = response.json
    assert loan["kind"] == "loan" and loan["status"] == "requested"
    assert loan["listing_id"] == listing.id
    assert (loan["start_date"], loan["end_date"]) == (next_saturday.isoformat(), sunday.isoformat())
    assert loan["user"] == {"id": borrower.id, "display_name": "Borrower"}
    assert loan["starts_at"] < loan["ends_at"] and loan["respond_by"] <= loan["starts_at"]
    assert "pickup" not in loan
    assert client.get(f"/api/v1/listings/{listing.id}", headers=asker).json["location_approximate"] is True

    to_handle = client.get("/api/v1/bookings?role=to_handle", headers=lender).json["results"]
    assert [b["id"] for b in to_handle] == [loan["id"]]
    assert to_handle[0]["allowed_actions"] == ["approve", "decline"]

    confirmed = _act(client, loan["id"], "approve", lender)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    seen = client.get(f"/api/v1/bookings/{loan['id']}", headers=asker).json
    assert seen["pickup"]["instructions"] == "Sonnez au 12, porte bleue."
    assert seen["pickup"]["location"]["lat"] == listing.lat
    exact = client.get(f"/api/v1/listings/{listing.id}", headers=asker).json
    assert exact["location_approximate"] is False and exact["pickup_instructions"]
    calendar = client.get(f"/api/v1/listings/{listing.id}/calendar").json["results"]
    states = {d["date"]: d["state"] for d in calendar}
    assert states[next_saturday.isoformat()] == states[sunday.isoformat()] == "taken"

    assert _act(client, loan["id"], "return", lender).status_code == 409  # not picked up yet
    assert _act(client, loan["id"], "pickup", asker).status_code == 409  # the owner records it


def test_bad_dates_are_422_and_create_nothing(client, make_user, auth_header, make_listing, today):
    listing = make_listing(max_loan_days=3, min_notice_days=2)
    header = auth_header(make_user())
    week = today + timedelta(days=7)
    cases = [
        (week, week - timedelta(days=1), "end_date"),
        (today - timedelta(days=1), today + timedelta(days=1), "start_date"),
        (week, week + timedelta(days=3), "end_date"),
        (today + timedelta(days=1), today + timedelta(days=1), "start_date"),
        (today + timedelta(days=400), today + timedelta(days=401), "start_date"),
    ]
    for start, end, field in cases:
        response = _ask(client, listing, header, start, end)
        assert response.status_code == 422, (start, end)
        assert field in response.json["errors"]
    for body in ({"start_date": "2026-02-30", "end_date": "2026-03-01"}, {"start_date": "soon"}, {}):
        response = client.post(f"/api/v1/listings/{listing.id}/bookings", json=body, headers=header)
        assert response.status_code == 422
    assert _loans() == 0


def test_own_paused_archived_and_missing_listings(client, make_user, auth_header, make_listing, today):
    owner = make_user()
    listing = make_listing(owner=owner)
    day = today + timedelta(days=3)
    assert _ask(client, listing, auth_header(owner), day, day).status_code == 403
    services.update_listing(listing=listing, actor=owner, now=utcnow(), status="paused")
    db.session.commit()
    other = auth_header(make_user())
    assert _ask(client, listing, other, day, day).status_code == 409
    services.update_listing(listing=listing, actor=owner, now=utcnow(), status="active")
    owner.status = "suspended"  # found by a direct link: a suspended owner cannot answer
    db.session.commit()
    refused = _ask(client, listing, other, day, day)
    assert refused.status_code == 409 and "does not lend this item" in refused.json["detail"]
    owner.status = "active"
    services.update_listing(listing=listing, actor=owner, now=utcnow(), status="archived")
    db.session.commit()
    assert _ask(client, listing, other, day, day).status_code == 404
    listing.id = 999999
    assert _ask(client, listing, other, day, day).status_code == 404
    assert _loans() == 0


def test_blocked_and_lent_days_are_409(client, make_user, auth_header, make_listing, today):
    owner = make_user()
    listing = make_listing(owner=owner, buffer_days=1)
    start = today + timedelta(days=5)
    services.add_block(
        listing=listing, actor=owner, start=start, end=start + timedelta(days=1), reason="", now=utcnow()
    )
    db.session.commit()
    first, second = auth_header(make_user()), auth_header(make_user())
    response = _ask(client, listing, first, start + timedelta(days=1), start + timedelta(days=2))
    assert response.status_code == 409
    booked = _ask(client, listing, first, start + timedelta(days=3), start + timedelta(days=4)).json
    assert _act(client, booked["id"], "approve", auth_header(owner)).status_code == 200
    # Its days, and the one buffer day after them, are taken now.
    assert _ask(client, listing, second, start + timedelta(days=4), start + timedelta(days=4)).status_code == 409
    assert _ask(client, listing, second, start + timedelta(days=5), start + timedelta(days=5)).status_code == 409
    assert _ask(client, listing, second, start + timedelta(days=6), start + timedelta(days=6)).status_code == 201
    # The same borrower cannot pile up requests for the same days.
    assert _ask(client, listing, second, start + timedelta(days=6), start + timedelta(days=7)).status_code == 409


def test_approving_a_clash_is_409_and_leaves_the_request(app, make_user, make_listing, today):
    owner = make_user()
    listing = make_listing(owner=owner)
    start = today + timedelta(days=4)
    now = utcnow()
    first = loans.request_loan(
        listing=listing, borrower=make_user(), start=start, end=start + timedelta(days=2), now=now
    )
    second = loans.request_loan(
        listing=listing, borrower=make_user(), start=start + timedelta(days=2), end=start + timedelta(days=3), now=now
    )
    db.session.commit()
    bookings.act(booking=first, action="approve", actor=owner, now=now)
    db.session.commit()
    assert loans.clashing_ids(listing, loans.loans_to_handle(listing)) == {second.id}
    with pytest.raises(BookingConflict):
        bookings.act(booking=second, action="approve", actor=owner, now=now)
    db.session.rollback()
    assert db.session.get(Loan, second.id).status == "requested"
    # Cancelling the first frees its days: now the second can be approved.
    bookings.act(booking=db.session.get(Loan, first.id), action="cancel", actor=owner, now=now)
    bookings.act(booking=db.session.get(Loan, second.id), action="approve", actor=owner, now=now)
    db.session.commit()
    held = db.session.scalars(select(HeldDay.loan_id).where(HeldDay.listing_id == listing.id)).all()
    assert set(held) == {second.id} and len(held) == 2


def test_pickup_return_and_cancel_rules(client, make_user, auth_header, make_listing, today):
    owner, borrower = make_user(), make_user()
    listing = make_listing(owner=owner)
    lender, asker = auth_header(owner), auth_header(borrower)
    far = _ask(client, listing, asker, today + timedelta(days=10), today + timedelta(days=11)).json
    assert _act(client, far["id"], "approve", lender).status_code == 200
    early = _act(client, far["id"], "pickup", lender)
    assert early.status_code == 409 and "pick-up" in early.json["detail"]
    assert _act(client, far["id"], "cancel", asker).json["status"] == "cancelled"
    assert _act(client, far["id"], "cancel", asker).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(HeldDay)) == 0

    now = _ask(client, listing, asker, today, today + timedelta(days=1)).json
    assert _act(client, now["id"], "approve", lender).status_code == 200
    assert _act(client, now["id"], "pickup", lender).json["status"] == "active"
    assert _act(client, now["id"], "cancel", asker).status_code == 409  # too late: it is picked up
    assert _act(client, now["id"], "decline", lender).status_code == 409
    returned = _act(client, now["id"], "return", lender)
    assert returned.json["status"] == "returned"
    assert db.session.scalar(select(func.count()).select_from(HeldDay)) == 0


def test_someone_elses_booking_is_404_and_unchanged(client, make_user, auth_header, make_listing, today):
    owner, borrower, stranger = make_user(), make_user(), make_user()
    listing = make_listing(owner=owner)
    loan = _ask(client, listing, auth_header(borrower), today + timedelta(days=3), today + timedelta(days=3)).json
    for action in ("approve", "decline", "cancel"):
        assert _act(client, loan["id"], action, auth_header(stranger)).status_code == 404
    assert _act(client, loan["id"], "approve", auth_header(borrower)).status_code == 409
    assert client.get(f"/api/v1/bookings/{loan['id']}", headers=auth_header(stranger)).status_code == 404
    assert db.session.get(Loan, loan["id"]).status == "requested"


def test_respond_by_is_the_sooner_of_expiry_and_start(app, make_user, make_listing):
    listing = make_listing()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    soon = loans.request_loan(
        listing=listing, borrower=make_user(), start=date(2026, 12, 2), end=date(2026, 12, 2), now=now
    )
    assert soon.respond_by == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # midnight in Paris
    later = loans.request_loan(
        listing=listing, borrower=make_user(), start=date(2026, 12, 10), end=date(2026, 12, 11), now=now
    )
    assert later.respond_by == now + timedelta(hours=48)
    assert later.starts_at == datetime(2026, 12, 9, 23, 0, tzinfo=UTC)
    assert later.ends_at == datetime(2026, 12, 11, 23, 0, tzinfo=UTC)
    same_day = loans.request_loan(
        listing=listing, borrower=make_user(), start=date(2026, 12, 1), end=date(2026, 12, 1), now=now
    )
    assert same_day.respond_by == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_approving_a_loan_whose_days_began_is_refused(app, make_user, make_listing):
    owner = make_user()
    listing = make_listing(owner=owner)
    asked = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    loan = loans.request_loan(
        listing=listing, borrower=make_user(), start=date(2026, 12, 2), end=date(2026, 12, 3), now=asked
    )
    with pytest.raises(InvalidTransition):
        bookings.act(booking=loan, action="approve", actor=owner, now=asked + timedelta(days=2))
