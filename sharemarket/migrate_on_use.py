"""Flask-Migrate, bound to the app when it is first used (`flask db ...`, `flask_migrate.upgrade()`).

Importing Flask-Migrate imports Alembic and Mako, a third of a second that every web worker and
every `flask jobs run-once` would otherwise pay at start-up without ever migrating. The `db`
command is registered all the same (with its own help), and `app.extensions["migrate"]` answers
as Flask-Migrate's own does: the first attribute read from it binds the real extension.
"""

from __future__ import annotations

import importlib

import click
from flask import Flask

DB_HELP = "Perform database migrations."


class Migrations:
    """Stands for `flask_migrate.Migrate` in `create_app`: same `init_app` arguments."""

    def init_app(self, app: Flask, db, **options) -> None:
        app.extensions["migrate"] = _BoundOnUse(app, db, options)
        app.cli.add_command(LazyGroup("db", "flask_migrate.cli:db", help=DB_HELP))


class _BoundOnUse:
    def __init__(self, app: Flask, db, options: dict):
        self._app, self._db, self._options = app, db, options
        self._bound = None

    def __getattr__(self, name: str):
        if self._bound is None:
            from flask_migrate import Migrate

            # Flask-Migrate's init_app puts its own config in app.extensions["migrate"] (replacing
            # this stand-in) and its `db` group in app.cli (replacing the lazy one).
            Migrate().init_app(self._app, self._db, **self._options)
            self._bound = self._app.extensions["migrate"]
        return getattr(self._bound, name)


class LazyGroup(click.Group):
    """A click group whose commands live in a module imported only when the group is run or listed."""

    def __init__(self, name: str, import_path: str, **attrs):
        super().__init__(name, **attrs)
        self.import_path = import_path

    def _group(self) -> click.Group:
        module, _, attribute = self.import_path.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The context's command is the real group: click invokes it, with its options and subcommands.
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._group().get_command(ctx, cmd_name)
