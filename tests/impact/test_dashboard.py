from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import func, select

from sharemarket.extensions import db
from sharemarket.impact import aggregate
from sharemarket.impact.dashboard import Period, summary
from sharemarket.impact.models import ImpactFigure

OCT = {"from": "2026-10", "to": "2026-10"}


def test_aggregates_and_suppresses_small_groups(town):
    data = summary(Period(date(2026, 10, 1), date(2026, 10, 1)), public=True)
    assert data["by_key"]["loans"] == {"tools": 6}
    assert data["by_key"]["money_saved_eur"] == {"tools": 300}
    # One kitchen borrower, one item owner, 3 passengers + 1 driver: fewer than 5 people.
    assert "kitchen" not in data["by_key"]["loans"]
    assert "items" in data["suppressed"] and "carpool_seats" in data["suppressed"]
    assert data["totals"]["km_shared"] == 0
    assert data["occupancy"][0]["rate"] == 0.5
    assert data["monthly"]["desk_occupancy"] == {date(2026, 10, 1): 50.0}
    detailed = summary(Period(date(2026, 10, 1), date(2026, 10, 1)), public=False)
    assert detailed["by_key"]["loans"] == {"tools": 6, "kitchen": 1}
    assert detailed["totals"]["km_shared"] == 150
    assert round(detailed["totals"]["co2_avoided_kg"], 2) == 28.95
    assert detailed["totals"]["carpool_seats"] == 3
    assert detailed["totals"]["members"] == 15


def test_refresh_is_idempotent(town):
    count = db.session.scalar(select(func.count()).select_from(ImpactFigure))
    aggregate.refresh([date(2026, 10, 1)])
    aggregate.refresh([date(2026, 10, 1)])
    assert db.session.scalar(select(func.count()).select_from(ImpactFigure)) == count


def test_public_page_has_accessible_charts(client, town):
    response = client.get("/impact", query_string=OCT)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and '<title id="chart-loans-title">' in page and "<desc" in page
    assert "<table" in page and "La Cale" in page and "50%" in page
    assert "ODbL" in page
    assert "proofs.jsonl" not in page


def test_default_period_is_the_last_twelve_months(client, town):
    page = client.get("/impact").get_data(as_text=True)
    loans_chart = page.split('id="chart-loans-heading"')[1].split("</figure>")[0]
    assert loans_chart.count("<rect") == 12


def test_bad_period_is_a_clear_400(client):
    for query in (
        {"from": "2026-13"},
        {"from": "nonsense"},
        {"from": "2026-10", "to": "2026-01"},
        {"from": "2000-01", "to": "2026-01"},
    ):
        assert client.get("/impact", query_string=query).status_code == 400
        assert client.get("/impact/open-data/impact.csv", query_string=query).status_code == 400
    assert "YYYY-MM" in client.get("/impact?from=2026-13").get_data(as_text=True)


def test_csv_streams_with_header_and_no_small_figures(client, town):
    response = client.get("/impact/open-data/impact.csv", query_string=OCT)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "license" in response.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert set(rows[0]) == {"dimension", "key", "period_start", "value"}
    by = {(r["dimension"], r["key"]): r["value"] for r in rows}
    assert by[("loans", "tools")] == "6.0"
    assert by[("loans", "kitchen")] == ""
    assert by[("km_shared", "all")] == ""


def test_json_states_the_license_and_suppresses(client, town):
    document = json.loads(client.get("/impact/open-data/impact.json", query_string=OCT).get_data(as_text=True))
    assert document["license"] == "ODbL-1.0"
    values = {(f["dimension"], f["key"]): f["value"] for f in document["figures"]}
    assert values[("loans", "tools")] == 6 and values[("loans", "kitchen")] is None


def test_geojson_feature_collections(client, town):
    spaces = json.loads(client.get("/impact/open-data/spaces.geojson").get_data(as_text=True))
    assert spaces["type"] == "FeatureCollection"
    (feature,) = spaces["features"]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    lng, lat = feature["geometry"]["coordinates"]
    assert (lat, lng) == (47.7483, -3.37)
    points = client.get("/impact/open-data/meeting-points.geojson")
    assert points.mimetype == "application/geo+json"
    document = json.loads(points.get_data(as_text=True))
    assert document["type"] == "FeatureCollection" and "BNLC" in document["attribution"]


def test_admin_dashboard_is_for_admins_only(client, town, make_user, login):
    assert client.get("/impact/admin").status_code == 302
    member = make_user()
    login(member)
    assert client.get("/impact/admin").status_code == 403
    assert client.get("/impact/admin/proofs.jsonl").status_code == 403


def test_admin_dashboard_shows_weekly_detail(client, town, make_user, login):
    admin = make_user()
    admin.is_admin = True
    db.session.commit()
    login(admin)
    page = client.get("/impact/admin", query_string=OCT).get_data(as_text=True)
    assert "Week by week" in page and "2026-10-05" in page and "proofs.jsonl" in page


def test_credits_page_links_the_dashboard(client):
    assert 'href="/impact"' in client.get("/credits").get_data(as_text=True)


def test_job_recomputes_recent_months(app, town):
    from datetime import UTC, datetime

    from sharemarket.impact.jobs import refresh_recent

    assert refresh_recent(datetime(2026, 10, 20, tzinfo=UTC))["months"] == 3
    data = summary(Period(date(2026, 10, 1), date(2026, 10, 1)), public=True)
    assert data["by_key"]["loans"] == {"tools": 6}
