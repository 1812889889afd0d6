"""What each kind of booking tells the engine. Features register one handler per kind."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Select

from sharemarket.bookings.models import Booking


class BookingKind(Protocol):
    kind: str
    model: type[Booking]

    def provider_ids(self, booking: Booking) -> set[int]:
        """Users who handle this booking: the owner, the space's managers, the driver."""

    def handled_by(self, user_id: int) -> Select:
        """A SELECT of the ids of this kind's bookings that `user_id` handles."""

    def on_transition(
        self, booking: Booking, action: str, old_status: str, actor_id: int | None, now: datetime
    ) -> None:
        """Reserve or release what the booking holds; raise a DomainError to refuse.

        Called after the status is set, inside the same transaction; it must lock or use a
        constraint so that concurrent transitions cannot overbook. A kind whose bookings the
        scheduler moves in bulk (which locks only the bookings' rows) re-reads the status it acts
        from with `services.locked_status`, so that neither move overwrites the other.
        """

    def on_bulk_transition(self, ids: list[int], action: str, now: datetime) -> None:
        """What on_transition does, for bookings the scheduler moved at once (`system_act_many`)
        between statuses that hold nothing: tell whom it tells, in a few set-based statements.
        Kinds whose requests can expire have it (and `describe_many`): the expiry moves them so."""

    def check_action(self, booking: Booking, action: str, now: datetime) -> None:
        """Kind-specific timing rules (check-in window, cancel cut-off); raise to refuse."""

    def describe(self, booking: Booking) -> dict:
        """`title` (what is booked) and `link` (its page) for lists and calendars."""

    def describe_many(self, ids: list[int]) -> dict[int, dict]:
        """`describe` of many bookings by id, read in a few queries (a job's batch); a title may be
        lazy text, told to each person in their language."""

    def to_json(self, booking: Booking, viewer_id: int | None) -> dict:
        """The kind's own fields in the API (listing_id, start_date... slot_id... ride_id, seats, date)."""


KINDS: dict[str, BookingKind] = {}


def register(handler: BookingKind) -> None:
    KINDS[handler.kind] = handler


def handler_for(booking: Booking) -> BookingKind:
    return KINDS[booking.kind]
