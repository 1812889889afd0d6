from sqlalchemy import func, select

from sharemarket.demo import load_all
from sharemarket.extensions import db
from sharemarket.jobs.registry import all_jobs
from sharemarket.rides.models import MeetingPoint, Ride, RideOccurrence, SeatBooking


def test_the_demo_town_has_commuters_carpool_areas_and_seats(app):
    ctx = load_all(now=None, seed=29)
    rides = db.session.scalars(select(Ride)).all()
    commutes = [r for r in rides if r.is_commute]
    assert len(commutes) == 25 and len(rides) > 25
    assert {r.driver_id for r in commutes} <= {p.id for p in ctx.people}
    towns = {r.destination_label.split(",")[0] for r in commutes}
    assert towns == {"Vannes", "Quimperlé", "Hennebont", "Auray", "Lanester"}
    assert all("07:30" <= r.local_time <= "08:15" for r in commutes)
    assert db.session.scalar(select(func.count()).select_from(MeetingPoint)) == 2473
    assert db.session.scalar(select(func.count()).select_from(RideOccurrence)) > 25 * 30
    statuses = db.session.scalars(select(SeatBooking.status)).all()
    assert len(statuses) >= 3 and "confirmed" in statuses


def test_the_carpool_jobs_are_registered(app):
    names = {job.name for job in all_jobs()}
    assert {"rides_extend_occurrences", "rides_remind_departures", "rides_close_past"} <= names


def test_jobs_run_once_from_the_command_line(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--at", "2026-12-01T08:00:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "rides_close_past: closed=0" in result.output
