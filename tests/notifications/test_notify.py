from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.accounts import services as accounts
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications import emails, services
from sharemarket.notifications.models import Notification, NotificationPreference, OutboxEmail


def _say(user, now, kind="loan", **kwargs):
    note = services.notify(user=user, kind=kind, title=_l("Title"), body=_l("Body"), now=now, **kwargs)
    db.session.flush()
    return note


def _outbox(user):
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == user.id)))


def test_by_default_an_inbox_line_and_an_email_in_the_users_language(make_user, now):
    person = make_user(locale="fr")
    note = services.notify(
        user=person,
        kind="loan",
        title=_l("Your request expired: %(what)s", what="<b>Perceuse</b>"),
        body=_l("Line one\n\nSee https://example.org/x"),
        link="/bookings/5",
        now=now,
    )
    assert note.created_at == now and note.read_at is None and note.digest_status is None
    (mail,) = _outbox(person)
    assert mail.to_address == person.email and mail.kind == "loan"
    assert mail.subject.endswith("<b>Perceuse</b>")
    assert mail.text_body.startswith("Line one")
    assert "http://127.0.0.1:5000/bookings/5" in mail.text_body
    assert '<html lang="fr">' in mail.html_body
    assert "&lt;b&gt;Perceuse&lt;/b&gt;" in mail.html_body and "<b>Perceuse" not in mail.html_body
    assert '<a href="https://example.org/x"' in mail.html_body
    assert mail.unsubscribe_url in mail.text_body and mail.unsubscribe_url in mail.html_body
    assert emails.read_unsubscribe_token(mail.unsubscribe_url.rsplit("/", 1)[1]) == (person.id, "loan")


def test_inbox_only_sends_no_email_and_digest_waits(make_user, now):
    person = make_user()
    services.set_preferences(user=person, choices={"loan": "inbox", "desk": "digest"}, now=now)
    assert _say(person, now, kind="loan").digest_status is None
    assert _say(person, now, kind="desk").digest_status == "pending"
    assert _say(person, now, kind="ride").digest_status is None
    assert [m.kind for m in _outbox(person)] == ["ride"]
    assert services.unread_count(person) == 3


def test_email_false_and_dedupe_key(make_user, now):
    person = make_user()
    _say(person, now, email=False)
    assert _outbox(person) == []
    assert _say(person, now, dedupe_key="loan:1:reminder") is not None
    assert _say(person, now, dedupe_key="loan:1:reminder") is None
    assert len(_outbox(person)) == 1


def test_account_mail_is_always_sent_and_has_no_unsubscribe(make_user, now):
    person = make_user()
    # Even a stored choice (which the services refuse to write) cannot silence account mail.
    db.session.add(NotificationPreference(user_id=person.id, kind="account", channel="inbox", updated_at=now))
    mail = services.queue_email(user=person, kind="account", subject=_l("Reset"), body=_l("Link"), now=now)
    assert mail is not None and mail.unsubscribe_url is None
    assert "/notifications/unsubscribe/" not in mail.text_body


def test_queue_email_respects_inbox_only(make_user, now):
    person = make_user()
    services.set_preferences(user=person, choices={"alert": "inbox"}, now=now)
    assert services.queue_email(user=person, kind="alert", subject=_l("New ride"), body=_l("x"), now=now) is None
    assert services.queue_email(user=person, kind="ride", subject=_l("Ride"), body=_l("x"), now=now) is not None


def test_unknown_kind_is_emailed_like_the_default(make_user, now):
    person = make_user()
    _say(person, now, kind="something_new")
    assert [m.kind for m in _outbox(person)] == ["something_new"]


def test_closed_account_is_told_nothing_and_keeps_nothing(make_user, now):
    person = make_user()
    _say(person, now)
    services.set_preferences(user=person, choices={"loan": "digest"}, now=now)
    accounts.delete_account(user=person, now=now)
    assert _say(person, now) is None
    assert services.queue_email(user=person, kind="account", subject=_l("x"), body=_l("y"), now=now) is None
    for model in (Notification, OutboxEmail, NotificationPreference):
        assert db.session.scalars(select(model).where(model.user_id == person.id)).all() == []


def test_export_lists_inbox_and_choices(make_user, now):
    person = make_user()
    _say(person, now)
    services.set_preferences(user=person, choices={"desk": "digest"}, now=now)
    data = accounts.export_personal_data(user=person)["notifications"]
    assert data["preferences"]["desk"] == "digest" and data["preferences"]["loan"] == "email"
    assert [n["title"] for n in data["inbox"]] == ["Title"]


@pytest.mark.parametrize(
    "choices, field",
    [({"nope": "email"}, "nope"), ({"loan": "pigeon"}, "loan"), ({"account": "inbox"}, "account")],
)
def test_bad_choices_change_nothing(make_user, now, choices, field):
    person = make_user()
    with pytest.raises(ValidationFailed) as caught:
        services.set_preferences(user=person, choices={"desk": "inbox", **choices}, now=now)
    assert set(caught.value.errors) == {field}
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_mark_read_touches_only_the_owners_notifications(make_user, now):
    ana, bob = make_user(), make_user()
    mine = [_say(ana, now).id for _ in range(3)]
    theirs = _say(bob, now).id
    assert services.mark_read(user=ana, ids=[mine[0], theirs], now=now) == 1
    assert services.unread_count(ana) == 2 and services.unread_count(bob) == 1
    assert services.mark_read(user=ana, ids=[], now=now) == 0
    assert services.mark_read(user=ana, now=now) == 2
    assert services.unread_count(ana) == 0 and services.unread_count(bob) == 1


@pytest.mark.parametrize(
    "kind, family",
    [
        ("loan", "loan"),
        ("loan_overdue", "loan"),
        ("listing_stale", "listing"),
        ("desks", "desk"),
        ("seat_requested", "ride"),
        ("ride_reminder", "ride"),
        ("ride_alert", "alert"),
        ("account_changed", "account"),
        ("message", "message"),
        ("interop_message", "message"),
        ("review", "review"),
        ("moderation_warning", "account"),
        ("community_invitation", "community"),
        ("svg", None),
    ],
)
def test_features_kinds_fall_in_families(kind, family):
    from sharemarket.notifications import kinds

    assert kinds.family(kind) == family


def test_a_choice_applies_to_every_kind_of_its_family(make_user, now):
    person = make_user()
    services.set_preferences(user=person, choices={"loan": "inbox", "ride": "digest"}, now=now)
    assert _say(person, now, kind="loan_overdue").digest_status is None
    assert _say(person, now, kind="seat_requested").digest_status == "pending"
    _say(person, now, kind="desks")
    (mail,) = _outbox(person)
    assert mail.kind == "desks"
    assert emails.read_unsubscribe_token(mail.unsubscribe_url.rsplit("/", 1)[1]) == (person.id, "desk")
    assert "Desk bookings" in mail.text_body
