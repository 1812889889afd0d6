"""Issue 8's "Done when", on the demo town: its town hall, two associations (one running a library
of things), a company community with commuters, settled moderation cases in the log, a dashboard
with twelve months of figures, and open-data files that validate."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.communities.models import Community, CommunityMember
from sharemarket.demo import load_all
from sharemarket.desks.models import Space
from sharemarket.extensions import db
from sharemarket.impact.dashboard import MIN_PEOPLE, Period, summary
from sharemarket.listings.models import Listing
from sharemarket.moderation.models import ModerationAction, Report
from sharemarket.organisations.models import Organisation, OrganisationMember
from sharemarket.rides.models import Ride
from tests.conftest import NOW

# The twelve whole months before the demo's today (NOW is 1 December 2026).
YEAR = Period(date(2025, 12, 1), date(2026, 11, 1))
# (west, east), (south, north): a [lng, lat] pair read the wrong way round falls outside.
LORIENT_AREA = ((-4.5, -2.0), (47.0, 48.5))
MAINLAND_FRANCE = ((-5.5, 9.7), (41.0, 51.2))


def _organisations_and_communities() -> None:
    kinds = dict(db.session.execute(select(Organisation.name, Organisation.kind)).all())
    assert kinds["Mairie de Lorient"] == "town_hall"
    assert kinds["Ressourcerie du Scorff"] == kinds["Amicale de Kervénanec"] == "association"
    assert kinds["Chantiers du Blavet"] == "company"
    town_hall = db.session.scalar(select(Organisation.id).where(Organisation.kind == "town_hall"))
    assert db.session.scalar(select(func.count(Space.id)).where(Space.organisation_id == town_hall)) == 1
    library = db.session.scalar(select(Organisation.id).where(Organisation.name == "Ressourcerie du Scorff"))
    assert db.session.scalar(select(func.count(Listing.id)).where(Listing.organisation_id == library)) >= 10
    shipyard = db.session.scalar(select(Organisation.id).where(Organisation.name == "Chantiers du Blavet"))
    assert db.session.scalar(select(func.count()).where(OrganisationMember.organisation_id == shipyard)) >= 8
    commuters = db.session.scalars(select(Community).where(Community.name.like("Chantiers du Blavet%"))).one()
    members = select(CommunityMember.user_id).where(CommunityMember.community_id == commuters.id)
    assert len(db.session.scalars(members).all()) >= 9
    assert db.session.scalar(select(func.count(Ride.id)).where(Ride.community_id == commuters.id)) >= 1
    driving = select(func.count(func.distinct(Ride.driver_id))).where(Ride.driver_id.in_(members))
    assert db.session.scalar(driving) >= 5


def _moderation_log() -> None:
    moderator = db.session.scalars(select(User).where(User.is_moderator.is_(True))).one()
    assert not moderator.is_admin
    settled = {
        (entry.action, entry.target_type)
        for entry in db.session.scalars(select(ModerationAction).where(ModerationAction.report_id.is_not(None)))
        if entry.moderator_id == moderator.id and entry.reason
    }
    assert {("warn", "user"), ("hide", "listing"), ("hide", "message")} <= settled
    closed = db.session.scalar(select(func.count(Report.id)).where(Report.is_open.is_(None)))
    waiting = db.session.scalar(select(func.count(Report.id)).where(Report.is_open.is_(True)))
    assert closed >= 3 and waiting >= 1


def _dashboard() -> None:
    data = summary(YEAR, public=True)
    for month in YEAR.months:
        assert data["monthly"]["members"][month] >= MIN_PEOPLE, month
        for name in (
            "loans",
            "items",
            "money_saved_eur",
            "carpool_seats",
            "km_shared",
            "co2_avoided_kg",
            "desk_occupancy",
        ):
            assert data["monthly"][name][month] > 0, (name, month)
    loans = list(data["monthly"]["loans"].values())
    assert sum(loans[-3:]) > 1.5 * sum(loans[:3])  # the service grew over the year
    assert len(data["occupancy"]) == 3 and all(0.05 < row["rate"] < 0.6 for row in data["occupancy"])
    assert len(data["by_key"]["loans"]) >= 5


def _open_data(client) -> None:
    query = {"from": "2025-12", "to": "2026-11"}
    text = client.get("/impact/open-data/impact.csv", query_string=query).get_data(as_text=True)
    assert text.splitlines()[0] == "dimension,key,period_start,value"
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) > 100 and all(len(row) == 4 for row in rows)
    document = json.loads(client.get("/impact/open-data/impact.json", query_string=query).get_data(as_text=True))
    assert document["license"] == "ODbL-1.0" and len(document["figures"]) == len(rows)
    spaces = _points(client, "/impact/open-data/spaces.geojson")
    assert len(spaces) == 3 and all(_inside(point, LORIENT_AREA) for point in spaces)
    # The national carpool areas: almost all in mainland France (a few overseas).
    areas = _points(client, "/impact/open-data/meeting-points.geojson")
    assert sum(_inside(point, MAINLAND_FRANCE) for point in areas) > 0.9 * len(areas)


def _points(client, path: str) -> list[tuple[float, float]]:
    """The [lng, lat] of every feature of a valid GeoJSON FeatureCollection of points."""
    response = client.get(path)
    assert response.mimetype == "application/geo+json"
    collection = json.loads(response.get_data(as_text=True))
    assert collection["type"] == "FeatureCollection" and collection["features"], path
    points = []
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        assert feature["geometry"]["type"] == "Point"
        lng, lat = feature["geometry"]["coordinates"]
        assert -180 <= lng <= 180 and -90 <= lat <= 90
        points.append((lng, lat))
    return points


def _inside(point: tuple[float, float], area: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    (lng, lat), ((west, east), (south, north)) = point, area
    return west < lng < east and south < lat < north


def test_the_demo_town_is_done(app, client):
    load_all(now=NOW)
    db.session.commit()
    _organisations_and_communities()
    _moderation_log()
    _dashboard()
    _open_data(client)
    page = client.get("/impact", query_string={"from": "2025-12", "to": "2026-11"})
    assert page.status_code == 200 and "No loans in this period." not in page.get_data(as_text=True)
