"""What desks hold about a person, for the GDPR export, and what closing an account does here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.api.schemas import iso_utc
from sharemarket.bookings import services as bookings
from sharemarket.desks.models import DeskBooking, SpaceManager
from sharemarket.extensions import db


def export(user: User) -> tuple[str, object]:
    rows = db.session.scalars(select(DeskBooking).where(DeskBooking.user_id == user.id).order_by(DeskBooking.id))
    managed = db.session.scalars(select(SpaceManager).where(SpaceManager.user_id == user.id))
    return "desks", {
        "bookings": [
            {
                "id": b.id,
                "space": b.slot.space.name,
                "desk": b.slot.desk.label,
                "starts_at": iso_utc(b.starts_at),
                "ends_at": iso_utc(b.ends_at),
                "status": b.status,
                "late_cancel": b.late_cancel,
                "checked_in_at": iso_utc(b.checked_in_at),
            }
            for b in rows
        ],
        "spaces_managed": [{"id": m.space_id, "name": m.space.name, "since": iso_utc(m.added_at)} for m in managed],
    }


def erase(user: User, now: datetime) -> None:
    """Seats held in the future go back to others (and the waitlists); management ends."""
    upcoming = db.session.scalars(
        select(DeskBooking)
        .where(
            DeskBooking.user_id == user.id,
            DeskBooking.status.in_(("confirmed", "waitlisted")),
            DeskBooking.ends_at > now,
        )
        .order_by(DeskBooking.id)
    ).all()
    for booking in upcoming:
        bookings.system_act(booking=booking, action="cancel", now=now, note="account closed")
    for manager in db.session.scalars(select(SpaceManager).where(SpaceManager.user_id == user.id)).all():
        db.session.delete(manager)
    db.session.flush()


accounts.EXPORTERS.append(export)
accounts.ERASERS.append(erase)
