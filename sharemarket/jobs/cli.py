from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask

from sharemarket.db import utcnow
from sharemarket.jobs import runner
from sharemarket.jobs.registry import all_jobs

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse_at(value: str | None) -> datetime:
    """The instant `--at` names, in UTC; a clear usage error (exit code 2) for anything else."""
    if value is None:
        return utcnow()
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 instant; use e.g. 2026-12-01T08:00:00+01:00") from None
    if at.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2026-12-01T08:00:00+01:00")
    if not EARLIEST <= at <= LATEST:
        raise click.BadParameter("the instant must lie between the years 2000 and 2100")
    return at.astimezone(UTC)


def register(app: Flask) -> None:
    @app.cli.group("jobs")
    def jobs_group():
        """Scheduled jobs: reminders, expiry, no-shows, e-mail delivery."""

    @jobs_group.command("run-once")
    @click.option(
        "--at",
        "now",
        default=None,
        callback=lambda _ctx, _param, value: parse_at(value),
        help="Run as if the clock read this instant (ISO 8601 with offset).",
    )
    def run_once_command(now: datetime):
        """Run every job once and print what each did."""
        failed = 0
        for name, ok, line in runner.run_once(now):
            click.echo(f"{name}: {line}")
            failed += not ok
        if failed:
            raise SystemExit(1)

    @jobs_group.command("list")
    def list_command():
        """The jobs and their intervals."""
        for job in all_jobs():
            click.echo(f"{job.name}: every {job.every_seconds} s")

    @jobs_group.command("serve")
    def serve_command():
        """Run the jobs on their intervals until SIGINT/SIGTERM; one process at a time does the work."""
        from sharemarket.jobs.serve import serve

        # The summaries and e-mails (without MAIL_SERVER) go to the log: make sure it is shown.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("sharemarket").setLevel(logging.INFO)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        serve(app)
