"""The desk booking kind, as the booking engine sees it."""

from __future__ import annotations

from datetime import datetime

from sharemarket.api.schemas import iso_utc
from sharemarket.bookings import kinds
from sharemarket.desks import rules, seats
from sharemarket.desks.models import DeskBooking


class DeskKind:
    kind = "desk"
    model = DeskBooking

    def provider_ids(self, booking: DeskBooking) -> set[int]:
        return seats.provider_ids(booking)

    def handled_by(self, user_id: int):
        return seats.handled_by(user_id)

    def on_transition(
        self, booking: DeskBooking, action: str, old_status: str, actor_id: int | None, now: datetime
    ) -> None:
        seats.on_transition(booking, action, old_status, actor_id, now)

    def check_action(self, booking: DeskBooking, action: str, now: datetime) -> None:
        seats.check_action(booking, action, now)

    def describe(self, booking: DeskBooking) -> dict:
        slot = booking.slot
        space = slot.space
        return {
            "title": f"{slot.desk.label} · {space.name}",
            "link": seats.booking_path(booking.id),
            "location": ", ".join(part for part in (space.name, space.address or space.place_label) if part),
        }

    def to_json(self, booking: DeskBooking, viewer_id: int | None) -> dict:
        slot = booking.slot
        space = slot.space
        opens, _closes = rules.check_in_window(slot.starts_at, slot.ends_at)
        return {
            "slot_id": slot.id,
            "space": {"id": space.id, "name": space.name},
            "desk": {"id": slot.desk.id, "label": slot.desk.label, "kind": slot.desk.kind},
            "price_cents": slot.price_cents,
            "currency": slot.currency,
            "waitlist_position": seats.waitlist_position(booking),
            "late_cancel": booking.late_cancel,
            "checked_in_at": iso_utc(booking.checked_in_at),
            "check_in_from": iso_utc(opens),
            "free_cancellation_until": iso_utc(
                rules.free_cancellation_until(slot.starts_at, space.cancel_cutoff_hours)
            ),
        }


kinds.register(DeskKind())
