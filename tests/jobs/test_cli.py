from __future__ import annotations

import pytest
from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.jobs import registry
from sharemarket.jobs.models import JobRun
from sharemarket.jobs.registry import Job


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["jobs", *args])


def test_run_once_prints_one_line_per_job_and_records_them(app):
    result = _invoke(app, "run-once", "--at", "2026-12-01T08:00:00+01:00")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = [job.name for job in registry.all_jobs()]
    assert [line.split(":")[0] for line in lines] == names
    assert {"expire_requests", "purge_expired", "send_digests", "deliver_outbox"} <= set(names)
    assert names[-1] == "deliver_outbox"  # what the others queued goes out in the same run
    assert "deliver_outbox: sent=0" in lines
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [run.name for run in runs] == names and all(run.ok for run in runs)
    assert {run.started_at.isoformat() for run in runs} == {"2026-12-01T07:00:00+00:00"}


@pytest.mark.parametrize(
    "value, message",
    [
        ("tomorrow", "is not an ISO 8601 instant"),
        ("2026-13-01T08:00:00+01:00", "is not an ISO 8601 instant"),
        ("2026-12-01T08:00:00", "give the offset too"),
        ("1970-01-01T00:00:00Z", "between the years 2000 and 2100"),
        ("9999-12-31T23:59:59+00:00", "between the years 2000 and 2100"),
        ("", "is not an ISO 8601 instant"),
    ],
)
def test_unparsable_or_absurd_at_is_a_usage_error(app, value, message):
    result = _invoke(app, "run-once", "--at", value)
    assert result.exit_code == 2
    assert "Invalid value for '--at'" in result.output and message in result.output
    assert db.session.scalars(select(JobRun)).all() == []


def test_a_failing_job_does_not_stop_the_others_and_exits_1(app, monkeypatch):
    def broken(now):
        raise RuntimeError("the database of another feature is on fire")

    jobs = [Job("first", lambda now: {"done": 1}, 60), Job("broken", broken, 60), Job("last", lambda now: {}, 60)]
    monkeypatch.setattr(registry, "all_jobs", lambda: jobs)
    monkeypatch.setattr("sharemarket.jobs.runner.all_jobs", lambda: jobs)
    result = _invoke(app, "run-once", "--at", "2026-12-01T08:00:00Z")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "first: done=1",
        "broken: failed: RuntimeError: the database of another feature is on fire",
        "last: nothing to do",
    ]
    runs = {run.name: run.ok for run in db.session.scalars(select(JobRun))}
    assert runs == {"first": True, "broken": False, "last": True}


def test_list_shows_each_interval(app):
    result = _invoke(app, "list")
    assert result.exit_code == 0
    assert "deliver_outbox: every 15 s" in result.output
