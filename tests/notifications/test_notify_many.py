"""`notify_many` (a job's batch) writes exactly what `notify` writes, one call at a time, would."""

from __future__ import annotations

from flask_babel import force_locale, get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from sharemarket.accounts import services as accounts
from sharemarket.extensions import db
from sharemarket.i18n import text_in
from sharemarket.notifications import emails, services
from sharemarket.notifications.models import Notification, OutboxEmail
from sharemarket.notifications.services import Notice


def _notices(make_user, now) -> list[Notice]:
    french = make_user(locale="fr", display_name="Zoé <admin> & co")
    english = make_user(locale="en")
    dutch_inbox = make_user(locale="nl")
    services.set_preferences(user=dutch_inbox, choices={"loan": "inbox"}, now=now)
    digest = make_user(locale="fr")
    services.set_preferences(user=digest, choices={"loan": "digest", "ride": "inbox"}, now=now)
    partner = make_user()
    partner.email = f"passenger-{partner.id}@partner.invalid"  # as partner operators' passengers have
    closed = make_user()
    accounts.delete_account(user=closed, now=now)
    db.session.commit()
    body = _l(
        "Hello %(name)s,\n\nNobody answered your request for %(what)s in time.\nSee https://example.org/x?a=1&b=2",
        name=french.display_name,
        what="Perceuse <Bosch> & mèches",
    )
    notices = []
    for n, user in enumerate([french, english, dutch_inbox, digest, partner, closed]):
        title = _l("Your request expired: %(what)s", what=f"Perceuse <Bosch> #{n}")
        notices += [
            Notice(
                user=user,
                kind="loan_request_expired",
                title=title,
                body=body,
                link=f"/listings/{n}",
                dedupe_key=f"k{n}",
            ),
            Notice(user=user, kind="seat_expired", title=_l("Your seat request expired"), body=_l("Short.")),
            Notice(user=user, kind="account", title=title, body=body, link="https://elsewhere.example/p?q=<1>"),
        ]
    return notices


def _written(user_ids) -> tuple[list, list]:
    notes = db.session.execute(
        select(
            Notification.user_id,
            Notification.kind,
            Notification.title,
            Notification.body,
            Notification.link,
            Notification.created_at,
            Notification.dedupe_key,
            Notification.digest_status,
            Notification.read_at,
        )
        .where(Notification.user_id.in_(user_ids))
        .order_by(Notification.id)
    ).all()
    mails = db.session.execute(
        select(
            OutboxEmail.user_id,
            OutboxEmail.to_address,
            OutboxEmail.kind,
            OutboxEmail.subject,
            OutboxEmail.text_body,
            OutboxEmail.html_body,
            OutboxEmail.unsubscribe_url,
            OutboxEmail.created_at,
            OutboxEmail.next_attempt_at,
            OutboxEmail.attempts,
        )
        .where(OutboxEmail.user_id.in_(user_ids))
        .order_by(OutboxEmail.id)
    ).all()
    return notes, mails


def _forget(user_ids) -> None:
    for model in (Notification, OutboxEmail):
        db.session.execute(delete(model).where(model.user_id.in_(user_ids)))


def test_a_batch_writes_what_one_notify_at_a_time_writes(make_user, now):
    notices = _notices(make_user, now)
    people = {notice.user.id for notice in notices}
    for notice in notices:
        services.notify(
            user=notice.user,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            link=notice.link,
            now=now,
            dedupe_key=notice.dedupe_key,
        )
    db.session.flush()
    one_by_one = _written(people)
    _forget(people)

    assert services.notify_many(notices, now=now) == len(one_by_one[0]) == 15
    assert _written(people) == one_by_one
    notes, mails = one_by_one
    # What that is: nothing for the closed account nor to an .invalid address; "inbox only" and
    # "digest" send no mail, except account mail; each in its person's language.
    assert [m.user_id for m in mails] == [notices[i].user.id for i in (0, 1, 2, 3, 4, 5, 7, 8, 11)]
    assert {m.subject for m in mails if m.kind == "loan_request_expired"} >= {
        "Votre demande a expiré : Perceuse <Bosch> #0",
        "Your request expired: Perceuse <Bosch> #1",
    }
    assert [n.digest_status for n in notes if n.kind == "loan_request_expired"] == [None, None, None, "pending", None]


def test_a_key_already_told_or_twice_in_a_batch_is_told_once(make_user, now):
    person, other = make_user(), make_user()
    services.notify(user=person, kind="loan", title=_l("Title"), body=_l("Body"), now=now, dedupe_key="seen")
    db.session.flush()
    batch = [
        Notice(user=person, kind="loan", title=_l("Again"), body=_l("Body"), dedupe_key="seen"),
        Notice(user=person, kind="loan", title=_l("New"), body=_l("Body"), dedupe_key="fresh"),
        Notice(user=person, kind="loan", title=_l("New twice"), body=_l("Body"), dedupe_key="fresh"),
        Notice(user=other, kind="loan", title=_l("Same key, other person"), body=_l("Body"), dedupe_key="seen"),
        Notice(user=other, kind="loan", title=_l("No key"), body=_l("Body")),
    ]
    assert services.notify_many(batch, now=now) == 3
    assert db.session.scalars(
        select(Notification.title).where(Notification.user_id == other.id).order_by(Notification.id)
    ).all() == ["Same key, other person", "No key"]
    assert db.session.scalars(
        select(Notification.title).where(Notification.user_id == person.id).order_by(Notification.id)
    ).all() == ["Title", "New"]
    assert db.session.scalars(select(OutboxEmail.subject).where(OutboxEmail.user_id == person.id)).all() == [
        "Title",
        "New",
    ]

    # The same batch again (a job run twice) tells nobody anything more.
    before = (
        db.session.scalar(select(func.count(Notification.id))),
        db.session.scalar(select(func.count(OutboxEmail.id))),
    )
    assert services.notify_many(batch[:4], now=now) == 0
    after = (
        db.session.scalar(select(func.count(Notification.id))),
        db.session.scalar(select(func.count(OutboxEmail.id))),
    )
    assert after == before


def test_paragraphs_without_links_are_what_the_template_makes(app):
    template = app.jinja_env.get_template("notifications/email/_paragraphs.html")
    texts = [
        "",
        "   \n\n \n",
        "One line",
        "Hello <b>Zoé</b> & co,\n\nNobody answered.\nAsk again.",
        "\n\nLeading and trailing blank lines\n\n\n",
        "  Indented first line\n  and second\n\n\tTabbed\t\n\n\n\nAfter three blank lines",
        "Line with a CR\r\nand more\r\n\r\nnext",
        "Quotes \" and ' and <script>alert(1)</script>\n\n« guillemets » — dashes",
        "a\n\n\nb\n \nc",
    ]
    for text in texts:
        assert emails.paragraphs_without_links(text) == template.render(text=text), text


def test_texts_looked_up_in_a_catalogue_are_what_flask_babel_makes(app):
    """`text_in` (how a batch's lazy texts are rendered) against `str()` in each locale: plain
    messages, values (lazy ones too, rendered in the same locale), a `%` in a value, other lazy
    texts and plain strings."""
    what = _l("The daily summary of my notifications")
    texts = [
        _l("Your request expired: %(what)s", what="Perceuse <Bosch> 100 %"),
        _l("Your request expired: %(what)s", what=what),
        _l("Some choices are invalid."),
        _l("A message no catalogue has"),
        lazy_ngettext("%(num)d day", "%(num)d days", 3),
        "a plain string",
    ]
    for locale in app.config["LANGUAGES"]:
        with force_locale(locale):
            translations = get_translations()
            for text in texts:
                assert text_in(translations, text) == str(text), (locale, text)
    with force_locale("fr"):
        french = text_in(get_translations(), texts[1])
    assert french == "Votre demande a expiré : Le récapitulatif quotidien de mes notifications"
