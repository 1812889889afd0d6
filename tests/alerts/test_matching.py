"""The alert job: one notification per saved search and matching ride, e-mail included."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sharemarket.alerts import matching
from sharemarket.alerts.models import AlertMark
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.notifications.models import Notification, OutboxEmail
from sharemarket.rides import services as rides
from sharemarket.rides.rules import Recurrence

LATER = timedelta(minutes=5)


def _alerts(user_id=None):
    query = select(Notification).where(Notification.kind == "alert")
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return db.session.scalars(query.order_by(Notification.id)).all()


def test_a_new_matching_commute_is_told_once_with_an_email(save, make_ride, carpool_areas, now):
    saved = save()
    ride = make_ride()  # Hennebont → Vannes, weekdays 07:45, published at `now`
    summary = matching.alert_new_rides(now=now + LATER)
    assert summary == {"rides": 1, "alerts": 1}
    [alert] = _alerts()
    assert alert.user_id == saved.user_id
    assert alert.dedupe_key == f"alert:{saved.id}:{ride.id}"
    assert alert.title == "New ride for your search Lanester → Vannes"
    assert "Gaël offers Hennebont → Vannes" in alert.body and "07:30–08:30" in alert.body
    assert alert.link.startswith(f"/rides/{ride.id}?date=")
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "alert")).one()
    assert mail.to_address == saved.user.email

    # Idempotent: the ride is marked, and a second look tells nobody again.
    assert matching.alert_new_rides(now=now + 2 * LATER) == {"rides": 0, "alerts": 0}
    db.session.delete(db.session.get(AlertMark, ride.id))
    db.session.flush()
    assert matching.alert_new_rides(now=now + 3 * LATER) == {"rides": 1, "alerts": 0}
    assert len(_alerts()) == 1


def test_each_matching_search_is_told_and_others_are_not(save, make_ride, make_user, carpool_areas, now):
    told = [save(), save(time_from="07:00", time_to="09:00", weekdays=[1])]
    untold = [
        save(time_from="17:00", time_to="18:30"),  # another time of day
        save(weekdays=[5, 6]),  # the commute does not run at week-ends
        save(seats=4),  # it offers 3
        save(origin=Place(48.1173, -1.6778, "Rennes"), destination=Place(47.2184, -1.5536, "Nantes")),
    ]
    driver = make_user(display_name="Gaël")
    untold.append(save(user=driver))  # the driver's own search
    make_ride(driver=driver)
    assert matching.alert_new_rides(now=now + LATER)["alerts"] == 2
    assert {a.user_id for a in _alerts()} == {s.user_id for s in told}


def test_rides_published_before_the_search_and_cancelled_rides_are_not_alerted(save, make_ride, carpool_areas, now):
    make_ride(now=now - timedelta(hours=1))
    cancelled = make_ride()
    rides.cancel_ride(ride=cancelled, actor=cancelled.driver, now=now)
    save()
    assert matching.alert_new_rides(now=now + LATER) == {"rides": 1, "alerts": 0}
    assert _alerts() == []


def test_a_one_off_ride_in_the_window_is_alerted(save, make_ride, carpool_areas, now):
    saved = save(weekdays=[3])  # Thursdays
    thursday = date(2026, 12, 3)
    make_ride(departure_at=datetime.combine(thursday, time(7, 50), tzinfo=ZoneInfo("Europe/Paris")))
    make_ride(departure_at=datetime.combine(thursday + timedelta(days=1), time(7, 50), tzinfo=ZoneInfo("Europe/Paris")))
    assert matching.alert_new_rides(now=now + LATER) == {"rides": 2, "alerts": 1}
    [alert] = _alerts(saved.user_id)
    assert alert.link.endswith("?date=2026-12-03")


def test_a_commutes_new_days_are_looked_at_when_they_are_created(save, make_ride, carpool_areas, now):
    """A commute starting in ten weeks has no day within the eight-week horizon yet: nothing to
    tell at first; once the days exist (the extend job), the search's owner hears of it."""
    saved = save()
    start = date(2027, 2, 15)
    ride = make_ride(recurrence=Recurrence((0, 1, 2, 3, 4), time(7, 45), start))
    assert rides.upcoming_occurrences(ride, now) == []
    assert matching.alert_new_rides(now=now + LATER) == {"rides": 1, "alerts": 0}
    assert matching.alert_new_rides(now=now + 2 * LATER) == {"rides": 0, "alerts": 0}

    later = now + timedelta(days=30)
    rides.extend_occurrences(now=later)
    assert rides.upcoming_occurrences(ride, later)[0].date == start
    assert matching.alert_new_rides(now=later) == {"rides": 1, "alerts": 1}
    [alert] = _alerts(saved.user_id)
    assert alert.link.endswith(f"?date={start.isoformat()}")


def test_the_job_is_registered_and_runs_from_the_command_line(app):
    from sharemarket.jobs.registry import all_jobs

    assert "alerts_new_rides" in {job.name for job in all_jobs()}
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--at", "2026-12-01T08:00:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "alerts_new_rides: rides=0, alerts=0" in result.output
