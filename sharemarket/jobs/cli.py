from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import click
from flask import Flask

from sharemarket.db import utcnow
from sharemarket.jobs import runner
from sharemarket.jobs.registry import all_jobs


def parse_at(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO 8601 instant, e.g. 2026-12-01T08:00:00+01:00") from None
    if at.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2026-12-01T08:00:00+01:00")
    if not datetime(2000, 1, 1, tzinfo=UTC) <= at <= datetime(2100, 1, 1, tzinfo=UTC):
        raise click.BadParameter("the instant must lie between 2000 and 2100")
    return at.astimezone(UTC)


def register(app: Flask) -> None:
    @app.cli.group("jobs")
    def jobs_group():
        """Scheduled jobs: reminders, expiry, no-shows, e-mail delivery."""

    @jobs_group.command("run-once")
    @click.option("--at", "at", default=None, help="Run as if the clock read this instant (ISO 8601).")
    def run_once_command(at: str | None):
        """Run every job once and print what each did."""
        now = parse_at(at)
        failed = 0
        for name, ok, line in runner.run_once(now):
            click.echo(f"{name}: {line}")
            failed += not ok
        if failed:
            raise SystemExit(1)

    @jobs_group.command("list")
    def list_command():
        for job in all_jobs():
            click.echo(f"{job.name}: every {job.every_seconds} s")

    @jobs_group.command("serve")
    def serve_command():
        """Run the jobs on their intervals, forever; one process at a time does the work."""
        from apscheduler.schedulers.blocking import BlockingScheduler

        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not two lines per tick
        scheduler = BlockingScheduler(timezone="UTC")

        def guarded(job):
            def tick():
                with app.app_context():
                    if runner.hold_lease(utcnow()):
                        runner.run_job(job, utcnow())

            return tick

        start = datetime.now(UTC) + timedelta(seconds=2)
        for job in all_jobs():
            scheduler.add_job(
                guarded(job),
                "interval",
                seconds=job.every_seconds,
                id=job.name,
                next_run_time=start,
                max_instances=1,
                coalesce=True,
            )
        click.echo(f"scheduler {runner.HOLDER}: {len(all_jobs())} jobs")
        scheduler.start()
