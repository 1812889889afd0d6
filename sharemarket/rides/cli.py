"""`flask --app wsgi meeting-points load [PATH]`: the national register of carpool places."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import Flask

from sharemarket.extensions import db
from sharemarket.rides import meeting_points
from sharemarket.rides.settings import setting


def register(app: Flask) -> None:
    @app.cli.group("meeting-points")
    def meeting_points_group():
        """Official carpool meeting places (Base Nationale des Lieux de Covoiturage, ODbL)."""

    @meeting_points_group.command("load")
    @click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def load_command(path: Path | None):
        """Load or update the places from a BNLC CSV (default: the copy shipped with sharemarket)."""
        try:
            summary = meeting_points.load_csv(path or meeting_points.PACKAGED_CSV)
        except (UnicodeDecodeError, csv.Error) as exc:
            db.session.rollback()
            raise click.ClickException(f"This does not look like a BNLC CSV file: {exc}") from None
        db.session.commit()
        click.echo(
            f"Meeting points: {summary.created} added, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.skipped} rows skipped (no usable coordinates). Source: {meeting_points.CREDIT}.\n"
            f"Running web processes read them again within {int(setting('RIDES_MEETING_POINTS_REFRESH_SECONDS'))} s."
        )
