"""Tell people things: inbox lines and e-mails (as each person chose per kind), read marks, choices.

E-mails are written to the outbox in the caller's transaction and sent after commit by the
`deliver_outbox` job (see outbox.py), so a failed request never sends one and a failed send
never loses one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, delete, func, select, text, update

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.db import among, insert_many, lock_row
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.i18n import text_in
from sharemarket.notifications import emails, kinds, outbox
from sharemarket.notifications.models import Notification, NotificationPreference, OutboxEmail


def notify(
    *,
    user: User,
    kind: str,
    title: object,
    body: object,
    now: datetime,
    link: str | None = None,
    email: bool = True,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell a user something: an inbox line, plus an e-mail now or in the daily digest as they chose.

    `title` and `body` are lazy translations (`_l("... %(name)s", name=...)`), rendered here in
    the recipient's locale. With a `dedupe_key`, a second call with the same key for the same
    user does nothing, so a job that runs twice never tells anyone twice. `email=False` keeps it
    in the inbox whatever the person chose. Nobody is told anything once their account is closed.
    """
    if user.status == "deleted":
        return None
    seen, chosen = _seen_and_chosen(user, kind, dedupe_key)
    if seen:
        return None
    channel = _channel(kind, chosen) if email else kinds.INBOX
    with force_locale(user.locale):
        title_text, body_text = str(title), str(body)
    note = Notification(**_notification_row(user, kind, title_text, body_text, link, now, dedupe_key, channel))
    # Not flushed here: the caller's next flush or commit writes it, many at once in a job.
    db.session.add(note)
    if channel == kinds.EMAIL and not undeliverable(user.email):
        write_email(user, kind, emails.message(user=user, kind=kind, subject=title, body=body, link=link), now)
    return note


# One round trip per notification: plain SQL, nothing to compile each time.
_SEEN_AND_CHOSEN = text(
    "SELECT (SELECT channel FROM notification_preferences WHERE user_id = :user AND kind = :family), "
    "EXISTS (SELECT 1 FROM notifications WHERE user_id = :user AND dedupe_key = :key)"
)


def _seen_and_chosen(user: User, kind: str, dedupe_key: str | None) -> tuple[bool, str | None]:
    """In one query: was `dedupe_key` already notified to `user`, and their choice for `kind`'s family."""
    chosen, seen = db.session.execute(
        _SEEN_AND_CHOSEN, {"user": user.id, "family": kinds.family(kind) or kind, "key": dedupe_key}
    ).one()
    return bool(seen), chosen


def _channel(kind: str, chosen: str | None) -> str:
    """The person's choice for the kind's family, the default without one; account mail is e-mailed."""
    return kinds.EMAIL if kinds.is_locked(kind) else (chosen or kinds.default_channel(kind))


def _notification_row(user: User, kind: str, title: str, body: str, link, now, dedupe_key, channel: str) -> dict:
    return {
        "user_id": user.id,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "link": link,
        "created_at": now,
        "dedupe_key": dedupe_key,
        "digest_status": "pending" if channel == kinds.DIGEST else None,
    }


@dataclass(frozen=True)
class Notice:
    """What one `notify()` call says (with e-mail as the person chose), for `notify_many`. `user`
    is a User or a row of RECIPIENT columns."""

    user: User | Row
    kind: str
    title: object
    body: object
    link: str | None = None
    dedupe_key: str | None = None


# What telling someone reads about them.
RECIPIENT = (User.id, User.email, User.locale, User.status, User.display_name)


def recipients(user_ids: Iterable[int]) -> dict[int, Row]:
    """The RECIPIENT columns of many people by id, in one query and without ORM objects."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {row.id: row for row in db.session.execute(select(*RECIPIENT).where(among(User.id, wanted)))}


def notify_many(notices: Sequence[Notice], *, now: datetime) -> int:
    """`notify()` for a job's batch, with the same outcome: nothing for closed accounts, once per
    person and dedupe key, each person's channel and language. One query reads the choices; the
    notifications are one multi-row INSERT that skips the keys already notified (the unique
    constraint decides, even against a concurrent writer), and the e-mails of those written
    another, rendered by `emails.MessageBatch`. Nothing is kept in the session. Returns how many
    notifications were written."""
    live = [notice for notice in notices if notice.user.status != "deleted"]
    if not live:
        return 0
    chosen = _choices(
        {notice.user.id for notice in live}, {kinds.family(notice.kind) or notice.kind for notice in live}
    )
    texts: dict[int, tuple[str, str]] = {}
    by_locale = sorted(range(len(live)), key=lambda index: live[index].user.locale)
    for locale, group in groupby(by_locale, key=lambda index: live[index].user.locale):
        with force_locale(locale):
            translations = get_translations()
            for index in group:
                texts[index] = text_in(translations, live[index].title), text_in(translations, live[index].body)
    channels = [_channel(n.kind, chosen.get((n.user.id, kinds.family(n.kind) or n.kind))) for n in live]
    written = _insert_new(
        [
            _notification_row(n.user, n.kind, *texts[index], n.link, now, n.dedupe_key, channels[index])
            for index, n in enumerate(live)
        ]
    )
    told = len(written) + sum(1 for notice in live if notice.dedupe_key is None)
    letters = emails.MessageBatch()
    mails = []
    for index, notice in enumerate(live):
        user, key = notice.user, notice.dedupe_key
        if key is not None:
            if (user.id, key) not in written:
                continue
            written.discard((user.id, key))  # a batch's second notice of a key was not written
        if channels[index] == kinds.EMAIL and not undeliverable(user.email):
            title, body = texts[index]
            mail = letters.message(user=user, kind=notice.kind, subject=title, body=body, link=notice.link)
            mails.append(_outbox_row(user, notice.kind, mail, now))
    insert_many(OutboxEmail.__table__, mails)
    return told


def _insert_new(rows: list[dict]) -> set[tuple[int, str]]:
    """Insert the notifications whose (person, dedupe key) is not taken yet, the first of a batch's
    duplicates included; returns the (person, key) pairs written (rows without a key always are)."""
    if db.session.get_bind().dialect.name == "postgresql":
        written = db.session.execute(_INSERT_NEW_POSTGRESQL, {"rows": json.dumps(rows, default=datetime.isoformat)})
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # only where SQLite is the database

        table = Notification.__table__
        statement = (
            sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(table.c.user_id, table.c.dedupe_key)
        )
        written = db.session.execute(statement, rows)
    return {(row.user_id, row.dedupe_key) for row in written if row.dedupe_key}


# PostgreSQL takes the batch as one JSON document: a short statement whatever the batch's size (as
# a VALUES list, psycopg spends twice the time the database does parsing its 8,000 parameters; as
# arrays of text, it escapes every title and body in Python), its rows read in order.
_INSERT_NEW_POSTGRESQL = text(
    "INSERT INTO notifications (user_id, kind, title, body, link, created_at, dedupe_key, digest_status) "
    "SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS row(user_id integer, kind text, title text, "
    "body text, link text, created_at timestamptz, dedupe_key text, digest_status text) "
    "ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING user_id, dedupe_key"
)


def _choices(user_ids: set[int], families: set[str]) -> dict[tuple[int, str], str]:
    query = select(NotificationPreference.user_id, NotificationPreference.kind, NotificationPreference.channel).where(
        among(NotificationPreference.user_id, user_ids), NotificationPreference.kind.in_(families)
    )
    return {(row.user_id, row.kind): row.channel for row in db.session.execute(query)}


def _chosen_channel(user: User, kind: str):
    return select(NotificationPreference.channel).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == (kinds.family(kind) or kind)
    )


def queue_email(
    *, user: User, kind: str, subject: object, body: object, now: datetime, link: str | None = None
) -> OutboxEmail | None:
    """An e-mail with no inbox line (password reset...), in the user's language, sent after commit.

    Account mail always goes; for other kinds, a person who chose "inbox only" gets none.
    """
    if user.status == "deleted" or undeliverable(user.email) or channel_for(user, kind) == kinds.INBOX:
        return None
    return write_email(user, kind, emails.message(user=user, kind=kind, subject=subject, body=body, link=link), now)


def write_email(user: User, kind: str, mail: emails.RenderedEmail, now: datetime) -> OutboxEmail:
    """Put a rendered e-mail in the outbox, whatever the person chose (callers decide that)."""
    row = OutboxEmail(**_outbox_row(user, kind, mail, now))
    db.session.add(row)
    outbox.note_written(row)
    return row


def _outbox_row(user: User, kind: str, mail: emails.RenderedEmail, now: datetime) -> dict:
    return {
        "user_id": user.id,
        "to_address": user.email,
        "kind": kind,
        "subject": mail.subject,
        "text_body": mail.text,
        "html_body": mail.html,
        "unsubscribe_url": mail.unsubscribe_url,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


def undeliverable(address: str) -> bool:
    """Addresses in the reserved .invalid domain (RFC 2606), such as those of partner operators'
    passengers, can never receive mail."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return domain == "invalid" or domain.endswith(".invalid")


# -- the inbox ---------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def inbox_query(*, user: User, unread: bool | None = None, before_id: int | None = None) -> Select:
    """A user's notifications, newest first; `unread` True/False keeps only unread/read ones."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return query.order_by(Notification.id.desc())


def mark_read(*, user: User, now: datetime, ids: list[int] | None = None) -> int:
    """Mark some (`ids`) or all of a user's unread notifications read; others' ids are ignored."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    marked = db.session.execute(query.values(read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return marked


# -- choices per kind --------------------------------------------------------------------------


def channel_for(user: User, kind: str) -> str:
    """How `user` hears about `kind`: their choice for its family, or the default."""
    if kinds.is_locked(kind):
        return kinds.EMAIL
    return db.session.scalar(_chosen_channel(user, kind)) or kinds.default_channel(kind)


def preferences(user: User) -> list[dict]:
    """Every kind a person can choose for, with their channel (or the default) and whether it is fixed."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return [
        {
            "kind": kind.name,
            "label": str(kind.label),
            "channel": kinds.EMAIL if kind.locked else chosen.get(kind.name, kind.default),
            "locked": kind.locked,
        }
        for kind in kinds.KINDS.values()
    ]


def set_preferences(*, user: User, choices: dict[str, str], now: datetime) -> None:
    """Set the channel of some kinds; the others keep theirs. Bad kinds or channels change nothing."""
    errors: dict[str, list] = {}
    for kind, channel in choices.items():
        if kind not in kinds.KINDS:
            errors[kind] = [_l("There is no such kind of notification.")]
        elif channel not in kinds.CHANNELS:
            errors[kind] = [_l("Choose one of: %(choices)s.", choices=", ".join(kinds.CHANNELS))]
        elif kinds.is_locked(kind) and channel != kinds.EMAIL:
            errors[kind] = [_l("Messages about your account and its security are always e-mailed.")]
    if errors:
        raise ValidationFailed(_l("Some choices are invalid."), errors)
    _store(user, choices, now)


def _store(user: User, choices: dict[str, str], now: datetime) -> None:
    # The person's row lock serialises two saves at once, so the insert below never races.
    lock_row(db.session, User, user.id)
    existing = {
        pref.kind: pref
        for pref in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    }
    for kind, channel in choices.items():
        pref = existing.get(kind)
        if pref is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel, updated_at=now))
        elif pref.channel != channel:
            pref.channel, pref.updated_at = channel, now
    db.session.flush()


def unsubscribe(*, token: str, now: datetime) -> tuple[User, str] | None:
    """Follow a one-click unsubscribe link: that kind (or everything sent by digest) becomes inbox only.

    Returns the person and the kind, or None when the link is not one we signed or the account
    is closed. Account mail cannot be stopped.
    """
    found = emails.read_unsubscribe_token(token)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    kind = kinds.family(found[1]) or found[1]
    if user is None or user.status == "deleted" or kinds.is_locked(kind):
        return None
    if kind == kinds.DIGEST_KIND:
        by_digest = [p["kind"] for p in preferences(user) if p["channel"] == kinds.DIGEST]
        _store(user, dict.fromkeys(by_digest, kinds.INBOX), now)
    else:
        _store(user, {kind: kinds.INBOX}, now)
    return user, kind


# -- personal data -----------------------------------------------------------------------------


def _export(user: User) -> tuple[str, object]:
    notes = db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return "notifications", {
        "preferences": {p["kind"]: p["channel"] for p in preferences(user)},
        "inbox": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in notes
        ],
    }


def _erase(user: User, now: datetime) -> None:
    """A closed account keeps no inbox, no choices and no e-mail waiting to be sent."""
    for model in (Notification, NotificationPreference, OutboxEmail):
        db.session.execute(delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False))


accounts.EXPORTERS.append(_export)
accounts.ERASERS.append(_erase)
