"""Messages and reviews in the GDPR export, and what stays of them when an account is closed."""

from __future__ import annotations

from sharemarket.accounts import services as accounts
from sharemarket.bookings import messages, reviews
from sharemarket.bookings.exchange_models import MessageRead
from sharemarket.db import utcnow
from sharemarket.extensions import db


def test_export_has_what_the_person_wrote_and_received(client, make_loan, auth_header):
    loan = make_loan("returned")
    owner, borrower = loan.listing.owner, loan.user
    messages.post_message(booking=loan, author=borrower, body="Merci pour le prêt", now=utcnow())
    messages.post_message(booking=loan, author=owner, body="Avec plaisir", now=utcnow())
    reviews.leave_review(booking=loan, author=borrower, rating=5, comment="Top", now=utcnow())
    reviews.leave_review(booking=loan, author=owner, rating=4, comment="Ponctuel", now=utcnow())
    db.session.commit()

    export = client.get("/api/v1/me/export", headers=auth_header(borrower)).json
    assert [m["body"] for m in export["booking_messages"]] == ["Merci pour le prêt"]
    assert [(r["rating"], r["comment"]) for r in export["reviews_written"]] == [(5, "Top")]
    assert [(r["rating"], r["comment"]) for r in export["reviews_received"]] == [(4, "Ponctuel")]


def test_closed_account_leaves_messages_and_reviews_without_the_name(client, browser, make_loan, auth_header):
    loan = make_loan("returned")
    owner, borrower = loan.listing.owner, loan.user
    messages.post_message(booking=loan, author=borrower, body="Merci Owner !", now=utcnow())
    reviews.leave_review(booking=loan, author=borrower, rating=5, comment="Super voisin", now=utcnow())
    db.session.commit()
    lender = auth_header(owner)
    assert client.get(f"/api/v1/bookings/{loan.id}/messages", headers=lender).status_code == 200
    messages.mark_read(booking=loan, reader=borrower, up_to_id=10**6, now=utcnow())

    accounts.delete_account(user=borrower, now=utcnow())
    db.session.commit()

    assert db.session.get(MessageRead, (loan.id, borrower.id)) is None
    thread = client.get(f"/api/v1/bookings/{loan.id}/messages", headers=lender).json["results"]
    assert [(m["body"], m["author"]["display_name"]) for m in thread] == [("Merci Owner !", "Former member")]
    page = browser(owner).text(f"/bookings/{loan.id}")
    assert "Merci Owner !" in page and "Former member" in page and "Borrower" not in page
    about = client.get(f"/api/v1/users/{owner.id}/reviews").json["results"]
    assert [(r["comment"], r["author"]["display_name"]) for r in about] == [("Super voisin", "Former member")]
    profile = client.get(f"/people/{owner.id}").get_data(as_text=True)
    assert "Super voisin" in profile and "Former member" in profile and "Borrower" not in profile
    assert client.get(f"/api/v1/users/{borrower.id}").status_code == 404
