"""`flask jobs serve`: every job on its interval, in one elected process, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.jobs import batches, runner
from sharemarket.jobs.registry import Job, all_jobs

log = logging.getLogger("sharemarket.jobs")
# The lease outlives a tick by far; the fastest job renews it every 15 s.
LEASE_SECONDS = 60


def _tick(app: Flask, job: Job, stop: threading.Event) -> None:
    """Run one job if this process holds the lease, again at once while it leaves work due (each
    run is short and renews the lease); nothing that goes wrong here stops the scheduler."""
    with app.app_context():
        try:
            while runner.hold_lease(utcnow(), LEASE_SECONDS):
                _ok, line = runner.run_job(job, utcnow())
                if f"{batches.MORE_DUE}=" not in line or stop.is_set():
                    break
        except Exception:  # noqa: BLE001 - a lost database connection must not end the process
            log.exception("job %s could not run", job.name)
            db.session.rollback()
        finally:
            db.session.remove()


def serve(app: Flask, first_run_after: float = 2.0) -> None:
    stop = threading.Event()

    def ask_to_stop(signum, _frame):
        name = signal.Signals(signum).name
        log.info("scheduler %s: %s received, stopping after the running jobs", runner.HOLDER, name)
        stop.set()

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    with app.app_context():
        runner.defer_checkpoints()
    scheduler = BackgroundScheduler(timezone="UTC")
    start = datetime.now(UTC) + timedelta(seconds=first_run_after)
    jobs = all_jobs()
    for job in jobs:
        scheduler.add_job(
            _tick,
            "interval",
            args=(app, job, stop),
            seconds=job.every_seconds,
            id=job.name,
            next_run_time=start,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=job.every_seconds,
        )
    log.info("scheduler %s: %d jobs (%s)", runner.HOLDER, len(jobs), ", ".join(job.name for job in jobs))
    scheduler.start()
    try:
        while not stop.wait(1):
            pass
    finally:
        scheduler.shutdown(wait=True)
        with app.app_context():
            runner.release_lease(utcnow())
        log.info("scheduler %s stopped", runner.HOLDER)
