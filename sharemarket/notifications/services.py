"""Write notifications and e-mails; deliver the outbox after commit."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification, OutboxEmail

log = logging.getLogger(__name__)
RETRY_BACKOFF = (60, 300, 1800, 7200, 21600)


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
    """Tell a user something: an inbox line, and an e-mail when `email`, in the user's language.

    `title` and `body` are lazy translations (`_l("... %(name)s", name=...)`), rendered here in
    the recipient's locale. With a `dedupe_key`, a second call with the same key for the same
    user does nothing, so a job that runs twice never tells anyone twice.
    """
    if user.status == "deleted":
        return None
    if dedupe_key is not None:
        exists = db.session.scalar(
            select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
        )
        if exists is not None:
            return None
    with force_locale(user.locale):
        title_text, body_text = str(title), str(body)
    note = Notification(
        user_id=user.id,
        kind=kind,
        title=title_text[:200],
        body=body_text,
        link=link,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    db.session.add(note)
    if email:
        queue_email(user=user, kind=kind, subject=title, body=body, now=now)
    db.session.flush()
    return note


def queue_email(*, user: User, kind: str, subject: object, body: object, now: datetime) -> OutboxEmail | None:
    """Write an e-mail to the outbox, in the user's language; it is sent after commit."""
    if user.status == "deleted" or undeliverable(user.email):
        return None
    with force_locale(user.locale):
        subject_text, body_text = str(subject), str(body)
    mail = OutboxEmail(
        user_id=user.id,
        to_address=user.email,
        kind=kind,
        subject=subject_text[:300],
        text_body=body_text,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(mail)
    db.session.flush()
    return mail


def undeliverable(address: str) -> bool:
    """Addresses in the reserved .invalid domain (RFC 2606), such as those of partner operators'
    passengers, can never receive mail."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return domain == "invalid" or domain.endswith(".invalid")


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def _send(mail: OutboxEmail) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("e-mail to %s: %s\n%s", mail.to_address, mail.subject, mail.text_body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver_outbox(*, now: datetime, batch: int = 100) -> dict:
    """Send due e-mails one by one, committing each, so a crash never sends one twice or loses one.

    A failure schedules a retry with growing backoff; after the last, the mail stays unsent
    with its error, visible to admins.
    """
    sent = failed = 0
    due = db.session.scalars(
        select(OutboxEmail.id)
        .where(
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.next_attempt_at <= now,
            OutboxEmail.attempts < len(RETRY_BACKOFF),
        )
        .order_by(OutboxEmail.id)
        .limit(batch)
    ).all()
    for mail_id in due:
        # Claim the row: only one worker moves its attempt time forward, so only one sends it.
        claimed = db.session.execute(
            OutboxEmail.__table__.update()
            .where(OutboxEmail.id == mail_id, OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(minutes=10))
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        mail = db.session.get(OutboxEmail, mail_id)
        try:
            _send(mail)
        except (OSError, smtplib.SMTPException) as exc:
            mail.attempts += 1
            mail.last_error = str(exc)[:500]
            mail.next_attempt_at = now + timedelta(seconds=RETRY_BACKOFF[min(mail.attempts, len(RETRY_BACKOFF)) - 1])
            failed += 1
        else:
            mail.attempts += 1
            mail.sent_at = now
            sent += 1
        db.session.commit()
    return {"sent": sent, "failed": failed}
