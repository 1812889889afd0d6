from __future__ import annotations

import hashlib
import json

from sharemarket.extensions import db

OCT = {"from": "2026-10", "to": "2026-10"}


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line]


def test_cli_exports_one_journey_per_driver_passenger_pair(app, town):
    result = app.test_cli_runner().invoke(args=["impact", "proofs", "--from", "2026-10-01", "--to", "2026-10-31"])
    assert result.exit_code == 0, result.output
    journeys = _lines(result.output)
    assert len(journeys) == 3
    first = journeys[0]
    assert first["operator_class"] == "A"
    assert first["operator_trip_id"].startswith("occurrence-")
    assert len({j["operator_journey_id"] for j in journeys}) == 3
    assert len({j["operator_trip_id"] for j in journeys}) == 1
    assert first["distance"] == 50000
    assert first["passenger"]["contribution"] == 350 and first["driver"]["revenue"] == 350
    assert first["passenger"]["seats"] == 1
    assert set(first["start"]) == {"datetime", "lat", "lon"} and first["start"]["datetime"].endswith("Z")
    secret = app.config.get("IMPACT_PROOF_SECRET") or app.config["SECRET_KEY"]
    driver = town["driver"]
    assert first["driver"]["identity"]["identity_key"] == hashlib.sha256(f"{secret}:{driver.id}".encode()).hexdigest()
    assert driver.email not in result.output


def test_cli_outside_the_period_is_empty_and_bad_range_refused(app, town):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["impact", "proofs", "--from", "2026-11-01", "--to", "2026-11-30"]).output == ""
    assert runner.invoke(args=["impact", "proofs", "--from", "2026-11-01", "--to", "2026-10-01"]).exit_code != 0


def test_admin_download(client, town, make_user, login):
    admin = make_user()
    admin.is_admin = True
    db.session.commit()
    login(admin)
    response = client.get("/impact/admin/proofs.jsonl", query_string=OCT)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert len(_lines(response.get_data(as_text=True))) == 3
