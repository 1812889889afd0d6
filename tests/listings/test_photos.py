from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from sharemarket.extensions import db
from sharemarket.listings.models import ListingPhoto
from tests.listings.conftest import picture


def _upload(client, listing, header, data: bytes, name: str = "photo.jpg"):
    return client.post(
        f"/api/v1/listings/{listing.id}/photos",
        data={"photo": (io.BytesIO(data), name)},
        headers=header,
        content_type="multipart/form-data",
    )


def _photos() -> int:
    return db.session.scalar(select(func.count(ListingPhoto.id)))


def test_a_photo_is_re_encoded_without_its_metadata(client, make_user, auth_header, make_listing, media_dir):
    owner = make_user()
    listing = make_listing(owner=owner)
    original = picture("JPEG", size=(2400, 1200), exif=True)
    assert b"SecretCamera" in original
    response = _upload(client, listing, auth_header(owner), original)
    assert response.status_code == 201, response.json
    assert (response.json["width"], response.json["height"]) == (1600, 800)
    with client.get(response.json["url"]) as served:
        assert served.status_code == 200 and served.mimetype == "image/webp"
        data = served.data
    assert data != original and b"SecretCamera" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and image.size == (1600, 800)
        assert not image.getexif()
    with client.get(response.json["thumbnail_url"]) as thumb:
        data = thumb.data
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) == 400
    stored = sorted(p.name for p in media_dir.rglob("*") if p.is_file())
    assert len(stored) == 2 and all(name.endswith(".webp") for name in stored)
    listing_json = client.get(f"/api/v1/listings/{listing.id}").json
    assert [p["id"] for p in listing_json["photos"]] == [response.json["id"]]


@pytest.mark.parametrize("fmt, mode", [("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "P")])
def test_png_and_webp_are_accepted(client, make_user, auth_header, make_listing, fmt, mode):
    owner = make_user()
    listing = make_listing(owner=owner)
    color = (10, 200, 30, 128) if mode == "RGBA" else (10 if mode == "P" else (10, 200, 30))
    response = _upload(client, listing, auth_header(owner), picture(fmt, mode=mode, color=color), "x." + fmt.lower())
    assert response.status_code == 201


def test_bad_photos_are_refused_and_nothing_is_stored(
    client, make_user, auth_header, make_listing, media_dir, app, monkeypatch
):
    owner = make_user()
    listing = make_listing(owner=owner)
    header = auth_header(owner)
    bomb = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 1_000_000
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    truncated = picture("JPEG", size=(300, 300))[:200]
    for data, name in (
        (b"%PDF-1.4 not a picture", "cv.pdf"),
        (b"", "empty.jpg"),
        (bomb.getvalue(), "bomb.png"),
        (gif.getvalue(), "old.gif"),
        (truncated, "cut.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
    ):
        response = _upload(client, listing, header, data, name)
        assert response.status_code == 422, name
        assert "photo" in response.json["errors"]
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1000)
    response = _upload(client, listing, header, picture("PNG", size=(400, 400), color=(1, 2, 3)) + b"\0" * 2000)
    assert response.status_code == 422 and "too large" in response.json["detail"]
    assert _photos() == 0 and not any(p.is_file() for p in media_dir.rglob("*"))


def test_at_most_five_photos_and_only_by_the_owner(client, make_user, auth_header, make_listing):
    owner = make_user()
    listing = make_listing(owner=owner)
    header = auth_header(owner)
    assert _upload(client, listing, auth_header(make_user()), picture()).status_code == 403
    ids = [_upload(client, listing, header, picture()).json["id"] for _ in range(5)]
    sixth = _upload(client, listing, header, picture())
    assert sixth.status_code == 409
    assert _photos() == 5
    for params in ({}, {"near": f"{listing.lat},{listing.lng}"}):
        (found,) = client.get("/api/v1/listings", query_string=params).json["results"]
        assert [p["id"] for p in found["photos"]] == ids
        assert found["photos"][0]["thumbnail_url"].endswith("-thumb.webp")
    assert (
        client.delete(f"/api/v1/listings/{listing.id}/photos/{ids[1]}", headers=auth_header(make_user())).status_code
        == 403
    )
    assert client.delete(f"/api/v1/listings/{listing.id}/photos/{ids[1]}", headers=header).status_code == 204
    assert _upload(client, listing, header, picture()).status_code == 201
    assert _photos() == 5
    not_multipart = client.post(f"/api/v1/listings/{listing.id}/photos", json={"photo": "x"}, headers=header)
    assert not_multipart.status_code == 415


def test_photo_addresses_cannot_be_walked(client):
    assert client.get("/media/listings/../../etc/passwd-full.webp").status_code == 404
    assert client.get("/media/listings/" + "0" * 32 + "-full.webp").status_code == 404
    assert client.get("/media/listings/" + "z" * 32 + "-full.webp").status_code == 404
