"""Message threads on bookings: through the API, the service and the booking page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.bookings import messages
from sharemarket.bookings.exchange_models import BookingMessage
from sharemarket.db import utcnow
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification


def _messages() -> int:
    return db.session.scalar(select(func.count(BookingMessage.id)))


def _notes(user, kind="message") -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    return list(db.session.scalars(query))


def test_a_thread_through_the_api(client, make_loan, auth_header):
    loan = make_loan("confirmed")
    owner, borrower = loan.listing.owner, loan.user
    lender, asker = auth_header(owner), auth_header(borrower)
    url = f"/api/v1/bookings/{loan.id}/messages"

    sent = client.post(url, json={"body": "  Bonjour ! Je passe à 18 h ?\r\nMerci  "}, headers=asker)
    assert sent.status_code == 201, sent.json
    assert sent.json["body"] == "Bonjour ! Je passe à 18 h ?\nMerci"
    assert sent.json["author"] == {"id": borrower.id, "display_name": "Borrower"}
    assert sent.json["mine"] is True and sent.json["created_at"].endswith("Z")

    notes = _notes(owner)
    assert len(notes) == 1 and notes[0].link == f"/bookings/{loan.id}" and "Bonjour" in notes[0].body
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=lender).json["unread_messages"] == 1
    listed = client.get("/api/v1/bookings?role=to_handle", headers=lender).json["results"]
    assert listed[0]["unread_messages"] == 1
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=asker).json["unread_messages"] == 0

    thread = client.get(url, headers=lender)
    assert thread.status_code == 200
    assert [m["body"] for m in thread.json["results"]] == ["Bonjour ! Je passe à 18 h ?\nMerci"]
    assert thread.json["results"][0]["mine"] is False and thread.json["next"] is None
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=lender).json["unread_messages"] == 0
    db.session.expire_all()
    assert _notes(owner)[0].read_at is not None  # reading the thread reads its notification

    reply = client.post(url, json={"body": "Parfait, à ce soir."}, headers=lender)
    assert reply.status_code == 201
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=asker).json["unread_messages"] == 1


def test_the_thread_is_paginated_oldest_first(client, make_loan, auth_header):
    loan = make_loan("requested")
    asker, lender = auth_header(loan.user), auth_header(loan.listing.owner)
    url = f"/api/v1/bookings/{loan.id}/messages"
    for n in range(5):
        assert client.post(url, json={"body": f"message {n}"}, headers=asker).status_code == 201
    first = client.get(url, query_string={"limit": 2}, headers=lender).json
    assert [m["body"] for m in first["results"]] == ["message 0", "message 1"] and first["next"]
    # Reading the first page marks only what was read.
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=lender).json["unread_messages"] == 3
    second = client.get(url, query_string={"limit": 2, "cursor": first["next"]}, headers=lender).json
    third = client.get(url, query_string={"limit": 2, "cursor": second["next"]}, headers=lender).json
    assert [m["body"] for m in second["results"] + third["results"]] == ["message 2", "message 3", "message 4"]
    assert third["next"] is None
    assert client.get(f"/api/v1/bookings/{loan.id}", headers=lender).json["unread_messages"] == 0
    bad = client.get(url, query_string={"cursor": "forged.0000"}, headers=lender)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n\t "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": 42}, "body"),
        ({}, "body"),
        ({"body": "\x00\x01"}, "body"),
    ],
)
def test_bad_messages_are_422_and_store_nothing(client, make_loan, auth_header, body, field):
    loan = make_loan("requested")
    response = client.post(f"/api/v1/bookings/{loan.id}/messages", json=body, headers=auth_header(loan.user))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json" and field in response.json["errors"]
    assert _messages() == 0


def test_longest_message_is_accepted(client, make_loan, auth_header):
    loan = make_loan("requested")
    response = client.post(
        f"/api/v1/bookings/{loan.id}/messages", json={"body": "é" * 2000}, headers=auth_header(loan.user)
    )
    assert response.status_code == 201 and len(response.json["body"]) == 2000


def test_strangers_get_404_and_not_json_gets_415(client, make_loan, make_user, auth_header):
    loan = make_loan("confirmed")
    stranger = auth_header(make_user(display_name="Stranger"))
    url = f"/api/v1/bookings/{loan.id}/messages"
    assert client.get(url, headers=stranger).status_code == 404
    assert client.post(url, json={"body": "hello"}, headers=stranger).status_code == 404
    assert client.get("/api/v1/bookings/999999/messages", headers=stranger).status_code == 404
    assert client.get(url).status_code == 401
    assert client.post(url, data="body=hi", headers=auth_header(loan.user)).status_code == 415
    assert _messages() == 0


def test_a_thread_closes_30_days_after_the_end(client, make_loan, auth_header):
    loan = make_loan("returned")
    later = utcnow() + timedelta(days=31)
    with pytest.raises(Conflict):
        messages.post_message(booking=loan, author=loan.user, body="Merci encore !", now=later)
    assert messages.post_message(booking=loan, author=loan.user, body="Merci !", now=utcnow()) is not None
    loan.updated_at = utcnow() - timedelta(days=31)
    db.session.commit()
    response = client.post(
        f"/api/v1/bookings/{loan.id}/messages", json={"body": "Merci encore !"}, headers=auth_header(loan.user)
    )
    assert response.status_code == 409
    # Reading stays possible.
    assert len(client.get(f"/api/v1/bookings/{loan.id}/messages", headers=auth_header(loan.user)).json["results"]) == 1


def test_an_open_old_booking_keeps_its_thread(make_loan):
    loan = make_loan("active")
    later = utcnow() + timedelta(days=60)  # an item still out, long after: the two sides must talk
    assert messages.post_message(booking=loan, author=loan.listing.owner, body="Rendez-la, svp.", now=later)


def test_too_many_messages_in_a_minute_get_429(client, make_loan, auth_header):
    loan = make_loan("confirmed")
    header = auth_header(loan.user)
    url = f"/api/v1/bookings/{loan.id}/messages"
    codes = [client.post(url, json={"body": f"n° {n}"}, headers=header).status_code for n in range(11)]
    assert codes == [201] * 10 + [429]
    assert _messages() == 10
    # The next minute it works again.
    again = messages.post_message(booking=loan, author=loan.user, body="ok", now=utcnow() + timedelta(minutes=2))
    assert again.id


def test_one_notification_per_run_of_unread_messages(make_loan):
    loan = make_loan("confirmed")
    owner, borrower = loan.listing.owner, loan.user
    first = messages.post_message(booking=loan, author=borrower, body="Un", now=utcnow())
    messages.post_message(booking=loan, author=borrower, body="Deux", now=utcnow())
    assert len(_notes(owner)) == 1
    assert messages.unread_counts(owner.id, [loan.id]) == {loan.id: 2}
    assert messages.unread_counts(borrower.id, [loan.id]) == {}
    messages.mark_read(booking=loan, reader=owner, up_to_id=first.id, now=utcnow())
    assert messages.unread_counts(owner.id, [loan.id]) == {loan.id: 1}
    messages.mark_read(booking=loan, reader=owner, up_to_id=first.id - 1, now=utcnow())  # never moves back
    assert messages.unread_counts(owner.id, [loan.id]) == {loan.id: 1}
    messages.post_message(booking=loan, author=borrower, body="Trois", now=utcnow())
    assert len(_notes(owner)) == 2


def test_the_service_refuses_strangers_and_control_characters(make_loan, make_user):
    loan = make_loan("requested")
    with pytest.raises(NotFound):
        messages.post_message(booking=loan, author=make_user(), body="hi", now=utcnow())
    with pytest.raises(ValidationFailed):
        messages.post_message(booking=loan, author=loan.user, body="\x00\x07 \x1b", now=utcnow())
    kept = messages.post_message(booking=loan, author=loan.user, body="a\x00b\tc", now=utcnow())
    assert kept.body == "ab\tc"


def test_the_booking_page_thread_escapes_html(browser, make_loan):
    loan = make_loan("confirmed")
    asker, lender = browser(loan.user), browser(loan.listing.owner)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sent = asker.post(f"/bookings/{loan.id}/messages", data={"body": attack})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/bookings/{loan.id}#messages")

    mine = lender.text("/bookings")
    assert "1 unread message" in mine
    page = lender.text(f"/bookings/{loan.id}")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "1 unread message" not in lender.text("/bookings")  # the page read it


def test_bad_messages_on_the_page_show_an_error(browser, make_loan):
    loan = make_loan("confirmed")
    asker = browser(loan.user)
    for body in ("", "   ", "y" * 2001):
        response = asker.post(f"/bookings/{loan.id}/messages", data={"body": body})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'class="error"' in page and 'aria-invalid="true"' in page
    assert _messages() == 0
