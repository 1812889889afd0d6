"""Reviews after a completed booking: API, service, completion rules per kind, pages and profiles."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from sharemarket.bookings import completion, reviews
from sharemarket.bookings.exchange_models import Review
from sharemarket.db import utcnow
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db


def _reviews() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def _review(client, loan, header, **body):
    return client.post(f"/api/v1/bookings/{loan.id}/reviews", json=body, headers=header)


def test_both_sides_review_each_other_once(client, make_loan, auth_header):
    loan = make_loan("returned")
    owner, borrower = loan.listing.owner, loan.user
    lender, asker = auth_header(owner), auth_header(borrower)

    given = _review(client, loan, asker, rating=5, comment="Perceuse impeccable, merci !")
    assert given.status_code == 201, given.json
    assert given.json["author"] == {"id": borrower.id, "display_name": "Borrower"}
    assert given.json["subject"] == {"id": owner.id, "display_name": "Owner"}
    assert given.json["rating"] == 5 and given.json["comment"] == "Perceuse impeccable, merci !"
    assert _review(client, loan, asker, rating=4).status_code == 409
    assert _review(client, loan, lender, rating=4).status_code == 201  # the comment is optional

    public = client.get(f"/api/v1/users/{owner.id}")
    assert public.status_code == 200
    assert public.json["rating"] == {"average": 5.0, "count": 1}
    assert public.json["display_name"] == "Owner"
    assert not {"email", "phone", "home", "home_lat", "locale"} & set(public.json)
    about_borrower = client.get(f"/api/v1/users/{borrower.id}/reviews").json
    assert [(r["rating"], r["comment"], r["author"]["id"]) for r in about_borrower["results"]] == [(4, "", owner.id)]
    assert about_borrower["next"] is None
    assert _reviews() == 2


def test_user_reviews_are_paginated_newest_first(client, make_loan, make_user, auth_header):
    owner = make_user(display_name="Lender")
    for n in range(3):
        loan = make_loan("returned", owner=owner, title=f"Outil {n}")
        assert _review(client, loan, auth_header(loan.user), rating=n + 3, comment=f"c{n}").status_code == 201
    first = client.get(f"/api/v1/users/{owner.id}/reviews", query_string={"limit": 2}).json
    assert [r["comment"] for r in first["results"]] == ["c2", "c1"] and first["next"]
    rest = client.get(f"/api/v1/users/{owner.id}/reviews", query_string={"limit": 2, "cursor": first["next"]}).json
    assert [r["comment"] for r in rest["results"]] == ["c0"] and rest["next"] is None
    assert client.get(f"/api/v1/users/{owner.id}").json["rating"] == {"average": 4.0, "count": 3}
    assert client.get("/api/v1/users/999999").status_code == 404
    assert client.get("/api/v1/users/999999/reviews").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "x"}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({"rating": True}, "rating"),
        ({"rating": None}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "comment": "z" * 1001}, "comment"),
    ],
)
def test_bad_reviews_are_422_and_store_nothing(client, make_loan, auth_header, body, field):
    loan = make_loan("returned")
    response = _review(client, loan, auth_header(loan.user), **body)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json" and field in response.json["errors"]
    assert _reviews() == 0


@pytest.mark.parametrize("status", ["requested", "confirmed", "active", "declined"])
def test_no_review_before_the_loan_is_returned(client, make_loan, auth_header, status):
    loan = make_loan(status)
    assert _review(client, loan, auth_header(loan.user), rating=5).status_code == 409
    assert _review(client, loan, auth_header(loan.listing.owner), rating=5).status_code == 409
    assert _reviews() == 0


def test_someone_elses_booking_is_404(client, make_loan, make_user, auth_header):
    loan = make_loan("returned")
    assert _review(client, loan, auth_header(make_user()), rating=5).status_code == 404
    assert _review(client, loan, {}, rating=5).status_code == 401
    with pytest.raises(NotFound):
        reviews.leave_review(booking=loan, author=make_user(), rating=5, comment="", now=utcnow())
    assert _reviews() == 0


def test_the_service_checks_what_the_page_sends(make_loan):
    loan = make_loan("returned")
    for rating in (0, 6, "5", None, True, 2.0):
        with pytest.raises(ValidationFailed):
            reviews.leave_review(booking=loan, author=loan.user, rating=rating, comment="", now=utcnow())
    review = reviews.leave_review(booking=loan, author=loan.user, rating=3, comment=" ok\x00 ", now=utcnow())
    assert review.comment == "ok" and review.subject_id == loan.listing.owner_id
    with pytest.raises(Conflict):
        reviews.leave_review(booking=loan, author=loan.user, rating=3, comment="", now=utcnow())


def test_completed_is_a_rule_per_kind():
    now = utcnow()

    def booking(kind, status, starts=-2, ends=-1):
        return SimpleNamespace(
            kind=kind, status=status, starts_at=now + timedelta(hours=starts), ends_at=now + timedelta(hours=ends)
        )

    assert completion.is_completed(booking("loan", "returned"), now)
    assert not completion.is_completed(booking("loan", "active"), now)
    assert completion.is_completed(booking("desk", "checked_in"), now)
    assert not completion.is_completed(booking("desk", "checked_in", -1, 1), now)  # slot not over
    assert not completion.is_completed(booking("desk", "confirmed"), now)
    assert completion.is_completed(booking("seat", "confirmed"), now)
    assert not completion.is_completed(booking("seat", "confirmed", 1, 2), now)  # not left yet
    assert not completion.is_completed(booking("seat", "cancelled"), now)
    assert not completion.is_completed(booking("boat", "returned"), now)
    completion.register("boat", lambda b, when: b.status == "returned")
    try:
        assert completion.is_completed(booking("boat", "returned"), now)
    finally:
        del completion.RULES["boat"]


def test_review_from_the_booking_page_and_the_profile(browser, make_loan, client):
    loan = make_loan("returned")
    owner, borrower = loan.listing.owner, loan.user
    asker = browser(borrower)
    page = asker.text(f"/bookings/{loan.id}")
    assert f'action="/bookings/{loan.id}/review"' in page and 'name="rating"' in page

    for bad in ({"rating": "x"}, {"rating": "0"}, {}, {"rating": "5", "comment": "c" * 1001}):
        response = asker.post(f"/bookings/{loan.id}/review", data=bad)
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    assert _reviews() == 0

    done = asker.post(f"/bookings/{loan.id}/review", data={"rating": "4", "comment": "<b>Top</b> voisin"})
    assert done.status_code == 303
    page = asker.text(f"/bookings/{loan.id}")
    assert 'name="rating"' not in page and "4 out of 5" in page
    twice = asker.post(f"/bookings/{loan.id}/review", data={"rating": "5"}, follow_redirects=True)
    assert "already reviewed" in twice.get_data(as_text=True)
    assert _reviews() == 1

    profile = client.get(f"/people/{owner.id}").get_data(as_text=True)
    assert "4 out of 5" in profile and "1 review" in profile
    assert "&lt;b&gt;Top&lt;/b&gt; voisin" in profile and "<b>Top" not in profile
    assert "No reviews yet." in client.get(f"/people/{borrower.id}").get_data(as_text=True)


def test_no_review_form_before_completion(browser, make_loan):
    loan = make_loan("active")
    page = browser(loan.user).text(f"/bookings/{loan.id}")
    assert 'name="rating"' not in page and "Once the booking is completed" in page
    response = browser(loan.user).post(f"/bookings/{loan.id}/review", data={"rating": "5"}, follow_redirects=True)
    assert "once the booking is completed" in response.get_data(as_text=True)
    assert _reviews() == 0
