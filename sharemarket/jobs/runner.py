"""Running jobs: once at a given time, or forever under APScheduler with a database lease."""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from sharemarket.extensions import db
from sharemarket.jobs.models import JobLease, JobRun
from sharemarket.jobs.registry import Job, all_jobs

log = logging.getLogger("sharemarket.jobs")
LEASE = "scheduler"
HOLDER = f"{socket.gethostname()}:{os.getpid()}"
# SQLite: the bytes of WAL file the scheduler keeps for reuse once a job's writes are merged.
WAL_FILE_KEPT = 64 * 1024 * 1024
# SQLite: how much of the database file the scheduler reads through a memory map (web workers map
# 256 MB). The mapped pages count in the process's resident memory: on 1M bookings a run-once
# peaked at 358 MB with 256 MB mapped, 166 MB with 64 MB, in the same time (4.12-4.29 s against
# 4.18-4.27 s, interleaved); unmapped, 102 MB but 0.08 s slower.
SCHEDULER_MMAP_BYTES = 64 * 1024 * 1024


def summary_line(summary: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in summary.items()) or "nothing to do"


def run_job(job: Job, now: datetime) -> tuple[bool, str]:
    """Run one job and commit; on error roll back and record it, so the next job still runs."""
    started = time.monotonic()
    busy = True
    try:
        summary = job.run(now)
        db.session.commit()
        ok, line = True, summary_line(summary)
        busy = any(summary.values())
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
        db.session.rollback()
        log.exception("job %s failed", job.name)
        ok, line = False, f"failed: {type(exc).__name__}: {exc}"[:500]
    _checkpoint()  # part of the job's cost: its recorded time includes it
    finished = now + timedelta(seconds=time.monotonic() - started)
    db.session.add(JobRun(name=job.name, started_at=now, finished_at=finished, ok=ok, summary=line))
    db.session.commit()
    # A run that did nothing is only worth a debug line: the scheduler ticks every few seconds.
    log.log(logging.INFO if busy else logging.DEBUG, "job %s: %s", job.name, line)
    return ok, line


def run_once(now: datetime) -> list[tuple[str, bool, str]]:
    defer_checkpoints()
    return [(job.name, *run_job(job, now)) for job in all_jobs()]


def defer_checkpoints() -> None:
    """SQLite: the scheduler's connections leave the WAL unmerged until each job ends.

    By default each commit that finds the WAL over 1,000 pages copies it back into the database
    and syncs it: the expiry's batches each rewrite thousands of pages (scattered bookings and
    their indexes, the outbox), so every batch paid a checkpoint, a quarter of the job on 1M
    bookings. Merged once after the job (`_checkpoint`), a page rewritten by several batches is
    copied once. The WAL then holds up to one job's writes (150 MB for 10,000 expiries on 1M
    bookings); the scheduler cuts its file back to 64 MB when it starts over. Web workers'
    connections keep SQLite's defaults. The scheduler also maps less of the database file
    (`SCHEDULER_MMAP_BYTES`). Nothing to do on PostgreSQL."""
    bind = db.session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        if not event.contains(bind, "checkout", _no_automatic_checkpoint):
            event.listen(bind, "checkout", _no_automatic_checkpoint)


def _no_automatic_checkpoint(dbapi_connection, record, _proxy) -> None:
    if not record.info.get("wal_autocheckpoint_off"):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
        dbapi_connection.execute(f"PRAGMA journal_size_limit={WAL_FILE_KEPT}")
        dbapi_connection.execute(f"PRAGMA mmap_size={SCHEDULER_MMAP_BYTES}")
        record.info["wal_autocheckpoint_off"] = True


def _checkpoint() -> None:
    """Merge what a job wrote into the database file, if this process defers checkpoints; on a
    connection with no transaction open, and PASSIVE: it waits for no reader or writer."""
    bind = db.session.get_bind()
    if isinstance(bind, Engine) and event.contains(bind, "checkout", _no_automatic_checkpoint):
        try:
            with bind.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001 - the next job's merge takes what this one left
            log.warning("WAL checkpoint after a job failed", exc_info=True)


def hold_lease(now: datetime, seconds: int = 60, holder: str | None = None) -> bool:
    """Take or renew the scheduler lease; False while another live process holds it."""
    holder = holder or HOLDER
    until = now + timedelta(seconds=seconds)
    taken = db.session.execute(
        update(JobLease)
        .where(JobLease.name == LEASE, (JobLease.holder == holder) | (JobLease.expires_at < now))
        .values(holder=holder, expires_at=until)
    ).rowcount
    if not taken and db.session.scalar(select(JobLease.name).where(JobLease.name == LEASE)) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLease(name=LEASE, holder=holder, expires_at=until))
            taken = 1
        except IntegrityError:
            taken = 0
    db.session.commit() if taken else db.session.rollback()
    return bool(taken)


def release_lease(now: datetime, holder: str | None = None) -> None:
    """Give the lease up at shutdown, so that another scheduler takes over at once."""
    db.session.execute(
        update(JobLease).where(JobLease.name == LEASE, JobLease.holder == (holder or HOLDER)).values(expires_at=now)
    )
    db.session.commit()


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job, by name."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.name)
    return {run.name: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(latest)))}


def lease() -> JobLease | None:
    return db.session.get(JobLease, LEASE)
