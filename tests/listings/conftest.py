"""Fixtures of the tool library tests: a listing maker, a private media folder, pictures."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import rules, services

LORIENT = Place(47.7486, -3.3667, "Lorient gare")


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "media"
    monkeypatch.setitem(app.config, "MEDIA_DIR", str(path))
    return path


@pytest.fixture
def today(app):
    """Today in the server's timezone, by the real clock (what the pages and API use)."""
    with app.app_context():
        return rules.local_today(utcnow(), app.config["SHAREMARKET_TIMEZONE"])


@pytest.fixture
def next_saturday(today):
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


@pytest.fixture
def make_listing(make_user):
    def make(owner=None, **overrides):
        owner = owner or make_user(display_name="Owner")
        fields = {
            "title": "Perceuse à percussion",
            "description": "Bosch, avec un coffret de mèches.",
            "category": "tools",
            "place": LORIENT,
            "pickup_instructions": "Sonnez au 12, porte bleue.",
        }
        fields.update(overrides)
        listing = services.create_listing(owner=owner, now=utcnow(), **fields)
        db.session.commit()
        return listing

    return make


def picture(fmt: str = "JPEG", size=(120, 80), color=(200, 30, 30), exif: bool = False, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        data[0x8825] = {1: "N", 2: (47.0, 44.0, 55.0), 3: "W", 4: (3.0, 22.0, 0.0)}  # GPS
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()
