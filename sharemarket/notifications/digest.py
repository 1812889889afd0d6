"""The daily digest: one e-mail per person gathering what waited for it, at a fixed local hour.

Each run takes the items written before the latest digest hour (today's if it has passed,
yesterday's otherwise), so one day's items go in one e-mail, a run repeated later that day
finds nothing new, and a scheduler that was down catches up at its next run.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import select, update

from sharemarket.accounts.models import User
from sharemarket.extensions import db
from sharemarket.jobs.batches import MORE_DUE, Budget, each_isolated
from sharemarket.notifications import emails, kinds, services
from sharemarket.notifications.models import Notification

DIGEST_HOUR = 7  # local time (SHAREMARKET_TIMEZONE); NOTIFICATION_DIGEST_HOUR overrides it
USERS_PER_BATCH = 200
ITEMS_SHOWN = 50


def cutoff(now: datetime) -> datetime:
    """The latest digest hour at or before `now`, as a UTC instant (DST-proof: local wall time)."""
    zone = ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])
    hour = current_app.config.get("NOTIFICATION_DIGEST_HOUR", DIGEST_HOUR)
    local = now.astimezone(zone)
    day = local.date() if local.time() >= time(hour) else local.date() - timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _waiting(before: datetime):
    return Notification.digest_status == "pending", Notification.created_at < before


def send_digests(now: datetime) -> dict:
    before = cutoff(now)
    counts = {"digests": 0, "items": 0, "dropped": 0, "errors": 0}
    budget = Budget()
    last_user = 0
    while True:
        user_ids = db.session.scalars(
            select(Notification.user_id)
            .where(*_waiting(before), Notification.user_id > last_user)
            .group_by(Notification.user_id)
            .order_by(Notification.user_id)
            .limit(USERS_PER_BATCH)
        ).all()
        if not user_ids:
            return counts
        people = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()
        done, errors = each_isolated(people, lambda user: _digest_for(user, before, now))
        for key in ("digests", "items", "dropped"):
            counts[key] += done[key]
        counts["errors"] += errors
        db.session.commit()
        last_user = user_ids[-1]
        if len(user_ids) < USERS_PER_BATCH:
            return counts
        if budget.spent():
            counts[MORE_DUE] = 1
            return counts


def _digest_for(user: User, before: datetime, now: datetime) -> dict[str, int]:
    """Write one person's digest e-mail and mark its items sent."""
    # Items of kinds switched to "inbox only" since they were written are not e-mailed at all.
    waiting_kinds = db.session.scalars(
        select(Notification.kind).where(*_waiting(before), Notification.user_id == user.id).distinct()
    ).all()
    if services.undeliverable(user.email):
        quiet = list(waiting_kinds)  # an address that can receive nothing
    else:
        quiet = [kind for kind in waiting_kinds if services.channel_for(user, kind) == kinds.INBOX]
    dropped = _mark(user, before, "dropped", quiet) if quiet else 0
    items = list(
        db.session.scalars(
            select(Notification)
            .where(*_waiting(before), Notification.user_id == user.id)
            .order_by(Notification.id)
            .limit(ITEMS_SHOWN)
        )
    )
    if not items:
        return {"dropped": dropped}
    total = _mark(user, before, "sent")
    services.write_email(user, kinds.DIGEST_KIND, _render(user, items, total), now)
    return {"digests": 1, "items": total, "dropped": dropped}


def _mark(user: User, before: datetime, status: str, only_kinds: list[str] | None = None) -> int:
    query = update(Notification).where(*_waiting(before), Notification.user_id == user.id)
    if only_kinds is not None:
        query = query.where(Notification.kind.in_(only_kinds))
    return db.session.execute(query.values(digest_status=status).execution_options(synchronize_session=False)).rowcount


def _render(user: User, items: list[Notification], total: int) -> emails.RenderedEmail:
    with force_locale(user.locale):
        subject = ngettext(
            "Your sharemarket day: %(num)d new notification",
            "Your sharemarket day: %(num)d new notifications",
            total,
        )
        unsubscribe = emails.unsubscribe_url(user, kinds.DIGEST_KIND)
        text, html = emails.render(
            user,
            kinds.DIGEST_KIND,
            "digest",
            subject=subject,
            items=[
                {"title": n.title, "body": n.body, "link": emails.absolute_link(n.link), "created_at": n.created_at}
                for n in items
            ],
            more=total - len(items),
            inbox_url=emails.absolute_url("notifications.inbox"),
            unsubscribe_url=unsubscribe,
        )
    return emails.RenderedEmail(subject[:300], text, html, unsubscribe)
