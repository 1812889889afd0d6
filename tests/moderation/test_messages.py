"""Reporting and hiding a booking's message: both sides then read a notice, moderators the text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sharemarket.bookings import messages
from sharemarket.db import utcnow
from sharemarket.errors import Conflict
from sharemarket.extensions import db
from sharemarket.moderation import services
from sharemarket.moderation.models import ModerationAction, Report
from sharemarket.notifications.models import Notification

INSULT = "Espèce de voleur, rends-moi ma perceuse"


def _thread(make_loan):
    loan = make_loan("confirmed")
    owner = loan.listing.owner
    message = messages.post_message(booking=loan, author=owner, body=INSULT, now=utcnow())
    db.session.commit()
    return loan, owner, message


def test_the_other_side_reports_a_message_and_a_moderator_hides_it(client, make_loan, make_moderator, login):
    loan, owner, message = _thread(make_loan)
    borrower = loan.user
    login(borrower)
    page = client.get(f"/bookings/{loan.id}").get_data(as_text=True)
    assert INSULT in page and f"target_type=message&amp;target_id={message.id}" in page
    sent = client.post("/report", data={"target_type": "message", "target_id": message.id, "reason": "harassment"})
    assert sent.status_code == 302
    client.post("/logout")

    moderator = make_moderator()
    login(moderator)
    queue = client.get("/moderation").get_data(as_text=True)
    assert INSULT in queue  # moderators read the reported text without opening the booking
    report = db.session.scalars(select(Report)).one()
    done = client.post(
        "/moderation/actions",
        data={
            "action": "hide",
            "target_type": "message",
            "target_id": message.id,
            "report_id": report.id,
            "reason": "Insulte",
        },
    )
    assert done.status_code == 302
    client.post("/logout")

    for party in (borrower, owner):
        login(party)
        thread = client.get(f"/bookings/{loan.id}").get_data(as_text=True)
        assert "Message hidden by a moderator." in thread and INSULT not in thread
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(type(message), message.id).body == INSULT  # kept for the log
    entry = db.session.scalars(select(ModerationAction)).one()
    assert (entry.moderator_id, entry.action, entry.target_type, entry.reason, entry.report_id) == (
        moderator.id,
        "hide",
        "message",
        "Insulte",
        report.id,
    )


def test_hidden_message_in_the_api_inbox_and_back_when_unhidden(client, make_loan, make_moderator, auth_header):
    loan, owner, message = _thread(make_loan)
    moderator = make_moderator()
    header = auth_header(loan.user)
    services.act(
        actor=moderator, action="hide", target_type="message", target_id=message.id, reason="Insulte", now=utcnow()
    )
    db.session.commit()
    (shown,) = client.get(f"/api/v1/bookings/{loan.id}/messages", headers=header).json["results"]
    assert shown["hidden"] is True and shown["body"] == "Message hidden by a moderator."
    inbox = db.session.scalars(select(Notification.body).where(Notification.user_id == loan.user_id)).all()
    assert INSULT not in " ".join(inbox) and "Message hidden by a moderator." in inbox
    services.act(
        actor=moderator, action="unhide", target_type="message", target_id=message.id, reason="Erreur", now=utcnow()
    )
    db.session.commit()
    (shown,) = client.get(f"/api/v1/bookings/{loan.id}/messages", headers=header).json["results"]
    assert shown["hidden"] is False and shown["body"] == INSULT
    assert [a.action for a in services.log()] == ["unhide", "hide"]


def test_only_the_two_sides_of_a_booking_may_report_its_messages(client, make_loan, make_user, auth_header):
    loan, owner, message = _thread(make_loan)
    body = {"target_type": "message", "target_id": message.id, "reason": "harassment"}
    stranger = client.post("/api/v1/reports", json=body, headers=auth_header(make_user()))
    assert stranger.status_code == 422
    assert client.post("/api/v1/reports", json=body, headers=auth_header(owner)).status_code == 422  # their own
    assert client.post("/api/v1/reports", json=body, headers=auth_header(loan.user)).status_code == 201


def test_hiding_twice_is_a_conflict_and_is_logged_once(make_loan, make_moderator):
    _loan, _owner, message = _thread(make_loan)
    moderator = make_moderator()
    services.act(actor=moderator, action="hide", target_type="message", target_id=message.id, reason="x", now=utcnow())
    with pytest.raises(Conflict):
        services.act(
            actor=moderator, action="hide", target_type="message", target_id=message.id, reason="x", now=utcnow()
        )
    assert len(services.log()) == 1
