from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.desks import services
from sharemarket.desks.models import DeskBooking
from sharemarket.desks.seats import book, waitlist_position
from sharemarket.errors import BookingConflict, Conflict, InvalidTransition, NotFound, SlotFull
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification


def test_book_until_full_then_waitlist_in_order_and_promotion_at_once(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()), capacity=2)
    ana, bob, cleo, dan = (make_user(display_name=n) for n in ("Ana", "Bob", "Cleo", "Dan"))
    a = book(slot=slot, user=ana, now=now)
    b = book(slot=slot, user=bob, now=now)
    assert (a.status, b.status, slot.booked, slot.remaining) == ("confirmed", "confirmed", 2, 0)
    with pytest.raises(SlotFull):
        book(slot=slot, user=cleo, now=now)
    c = book(slot=slot, user=cleo, now=now, waitlist=True)
    d = book(slot=slot, user=dan, now=now, waitlist=True)
    assert (c.status, waitlist_position(c), waitlist_position(d)) == ("waitlisted", 1, 2)
    db.session.commit()

    bookings.act(booking=a, action="cancel", actor=ana, now=now)
    db.session.commit()
    assert a.status == "cancelled" and not a.late_cancel
    assert c.status == "confirmed" and d.status == "waitlisted" and waitlist_position(d) == 1
    assert slot.booked == 2
    note = db.session.scalar(select(Notification).where(Notification.user_id == cleo.id))
    assert note is not None and note.link == f"/desk-bookings/{c.id}"
    # The cancelled member can book again (into the waitlist).
    again = book(slot=slot, user=ana, now=now, waitlist=True)
    assert again.status == "waitlisted" and waitlist_position(again) == 2


def test_booking_the_same_slot_twice_is_refused(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()), capacity=3)
    ana = make_user()
    book(slot=slot, user=ana, now=now)
    db.session.commit()
    with pytest.raises(BookingConflict):
        book(slot=slot, user=ana, now=now)
    with pytest.raises(BookingConflict):
        book(slot=slot, user=ana, now=now, waitlist=True)
    db.session.rollback()
    assert slot.booked == 1
    assert len(db.session.scalars(select(DeskBooking)).all()) == 1


def test_late_cancellation_is_recorded_and_ended_slots_cannot_be_cancelled(
    make_space, make_desk, make_slot, make_user, now
):
    space = make_space(cancel_cutoff_hours=3)
    slot = make_slot(make_desk(space), start=now + timedelta(hours=5))
    early, late, ended = make_user(), make_user(), make_user()
    bookings_ = [book(slot=slot, user=u, now=now) for u in (early, late)]
    db.session.commit()
    bookings.act(booking=bookings_[0], action="cancel", actor=early, now=slot.starts_at - timedelta(hours=3))
    bookings.act(booking=bookings_[1], action="cancel", actor=late, now=slot.starts_at - timedelta(hours=2))
    assert [b.late_cancel for b in bookings_] == [False, True]
    third = book(slot=slot, user=ended, now=now)
    db.session.commit()
    with pytest.raises(Conflict):
        bookings.act(booking=third, action="cancel", actor=ended, now=slot.ends_at)
    db.session.rollback()
    assert third.status == "confirmed" and slot.booked == 1


def test_check_in_window_and_only_the_booker(make_space, make_desk, make_slot, make_user, now):
    space = make_space()
    slot = make_slot(make_desk(space))
    ana, stranger = make_user(), make_user()
    booking = book(slot=slot, user=ana, now=now)
    db.session.commit()
    with pytest.raises(Conflict):
        bookings.act(booking=booking, action="check_in", actor=ana, now=slot.starts_at - timedelta(minutes=16))
    with pytest.raises(Conflict):
        bookings.act(booking=booking, action="check_in", actor=ana, now=slot.ends_at)
    with pytest.raises(NotFound):
        bookings.act(booking=booking, action="check_in", actor=stranger, now=slot.starts_at)
    with pytest.raises(InvalidTransition):  # the manager sees the booking but cannot check in for the member
        bookings.act(booking=booking, action="check_in", actor=space.managers[0].user, now=slot.starts_at)
    db.session.rollback()
    assert booking.status == "confirmed" and booking.checked_in_at is None
    at = slot.starts_at - timedelta(minutes=15)
    bookings.act(booking=booking, action="check_in", actor=ana, now=at)
    assert booking.status == "checked_in" and booking.checked_in_at == at and slot.booked == 1


def test_per_member_limit_of_upcoming_bookings(make_space, make_desk, make_slot, make_user, now):
    space = make_space(max_future_bookings=2)
    desk = make_desk(space)
    slots = [make_slot(desk, start=now + timedelta(days=d)) for d in (1, 2, 3)]
    ana = make_user()
    book(slot=slots[0], user=ana, now=now)
    second = book(slot=slots[1], user=ana, now=now)
    with pytest.raises(Conflict):
        book(slot=slots[2], user=ana, now=now)
    bookings.act(booking=second, action="cancel", actor=ana, now=now)
    assert book(slot=slots[2], user=ana, now=now).status == "confirmed"


def test_a_manager_cancelling_a_booking_tells_the_member(make_space, make_desk, make_slot, make_user, now):
    space = make_space()
    slot = make_slot(make_desk(space), capacity=1)
    ana = make_user()
    booking = book(slot=slot, user=ana, now=now)
    bookings.act(booking=booking, action="cancel", actor=space.managers[0].user, now=now)
    assert booking.status == "cancelled" and not booking.late_cancel and slot.booked == 0
    assert db.session.scalar(select(Notification.title).where(Notification.user_id == ana.id))


def test_a_stale_copy_cannot_free_a_seat_twice(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()), capacity=1)
    ana = make_user()
    booking = book(slot=slot, user=ana, now=now)
    db.session.commit()
    assert booking.status == "confirmed" and slot.booked == 1
    # Another request cancels it and commits while this one holds its copy, still "confirmed".
    db.session.execute(update(Booking.__table__).where(Booking.id == booking.id).values(status="cancelled"))
    with pytest.raises(InvalidTransition):
        bookings.act(booking=booking, action="cancel", actor=ana, now=now)
    db.session.rollback()
    assert slot.booked == 1


def test_managers_add_and_remove_co_managers_but_the_last_stays(make_space, make_user, now):
    from sharemarket.errors import NotAllowed, ValidationFailed

    space = make_space()
    first = space.managers[0].user
    second = make_user(display_name="Second")
    with pytest.raises(NotAllowed):
        services.add_manager(space=space, actor=second, user_id=first.id, now=now)
    services.add_manager(space=space, actor=first, user_id=second.id, now=now)
    with pytest.raises(Conflict):
        services.add_manager(space=space, actor=first, user_id=second.id, now=now)
    with pytest.raises(ValidationFailed):
        services.add_manager(space=space, actor=first, user_id=424242, now=now)
    services.remove_manager(space=space, actor=second, user_id=first.id, now=now)
    assert space.manager_ids == {second.id}
    with pytest.raises(Conflict):
        services.remove_manager(space=space, actor=second, user_id=second.id, now=now)
    with pytest.raises(NotAllowed):
        services.remove_manager(space=space, actor=first, user_id=second.id, now=now)
