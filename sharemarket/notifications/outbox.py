"""Deliver the outbox: e-mails claimed a batch at a time, then each sent and marked in its own commit.

A crash between the SMTP server's "250 OK" and our commit (or, on PostgreSQL, a crash of the
database server just after that commit, see `_record`) is the only way one could go twice;
every other failure (refused, error, timeout) leaves it unsent and schedules a retry with a
growing delay. After the last try it stays in the table, unsent, with its error, for the admins.
A sender that dies mid-batch leaves the batch's unsent mails claimed: another sends them once
the claim has run out.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, Response, current_app, has_request_context
from sqlalchemy import Row, bindparam, func, inspect, select, text, update

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.jobs.batches import MORE_DUE, Budget
from sharemarket.notifications.models import OutboxEmail

log = logging.getLogger("sharemarket.notifications.outbox")

# Seconds to wait before each retry; after len(RETRY_BACKOFF) failed attempts the mail is given up.
RETRY_BACKOFF = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(RETRY_BACKOFF)
# A claimed mail is left alone by other senders this long: longer than any send can take.
CLAIM = timedelta(minutes=10)
SMTP_TIMEOUT = 10
# Where the session notes the e-mails written during a request, and how many are sent right after it.
WRITTEN = "outbox_written"
SEND_AFTER_REQUEST_AT_MOST = 5
# Server-wide failures: stop this round, the next mails would fail the same way.
_SERVER_DOWN = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError)


class Mailer:
    """One SMTP connection for a round of sends, opened on first use; without MAIL_SERVER, the log."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", SMTP_TIMEOUT))
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, mail: OutboxEmail | Row) -> None:
        if not self.config.get("MAIL_SERVER"):
            log.info("e-mail #%s to %s: %s\n%s", mail.id, mail.to_address, mail.subject, mail.text_body)
            return
        if self.smtp is None:
            self.smtp = self._connect()
        self.smtp.send_message(build_message(mail, self.config["MAIL_DEFAULT_SENDER"]))

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def build_message(mail: OutboxEmail | Row, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    # The outbox id in the Message-ID lets a receiving server spot a duplicate after a crash.
    message["Message-ID"] = make_msgid(idstring=f"outbox{mail.id}", domain=sender.rpartition("@")[2].strip("> "))
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


def _due(now: datetime):
    return (
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.next_attempt_at <= now,
        OutboxEmail.attempts < MAX_ATTEMPTS,
    )


# What sending reads of a mail (`Mailer.send`, `build_message`), returned by the claim.
_LETTER = (
    OutboxEmail.id,
    OutboxEmail.to_address,
    OutboxEmail.subject,
    OutboxEmail.text_body,
    OutboxEmail.html_body,
    OutboxEmail.unsubscribe_url,
    OutboxEmail.attempts,
)


def _claim(due: list[Row], now: datetime) -> list[Row]:
    """Move the due mails' next attempt past the claim window, in one statement, and commit: a
    sender sends only the mails its update hit (those another sender claimed first are skipped).
    Returns what sending needs of each mail claimed, by id."""
    table = OutboxEmail.__table__
    claimed = db.session.execute(
        update(table)
        .where(table.c.id.in_([mail.id for mail in due]), *_due(now))
        .values(next_attempt_at=now + CLAIM)
        .returning(*_LETTER)
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda mail: mail.id)


def _release(mails: list[Row], due: list[Row], now: datetime) -> None:
    """Give back the claim of mails never tried (the server went down first): they are due again
    as they were, with no attempt spent, for the next round."""
    if not mails:
        return
    table = OutboxEmail.__table__
    was_due = {mail.id: mail.next_attempt_at for mail in due}
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("mail_id"), table.c.next_attempt_at == now + CLAIM)
        .values(next_attempt_at=bindparam("was_due", type_=table.c.next_attempt_at.type)),
        [{"mail_id": mail.id, "was_due": was_due[mail.id]} for mail in mails],
    )
    db.session.commit()


def deliver(*, now: datetime, ids: list[int] | None = None, batch: int = 100) -> dict:
    """Send the due e-mails (or just `ids`): batch after batch, claimed together, then each sent and
    its outcome committed on its own, until none is due or the run's time budget is spent."""
    counts = {"sent": 0, "failed": 0, "given_up": 0}
    mailer = Mailer(current_app.config)
    budget = Budget()
    last_id = 0
    try:
        while True:
            query = select(OutboxEmail.id, OutboxEmail.next_attempt_at).where(*_due(now), OutboxEmail.id > last_id)
            if ids is not None:
                query = query.where(OutboxEmail.id.in_(ids))
            due = db.session.execute(query.order_by(OutboxEmail.id).limit(batch)).all()
            if not due:
                db.session.commit()
                break
            mails = _claim(due, now)
            for position, mail in enumerate(mails):
                outcome = _deliver_one(mailer, mail, now)
                counts[outcome] += 1
                if outcome in ("failed", "given_up") and mailer.smtp is None:
                    # The server is down or unreachable: the rest wait for the next round.
                    _release(mails[position + 1 :], due, now)
                    return _summary(counts)
            last_id = due[-1].id
            if len(due) < batch:
                break
            if budget.spent():
                counts[MORE_DUE] = 1
                break
    finally:
        mailer.close()
    return _summary(counts)


def _summary(counts: dict) -> dict:
    return {key: value for key, value in counts.items() if value or key == "sent"}


def _deliver_one(mailer: Mailer, mail: Row, now: datetime) -> str:
    """Send one claimed mail and commit its outcome: sent, or a retry after a growing delay, or given up."""
    attempt = mail.attempts + 1
    try:
        mailer.send(mail)
    except (*_SERVER_DOWN, smtplib.SMTPException) as exc:
        if isinstance(exc, _SERVER_DOWN):
            mailer.smtp, broken = None, mailer.smtp
            if broken is not None:
                broken.close()
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("e-mail #%s to %s not sent (attempt %s): %s", mail.id, mail.to_address, attempt, exc)
        if attempt >= MAX_ATTEMPTS:
            _record(mail.id, attempts=attempt, last_error=error)
            return "given_up"
        _record(
            mail.id,
            attempts=attempt,
            last_error=error,
            next_attempt_at=now + timedelta(seconds=RETRY_BACKOFF[attempt - 1]),
        )
        return "failed"
    _record(mail.id, attempts=attempt, sent_at=now, last_error=None)
    return "sent"


def _record(mail_id: int, **outcome) -> None:
    """Write a mail's outcome (the columns given) in its own transaction.

    On PostgreSQL that commit does not wait for the disk (`synchronous_commit` off, for this
    transaction only): once it returns, the outcome survives a crash of this process, as before;
    only a crash of the database server itself within a fraction of a second could lose it, and
    the mail would then be sent again after its claim, never lost. That is the durability SQLite
    gives every commit here (WAL with synchronous=NORMAL), and it spares one disk flush per mail.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_ASYNCHRONOUS_COMMIT)
    db.session.execute(_OUTCOME, {"mail_id": mail_id, **outcome})
    db.session.commit()


# Built once (a job records thousands of outcomes): it sets the columns its parameters name.
_OUTCOME = update(OutboxEmail.__table__).where(OutboxEmail.__table__.c.id == bindparam("mail_id"))
_ASYNCHRONOUS_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def note_written(mail: OutboxEmail) -> None:
    """Remember a request's first few e-mails for `send_after_response` (jobs and big requests: none,
    so that a job's session never holds thousands of rows)."""
    if not has_request_context():
        return
    written = db.session.info.setdefault(WRITTEN, [])
    if len(written) <= SEND_AFTER_REQUEST_AT_MOST:
        written.append(mail)


def send_after_response(app: Flask, response: Response) -> Response:
    """Try the few e-mails a request wrote as soon as its response has gone, outside its transaction.

    A head start on the `deliver_outbox` job, not a replacement: only committed mails can be
    claimed (a rolled-back request left none), and whatever fails here stays for the job.
    """
    if not db.session.registry.has():  # the request never opened a session, so it wrote nothing
        return response
    written = db.session.info.pop(WRITTEN, None)
    enabled = app.config.get("MAIL_SEND_AFTER_REQUEST", not app.testing)
    if not written or not enabled or len(written) > SEND_AFTER_REQUEST_AT_MOST:
        return response
    # Ids known without a query: the rows were flushed by the request's commit (or never were).
    ids = [identity[0] for identity in (inspect(mail).identity for mail in written) if identity]
    if not ids:
        return response

    def send() -> None:
        try:
            with app.app_context():
                deliver(now=utcnow(), ids=ids)
        except Exception:  # noqa: BLE001 - the job will send it; the response is long gone
            log.exception("sending e-mails %s after the request failed", ids)

    response.call_on_close(send)
    return response


def backlog(now: datetime) -> dict:
    """What waits in the outbox: for the admins' status page."""
    pending = OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS
    count, oldest = db.session.execute(
        select(func.count(OutboxEmail.id), func.min(OutboxEmail.created_at)).where(*pending)
    ).one()
    failed = db.session.scalar(
        select(func.count(OutboxEmail.id)).where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts >= MAX_ATTEMPTS)
    )
    return {
        "pending": count or 0,
        "failed": failed or 0,
        "oldest_pending_seconds": max(0, int((now - oldest).total_seconds())) if oldest else None,
    }


def failures(limit: int = 20) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.last_error.is_not(None))
            .order_by(OutboxEmail.id.desc())
            .limit(limit)
        )
    )
