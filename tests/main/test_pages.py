"""The accessibility statement, the app manifest and icons, error summaries linked to their fields,
space photos sized for phones."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from sharemarket.db import utcnow
from sharemarket.desks import photos as space_photos
from sharemarket.desks import services as desks
from sharemarket.extensions import db
from sharemarket.geo import Place


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_accessibility_statement_has_the_rgaa_sections_and_the_configured_contact(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SHAREMARKET_CONTACT_EMAIL", "a11y@lorient.example.org")
    page = client.get("/accessibility")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for section in (
        "Accessibility statement",
        "Conformance status",
        "partially conformant",
        "Non-accessible content",
        "How this statement was made",
        "axe-core 4.14.1",
        "Chromium",
        "Keyboard",
        "320×640",
        "Feedback and contact",
        "Défenseur des droits",
    ):
        assert section in html, section
    assert 'href="mailto:a11y@lorient.example.org"' in html


def test_every_page_footer_links_to_the_statement(client):
    for path in ("/", "/login", "/listings", "/desks"):
        assert 'href="/accessibility"' in client.get(path).get_data(as_text=True), path


def test_the_manifest_names_png_icons_that_exist_at_their_sizes(app, client):
    with client.get("/static/manifest.webmanifest") as response:
        manifest = json.loads(response.get_data(as_text=True))
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} >= {"192x192", "512x512"}
    for icon in pngs:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200
            data = response.data
        with Image.open(io.BytesIO(data)) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    html = client.get("/").get_data(as_text=True)
    assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in html
    with client.get("/static/img/apple-touch-icon.png") as response:
        assert response.status_code == 200


def test_the_error_summary_links_to_each_wrong_field(client):
    html = client.post("/register", data={"email": "not an e-mail"}).get_data(as_text=True)
    summary = html.split('class="form-errors"', 1)[1].split("</div>", 1)[0]
    assert 'href="#email"' in summary and 'href="#password"' in summary and 'href="#display_name"' in summary


def _space_with_photo(make_user, width: int, height: int):
    manager = make_user(display_name="Manager")
    space = desks.create_space(creator=manager, name="La Cale", location=Place(47.75, -3.36, "Lorient"), now=utcnow())
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 90)).save(out, "PNG")
    photo = space_photos.add_photo(space=space, actor=manager, data=out.getvalue(), alt="Open space", now=utcnow())
    db.session.commit()
    return space, photo


def test_space_photos_come_in_phone_widths_with_srcset(client, make_user):
    space, photo = _space_with_photo(make_user, 1600, 1000)
    for width in space_photos.SCREEN_WIDTHS:
        response = client.get(f"/space-photos/{photo.id}-{width}w.jpg")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(response.data)) as image:
            assert (image.width, image.height) == (width, round(1000 * width / 1600))
    assert client.get(f"/space-photos/{photo.id}-123w.jpg").status_code == 404
    html = client.get(f"/spaces/{space.id}").get_data(as_text=True)
    assert f"/space-photos/{photo.id}-480w.jpg 480w" in html and f"/space-photos/{photo.id}.jpg 1600w" in html
    assert 'sizes="384px"' in html and 'width="1600" height="1000"' in html


def test_a_small_space_photo_is_served_as_it_is(client, make_user):
    _, photo = _space_with_photo(make_user, 300, 200)
    response = client.get(f"/space-photos/{photo.id}-960w.jpg")
    assert response.data == client.get(f"/space-photos/{photo.id}.jpg").data
