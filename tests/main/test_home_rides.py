"""The home page's rides: tomorrow morning on my commute (home toward my usual destination), or
leaving near me when I have no usual destination."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.main import nearby, nearby_rides
from sharemarket.rides import services as rides

TOWN = ZoneInfo("Europe/Paris")
LANESTER = Place(47.7614, -3.3419, "Lanester")
QUIMPERLE = Place(47.8728, -3.5497, "Quimperlé")
VANNES = Place(47.6582, -2.7608, "Vannes")
HENNEBONT = Place(47.8050, -3.2770, "Hennebont")


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = utcnow().astimezone(TOWN).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), TOWN)


@pytest.fixture
def drivers(make_user):
    """Tomorrow morning from Lanester: one to Vannes at 07:30, one to Quimperlé at 08:00; one from
    Hennebont (7 km away) to Vannes; one in the afternoon (not a morning ride)."""
    now = utcnow()
    made = {}
    for name, origin, destination, hour in (
        ("Vannes driver", LANESTER, VANNES, 7.5),
        ("Quimperlé driver", Place(47.7650, -3.3400, "Lanester, Kerfréhour"), QUIMPERLE, 8),
        ("Hennebont driver", HENNEBONT, VANNES, 7),
        ("Afternoon driver", LANESTER, VANNES, 15),
    ):
        driver = make_user(display_name=name, home=origin)
        made[name] = rides.publish_ride(
            driver=driver, origin=origin, destination=destination, seats=2, now=now,
            departure_at=_tomorrow_at(int(hour), int(hour % 1 * 60)), timezone="Europe/Paris",
        )  # fmt: skip
    db.session.commit()
    return made


def test_without_a_usual_destination_the_rides_leaving_near_me_tomorrow_morning(app, make_user, drivers):
    member = make_user(display_name="Passenger", home=LANESTER)
    found = nearby.near_me(origin=nearby.Origin(LANESTER, "home"), user=member, now=utcnow(), timezone="Europe/Paris")
    assert found.commute_to is None
    assert [r.driver_name for r in found.rides] == ["Vannes driver", "Quimperlé driver"]
    assert all(r.pickup_km < 1.5 for r in found.rides)


def test_on_my_commute_the_rides_from_home_toward_where_i_usually_go(app, make_user, drivers):
    member = make_user(display_name="Commuter", home=LANESTER)
    # The member drives to Quimperlé themselves sometimes: that is their usual destination.
    rides.publish_ride(
        driver=member, origin=LANESTER, destination=Place(47.8720, -3.5490, "Quimperlé, gare"), seats=1,
        now=utcnow(), departure_at=_tomorrow_at(18), timezone="Europe/Paris",
    )  # fmt: skip
    db.session.commit()
    found = nearby.near_me(origin=nearby.Origin(LANESTER, "home"), user=member, now=utcnow(), timezone="Europe/Paris")
    assert found.commute_to.label == "Quimperlé, gare"
    assert [r.driver_name for r in found.rides] == ["Quimperlé driver"]
    assert found.rides[0].href.startswith(f"/rides/{drivers['Quimperlé driver'].id}?date=")


def test_a_typed_town_lists_rides_leaving_there(app, drivers):
    found = nearby.near_me(origin=nearby.Origin(HENNEBONT, "typed"), user=None, now=utcnow(), timezone="Europe/Paris")
    assert [r.driver_name for r in found.rides] == ["Hennebont driver"]


def test_the_usual_destination_is_the_most_frequent_one_away_from_home():
    home = LANESTER
    assert nearby_rides.most_common_place([], home) is None
    assert nearby_rides.most_common_place([Place(47.7620, -3.3420, "next door")], home) is None
    # A tie goes to the most recent (places come newest first).
    places = [QUIMPERLE, VANNES, Place(47.8731, -3.5490, "Quimperlé, gare"), VANNES]
    assert nearby_rides.most_common_place(places, home) == QUIMPERLE
    assert nearby_rides.most_common_place([VANNES, QUIMPERLE, QUIMPERLE], home) == QUIMPERLE


def test_the_home_page_shows_the_rides_section(client, make_user, login, drivers):
    html = client.get("/").get_data(as_text=True)
    assert "Rides tomorrow morning" in html and "Leaving near here" in html
    member = make_user(display_name="Commuter", home=LANESTER)
    rides.publish_ride(
        driver=member, origin=LANESTER, destination=QUIMPERLE, seats=1, now=utcnow(),
        departure_at=_tomorrow_at(18), timezone="Europe/Paris",
    )  # fmt: skip
    db.session.commit()
    login(member)
    html = client.get("/").get_data(as_text=True)
    assert "From your home toward Quimperlé" in html and "Quimperlé driver" in html
    assert "All rides on my commute" in html and "to_label=Quimperl" in html
