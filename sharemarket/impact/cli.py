from __future__ import annotations

import sys
from datetime import date

import click
from flask import Flask

from sharemarket.extensions import db
from sharemarket.impact import aggregate, proofs


def register(app: Flask) -> None:
    @app.cli.group("impact")
    def impact_group():
        """Impact figures and carpool proofs."""

    @impact_group.command("refresh")
    @click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="first month (default: all history)")
    @click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="last month (default: this month)")
    def refresh_command(first, last):
        """Recompute the pre-aggregated figures of a range of months."""
        start = first.date() if first else aggregate.history_start() or date.today()
        end = last.date() if last else date.today()
        months = aggregate.months_between(start, end)
        written = aggregate.refresh(months)
        db.session.commit()
        click.echo(f"{len(months)} months, {written} figures")

    @impact_group.command("proofs")
    @click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
    @click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
    def proofs_command(first, last):
        """Completed carpools as JSON lines (French carpool proof registry shape) on stdout."""
        if last < first:
            raise click.BadParameter("--to is before --from")
        for line in proofs.json_lines(first.date(), last.date()):
            sys.stdout.write(line)
