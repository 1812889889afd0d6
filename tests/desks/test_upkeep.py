from datetime import timedelta

from sqlalchemy import func, select

from sharemarket.bookings import services as bookings
from sharemarket.desks import upkeep
from sharemarket.desks.seats import book
from sharemarket.extensions import db
from sharemarket.jobs.registry import all_jobs
from sharemarket.notifications.models import Notification


def notes(user, kind="desks"):
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id))


def test_no_shows_free_their_seat_for_the_waitlist_once(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()), capacity=2)
    present, absent, waiting = make_user(), make_user(), make_user()
    here = book(slot=slot, user=present, now=now)
    gone = book(slot=slot, user=absent, now=now)
    queued = book(slot=slot, user=waiting, now=now, waitlist=True)
    bookings.act(booking=here, action="check_in", actor=present, now=slot.starts_at)
    db.session.commit()
    assert upkeep.release_no_shows(slot.starts_at + timedelta(minutes=29)) == {"no_shows": 0}
    at = slot.starts_at + timedelta(minutes=30)
    assert upkeep.release_no_shows(at) == {"no_shows": 1}
    db.session.commit()
    assert (here.status, gone.status, queued.status) == ("checked_in", "no_show", "confirmed")
    assert slot.booked == 2 and notes(absent) == 1 and notes(waiting) == 1
    # The promoted member has 30 minutes from the promotion to check in.
    assert upkeep.release_no_shows(at + timedelta(minutes=29)) == {"no_shows": 0}
    assert upkeep.release_no_shows(at + timedelta(minutes=30)) == {"no_shows": 1}
    assert queued.status == "no_show" and slot.booked == 1


def test_reminders_an_hour_before_are_sent_once(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()))
    ana = make_user()
    book(slot=slot, user=ana, now=now)
    db.session.commit()
    assert upkeep.remind_members(slot.starts_at - timedelta(minutes=61)) == {"reminders": 0}
    assert upkeep.remind_members(slot.starts_at - timedelta(minutes=50)) == {"reminders": 1}
    assert upkeep.remind_members(slot.starts_at - timedelta(minutes=40)) == {"reminders": 0}
    assert notes(ana) == 1


def test_closing_ended_slots_clears_their_waitlist(make_space, make_desk, make_slot, make_user, now):
    slot = make_slot(make_desk(make_space()), capacity=1)
    book(slot=slot, user=make_user(), now=now)
    waiting = book(slot=slot, user=make_user(), now=now, waitlist=True)
    db.session.commit()
    assert upkeep.close_past_slots(slot.ends_at - timedelta(seconds=1)) == {"slots_closed": 0}
    assert upkeep.close_past_slots(slot.ends_at) == {"slots_closed": 1}
    assert waiting.status == "cancelled" and slot.closed_at == slot.ends_at
    assert upkeep.close_past_slots(slot.ends_at + timedelta(hours=1)) == {"slots_closed": 0}


def test_desk_jobs_are_registered():
    names = {job.name for job in all_jobs()}
    assert {"desks_release_no_shows", "desks_remind_members", "desks_close_past_slots"} <= names
