"""`flask --app wsgi interop add-operator NAME`: a partner operator's key, printed once."""

from __future__ import annotations

import click
from flask import Flask

from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.interop import operators


def register(app: Flask) -> None:
    @app.cli.group("interop")
    def interop_group():
        """Partner operators of the standard-covoiturage API (/interop/v1)."""

    @interop_group.command("add-operator")
    @click.argument("name")
    def add_operator_command(name: str):
        """Add an operator (its domain name, e.g. partner.example) and print its new API key."""
        try:
            _operator, key = operators.add_operator(name=name, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.detail) from None
        db.session.commit()
        click.echo(
            f"Operator {name} added. Give it this key for the X-API-Key header; it is not shown again:", err=True
        )
        click.echo(key)

    @interop_group.command("revoke-operator")
    @click.argument("name")
    def revoke_operator_command(name: str):
        """Refuse an operator's key from now on."""
        try:
            operators.revoke_operator(name=name, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.detail) from None
        db.session.commit()
        click.echo(f"Operator {name}: key revoked.")

    @interop_group.command("list-operators")
    def list_operators_command():
        """The operators with a key stored here (not those of SHAREMARKET_INTEROP_KEYS)."""
        for operator in operators.list_operators():
            state = f"revoked {operator.revoked_at:%Y-%m-%d}" if operator.revoked_at else "active"
            click.echo(f"{operator.name}\t{state}\tsince {operator.created_at:%Y-%m-%d}")
