"""`flask i18n refresh` and `flask i18n missing LANG`: keep the translation catalogues in step."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app

from sharemarket.main import catalogues


def register(app: Flask) -> None:
    @app.cli.group("i18n")
    def i18n_group():
        """Translation catalogues in sharemarket/translations."""

    @i18n_group.command("refresh")
    def refresh():
        """Extract the strings, update every language's catalogue, compile them (idempotent)."""
        report = catalogues.refresh(current_app.config["LANGUAGES"])
        for locale, figures in report.items():
            state = "updated" if figures["changed"] else "unchanged"
            click.echo(f"{locale}: {figures['messages']} messages, {figures['missing']} untranslated ({state})")

    @i18n_group.command("missing")
    @click.argument("locale")
    def missing(locale: str):
        """List the msgids LOCALE has no translation for; exit status 1 when there are some."""
        if locale not in current_app.config["LANGUAGES"] or not catalogues.po_path(locale).exists():
            raise click.BadParameter(
                f"no catalogue for {locale!r}; run `flask i18n refresh` first", param_hint="LOCALE"
            )
        untranslated = catalogues.missing(catalogues.read(locale))
        for msgid in untranslated:
            click.echo(msgid)
        click.echo(f"{len(untranslated)} untranslated in {locale}", err=True)
        sys.exit(1 if untranslated else 0)
