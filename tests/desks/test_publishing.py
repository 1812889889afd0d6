from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sharemarket.desks import publishing
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.desks.seats import book
from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db

PARIS = ZoneInfo("Europe/Paris")


def count_slots():
    return db.session.scalar(select(func.count(Slot.id)))


def local_hours(slots):
    return {(s.starts_at.astimezone(PARIS).time(), s.ends_at.astimezone(PARIS).time()) for s in slots}


def test_repeat_keeps_local_hours_across_the_spring_change(make_space, make_desk):
    space = make_space()
    desk = make_desk(space)
    manager = space.managers[0].user
    now = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    start = datetime(2027, 3, 22, 9, 0, tzinfo=PARIS)  # Monday before the change (28 March 2027)
    slots = publishing.publish_slots(
        space=space,
        actor=manager,
        desk_id=desk.id,
        start=start,
        end=start.replace(hour=13),
        capacity=3,
        repeat=publishing.Repeat([0, 1, 2, 3, 4], date(2027, 4, 2)),
        now=now,
    )
    assert len(slots) == 10
    assert local_hours(slots) == {(time(9), time(13))}
    utc_hours = {s.starts_at.hour for s in slots}
    assert utc_hours == {8, 7}  # 09:00 is 08:00 UTC in winter, 07:00 UTC in summer
    assert [s.starts_at.astimezone(PARIS).weekday() for s in slots] == [0, 1, 2, 3, 4] * 2


def test_schedule_of_two_ranges_across_the_autumn_change(make_space, make_desk):
    space = make_space()
    desks = [make_desk(space, label="A"), make_desk(space, label="B", seats=2)]
    now = datetime(2027, 10, 1, tzinfo=UTC)
    slots = publishing.publish_schedule(
        space=space,
        actor=space.managers[0].user,
        desk_ids=[d.id for d in desks],
        first_day=date(2027, 10, 25),
        last_day=date(2027, 11, 5),
        weekdays=[0, 1, 2, 3, 4],
        hours=[(time(9), time(13)), (time(14), time(18))],
        price_cents=500,
        now=now,
    )
    assert len(slots) == 2 * 2 * 10
    assert local_hours(slots) == {(time(9), time(13)), (time(14), time(18))}
    assert {s.capacity for s in slots if s.desk_id == desks[1].id} == {2}
    before = [s for s in slots if s.starts_at.astimezone(PARIS).date() == date(2027, 10, 29)]
    after = [s for s in slots if s.starts_at.astimezone(PARIS).date() == date(2027, 11, 1)]
    assert min(s.starts_at for s in before).hour == 7 and min(s.starts_at for s in after).hour == 8


def publish(space, desk, now, **overrides):
    start = now + timedelta(days=1)
    data = {
        "space": space,
        "actor": space.managers[0].user,
        "desk_id": desk.id,
        "start": start,
        "end": start + timedelta(hours=4),
        "capacity": 2,
        "now": now,
    }
    data.update(overrides)
    return publishing.publish_slots(**data)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": "start"}, "end"),
        ({"end": "before"}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"price_cents": -1}, "price_cents"),
        ({"start": "past"}, "start"),
        ({"repeat": publishing.Repeat([0, 7], date(2027, 1, 1))}, "repeat.weekdays"),
        ({"repeat": publishing.Repeat([-1], date(2027, 1, 1))}, "repeat.weekdays"),
        ({"repeat": publishing.Repeat([], date(2027, 1, 1))}, "repeat.weekdays"),
        ({"repeat": publishing.Repeat([0], date(2028, 1, 3))}, "repeat.until"),
        ({"repeat": publishing.Repeat([0], date(2026, 11, 1))}, "repeat.until"),
        ({"desk_id": 99999}, "desk_id"),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_written(make_space, make_desk, now, overrides, field):
    space = make_space()
    desk = make_desk(space)
    start = now + timedelta(days=1)
    special = {"start": start, "before": start - timedelta(hours=1), "past": now - timedelta(hours=1)}
    overrides = {k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationFailed) as raised:
        publish(space, desk, now, **overrides)
    assert field in raised.value.errors
    db.session.rollback()
    assert count_slots() == 0


def test_a_non_manager_cannot_publish(make_space, make_desk, make_user, now):
    space = make_space()
    desk = make_desk(space)
    with pytest.raises(NotAllowed):
        publish(space, desk, now, actor=make_user())
    assert count_slots() == 0


def test_overlapping_slots_of_one_desk_are_refused_all_or_nothing(make_space, make_desk, now):
    space = make_space()
    desk, other = make_desk(space), make_desk(space, label="B")
    start = now + timedelta(days=3)
    publish(space, desk, now, start=start, end=start + timedelta(hours=2))
    db.session.commit()
    with pytest.raises(Conflict):
        publish(
            space,
            desk,
            now,
            start=start - timedelta(days=2, hours=-1),
            end=start - timedelta(days=2, hours=-3),
            repeat=publishing.Repeat(list(range(7)), (start + timedelta(days=5)).date()),
        )
    db.session.rollback()
    assert count_slots() == 1
    # Touching is not overlapping, another desk is free, and a cancelled slot frees its hours.
    publish(space, desk, now, start=start + timedelta(hours=2), end=start + timedelta(hours=4))
    publish(space, other, now, start=start, end=start + timedelta(hours=2))
    assert count_slots() == 3


def test_ranges_that_overlap_each_other_are_refused(make_space, make_desk, now):
    space = make_space()
    desk = make_desk(space)
    with pytest.raises(ValidationFailed) as raised:
        publishing.publish_schedule(
            space=space,
            actor=space.managers[0].user,
            desk_ids=[desk.id],
            first_day=date(2026, 12, 7),
            last_day=date(2026, 12, 11),
            weekdays=[0, 1, 2, 3, 4],
            hours=[(time(9), time(13)), (time(12), time(18))],
            now=now,
        )
    assert "hours" in raised.value.errors


def test_cancelling_a_slot_cancels_its_bookings_and_tells_the_bookers(make_space, make_desk, make_slot, make_user, now):
    from sharemarket.notifications.models import Notification

    space = make_space()
    slot = make_slot(make_desk(space), capacity=1)
    ana, bob = make_user(display_name="Ana"), make_user(display_name="Bob")
    first = book(slot=slot, user=ana, now=now)
    second = book(slot=slot, user=bob, now=now, waitlist=True)
    db.session.commit()
    publishing.cancel_slot(slot=slot, actor=space.managers[0].user, now=now)
    db.session.commit()
    assert {first.status, second.status} == {"cancelled"}
    assert slot.booked == 0 and slot.cancelled
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "desks")).all()
    assert sorted(told) == sorted([ana.id, bob.id])
    with pytest.raises(Conflict):
        publishing.cancel_slot(slot=slot, actor=space.managers[0].user, now=now)
    with pytest.raises(Conflict):
        book(slot=slot, user=make_user(), now=now)
    assert db.session.scalar(select(func.count(DeskBooking.id))) == 2
