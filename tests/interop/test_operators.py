"""Operator keys: printed once by the CLI and stored hashed, or configured in the environment."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.interop.models import InteropOperator
from tests.interop.conftest import InteropClient, journey_query


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["interop", *args])


def test_add_operator_prints_a_key_that_is_stored_only_as_its_hash(app, client):
    result = _cli(app, "add-operator", "mobicoop.example")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert len(key) >= 40
    operator = db.session.scalar(select(InteropOperator).where(InteropOperator.name == "mobicoop.example"))
    assert operator.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {operator.name, operator.key_hash}
    assert InteropClient(client, key).get("/driver_journeys", query_string=journey_query()).status_code == 200

    listed = _cli(app, "list-operators")
    assert "mobicoop.example\tactive" in listed.output
    assert _cli(app, "revoke-operator", "mobicoop.example").exit_code == 0
    assert InteropClient(client, key).get("/driver_journeys", query_string=journey_query()).status_code == 401
    assert "mobicoop.example\trevoked" in _cli(app, "list-operators").output


@pytest.mark.parametrize("name", ["", "with space", "a:b", "x" * 101, "_underscore.first", "é.example"])
def test_add_operator_refuses_bad_names(app, name):
    result = _cli(app, "add-operator", name)
    assert result.exit_code != 0 and "Use letters" in result.output
    assert db.session.scalar(select(InteropOperator.id)) is None


def test_add_operator_refuses_a_name_taken(app):
    assert _cli(app, "add-operator", "partner.example").exit_code == 0
    again = _cli(app, "add-operator", "partner.example")
    assert again.exit_code != 0 and "already exists" in again.output
    assert _cli(app, "revoke-operator", "nobody.example").exit_code != 0


def test_configured_keys_authenticate_their_operator(app, client, monkeypatch, commute):
    monkeypatch.setitem(
        app.config, "SHAREMARKET_INTEROP_KEYS", "maas.example:s3cret-key-1, blabla.example:other-key,empty:"
    )
    assert (
        InteropClient(client, "s3cret-key-1").get("/driver_journeys", query_string=journey_query()).status_code == 200
    )
    assert InteropClient(client, "other-key").get("/driver_journeys", query_string=journey_query()).status_code == 200
    for wrong in ("s3cret-key", "s3cret-key-1 x", "maas.example:s3cret-key-1", "empty:", ":"):
        assert InteropClient(client, wrong).get("/driver_journeys", query_string=journey_query()).status_code == 401
