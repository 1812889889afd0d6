"""The home page: what is near me (things, free desks), from my home, a typed town, my position
or the town centre; one search box; works as a plain GET form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from sharemarket.db import utcnow
from sharemarket.desks import publishing
from sharemarket.desks import services as desks
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import services as listings
from sharemarket.main import nearby

LANESTER = Place(47.7614, -3.3419, "Lanester")
QUIMPER = Place(47.9960, -4.1020, "Quimper")  # ~60 km away: never "near" Lorient


@pytest.fixture
def client(client):
    """Pages in English, the language of the source strings."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def town(make_user, app):
    """A drill in Lanester, a chainsaw in Quimper, a space in Lanester with a free and a full
    slot later today (or tomorrow, late at night) and a member who lives in Lanester."""
    owner = make_user(display_name="Owner")
    now = utcnow()
    drill = listings.create_listing(owner=owner, now=now, title="Perceuse Lanester", category="tools", place=LANESTER)
    saw = listings.create_listing(owner=owner, now=now, title="Tronçonneuse Quimper", category="tools", place=QUIMPER)
    space = desks.create_space(creator=owner, name="Le Tiers-Lieu", location=LANESTER, now=now, timezone="Europe/Paris")
    open_desk = desks.add_desk(space=space, actor=owner, label="Open desk", now=now, seats=4)
    full_desk = desks.add_desk(space=space, actor=owner, label="Full desk", now=now, seats=1)
    start = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    slots = {}
    for desk, capacity in ((open_desk, 3), (full_desk, 1)):
        (slots[desk.label],) = publishing.publish_slots(
            space=space, actor=owner, desk_id=desk.id, start=start, end=start + timedelta(hours=2),
            capacity=capacity, now=now,
        )  # fmt: skip
    slots["Full desk"].booked = 1
    member = make_user(display_name="Member", home=Place(47.7700, -3.3300, "Lanester, Kerfréhour"))
    db.session.commit()
    return {"drill": drill, "saw": saw, "space": space, "member": member, "slots": slots}


def test_the_origin_is_a_point_then_a_typed_town_then_home_then_the_town_centre(app, town):
    member = town["member"]
    config = app.config
    point = nearby.origin_of(config, where="", lat="47.70", lng="-3.40", user=member)
    assert (point.source, point.place.lat, point.place.lng) == ("browser", 47.70, -3.40)
    typed = nearby.origin_of(config, where="lanester", lat=None, lng=None, user=member)
    assert typed.source == "typed" and typed.place.label == "Lanester"
    assert abs(typed.place.lat - 47.76) < 0.05
    home = nearby.origin_of(config, where="  ", lat="", lng="", user=member)
    assert home.source == "home" and home.place.label == "Lanester, Kerfréhour"
    anonymous = nearby.origin_of(config, where="", lat=None, lng=None, user=None)
    assert anonymous.source == "town" and anonymous.place.label == "Lorient"


@pytest.mark.parametrize(
    ("where", "lat", "lng", "field_error"),
    [("Atlantis", None, None, "We do not know"), ("", "91", "0", "latitude"), ("", "47.7", "", "both")],
)
def test_an_unknown_town_or_a_bad_point_is_a_field_error(app, where, lat, lng, field_error):
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        nearby.origin_of(app.config, where=where, lat=lat, lng=lng, user=None)
    assert field_error.lower() in " ".join(caught.value.errors["where"]).lower()


def test_near_me_lists_close_things_and_free_desks_only(app, town):
    origin = nearby.Origin(LANESTER, "typed")
    found = nearby.near_me(origin=origin, user=None, now=utcnow(), timezone="Europe/Paris")
    titles = [f.listing.title for f in found.items]
    assert titles == ["Perceuse Lanester"]
    assert found.items[0].distance_km < 0.1
    assert [(space.name, [slot["desk_label"] for slot in space.slots]) for space in found.desks] == [
        ("Le Tiers-Lieu", ["Open desk"])
    ]
    assert found.desk_day == town["slots"]["Open desk"].starts_at.astimezone(ZoneInfo("Europe/Paris")).date()


def test_free_desks_move_to_the_next_day_with_a_seat_when_today_is_full(app, town):
    """Late at night nothing is left today: the list shows the next day that has a free seat."""
    start = town["slots"]["Open desk"].starts_at
    zone = ZoneInfo("Europe/Paris")
    day_before = datetime.combine(start.astimezone(zone).date() - timedelta(days=1), datetime.min.time(), zone)
    day, free = nearby.free_desks((LANESTER.lat, LANESTER.lng), day_before.astimezone(UTC), zone)
    assert day == start.astimezone(zone).date()
    assert [slot["id"] for space in free for slot in space.slots] == [town["slots"]["Open desk"].id]
    far_day, nothing = nearby.free_desks((QUIMPER.lat, QUIMPER.lng), day_before.astimezone(UTC), zone)
    assert nothing == [] and far_day == day_before.date()


def test_home_page_for_a_visitor_is_around_the_town_centre(client, town):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Around the centre of Lorient." in html
    assert "Perceuse Lanester" in html and "Tronçonneuse Quimper" not in html
    assert "Open desk" in html and "Full desk" not in html
    assert 'role="search"' in html and 'name="where"' in html


def test_home_page_of_a_member_is_around_their_home(client, login, town):
    login(town["member"])
    html = client.get("/").get_data(as_text=True)
    assert "Around your home, Lanester, Kerfréhour." in html
    # "See more" keeps the same place for the feature's own search.
    assert "/listings?lat=47.77&amp;lng=-3.33&amp;where=Lanester" in html


def test_a_typed_town_and_a_browser_position_change_the_lists(client, town):
    html = client.get("/?where=Quimper").get_data(as_text=True)
    assert "Around Quimper." in html and "Tronçonneuse Quimper" in html and "Perceuse Lanester" not in html
    html = client.get("/?lat=47.7614&lng=-3.3419").get_data(as_text=True)
    assert "Around your current position." in html and "Perceuse Lanester" in html


def test_an_unknown_town_is_announced_and_linked_to_the_box(client, town):
    page = client.get("/?where=Atlantis")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'role="alert"' in html and 'href="#where"' in html and 'aria-invalid="true"' in html
    # The lists still show, around the town centre.
    assert "Perceuse Lanester" in html
