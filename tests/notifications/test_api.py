from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l

from sharemarket.extensions import db
from sharemarket.notifications import services


def _say(user, now, title):
    note = services.notify(user=user, kind="loan", title=_l(title), body=_l("Body"), now=now, link="/bookings/1")
    db.session.commit()
    return note


def test_list_is_paginated_newest_first(client, make_user, auth_header, now):
    ana = make_user()
    for i in range(5):
        _say(ana, now + timedelta(minutes=i), f"N{i}")
    _say(make_user(), now, "Someone else's")
    headers = auth_header(ana)
    page = client.get("/api/v1/me/notifications?limit=2", headers=headers).json
    assert [n["title"] for n in page["results"]] == ["N4", "N3"]
    assert page["unread_count"] == 5
    first = page["results"][0]
    assert first["read"] is False and first["read_at"] is None and first["link"] == "/bookings/1"
    assert first["created_at"].endswith("Z") and first["kind"] == "loan"
    titles = []
    cursor = None
    while True:
        url = "/api/v1/me/notifications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers).json
        titles += [n["title"] for n in page["results"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert titles == ["N4", "N3", "N2", "N1", "N0"]


def test_mark_some_then_filter_unread_then_mark_all(client, make_user, auth_header, now):
    ana = make_user()
    notes = [_say(ana, now, f"N{i}") for i in range(3)]
    theirs = _say(make_user(), now, "Not Ana's")
    headers = auth_header(ana)
    response = client.post("/api/v1/me/notifications/read", json={"ids": [notes[0].id, theirs.id]}, headers=headers)
    assert response.status_code == 200 and response.json == {"marked": 1, "unread_count": 2}
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).json["results"]
    assert [n["title"] for n in unread] == ["N2", "N1"]
    read = client.get("/api/v1/me/notifications?unread=false", headers=headers).json["results"]
    assert [(n["title"], n["read"]) for n in read] == [("N0", True)]
    response = client.post("/api/v1/me/notifications/read", json={}, headers=headers)
    assert response.json == {"marked": 2, "unread_count": 0}


@pytest.mark.parametrize(
    "query, field",
    [("unread=maybe", "unread"), ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=forged.abc", "cursor")],
)
def test_bad_list_queries_are_422(client, make_user, auth_header, query, field):
    response = client.get(f"/api/v1/me/notifications?{query}", headers=auth_header(make_user()))
    assert response.status_code == 422 and field in response.json["errors"]


def test_bad_mark_bodies(client, make_user, auth_header, now):
    ana = make_user()
    _say(ana, now, "N")
    headers = auth_header(ana)
    url = "/api/v1/me/notifications/read"
    assert client.post(url, json={"ids": ["x"]}, headers=headers).status_code == 422
    assert client.post(url, json={"ids": list(range(501))}, headers=headers).status_code == 422
    assert client.post(url, json=[1], headers=headers).status_code == 422
    assert client.post(url, data="{", content_type="application/json", headers=headers).status_code == 400
    assert client.post(url, data="ids=1", headers=headers).status_code == 415
    assert services.unread_count(ana) == 1


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/me/notifications").status_code == 401
    assert client.post("/api/v1/me/notifications/read", json={}).status_code == 401
    assert client.get("/api/v1/me/notification-preferences").status_code == 401
    assert client.put("/api/v1/me/notification-preferences", json={"preferences": []}).status_code == 401


def test_preferences_read_and_write(client, make_user, auth_header):
    ana = make_user()
    headers = auth_header(ana)
    body = client.get("/api/v1/me/notification-preferences", headers=headers).json
    kinds = {p["kind"]: p for p in body["preferences"]}
    assert kinds["account"] == {
        "kind": "account",
        "label": "My account and its security",
        "channel": "email",
        "locked": True,
    }
    assert kinds["loan"]["channel"] == "email" and kinds["loan"]["locked"] is False
    # What GET gives can be sent back changed.
    for pref in body["preferences"]:
        if pref["kind"] == "loan":
            pref["channel"] = "digest"
    response = client.put("/api/v1/me/notification-preferences", json=body, headers=headers)
    assert response.status_code == 200
    only_rides = {"preferences": [{"kind": "ride", "channel": "inbox"}]}
    response = client.put("/api/v1/me/notification-preferences", json=only_rides, headers=headers)
    chosen = {p["kind"]: p["channel"] for p in response.json["preferences"]}
    assert chosen["loan"] == "digest" and chosen["ride"] == "inbox" and chosen["desk"] == "email"


@pytest.mark.parametrize(
    "preferences, field",
    [
        ([{"kind": "loan", "channel": "inbox"}, {"kind": "nope", "channel": "email"}], "preferences.1"),
        ([{"kind": "account", "channel": "inbox"}], "preferences.0"),
        ([{"kind": "loan", "channel": "pigeon"}], "preferences.0.channel"),
        ([{"kind": "loan", "channel": "inbox"}, {"kind": "loan", "channel": "email"}], "preferences.1.kind"),
        ([{"channel": "inbox"}], "preferences.0.kind"),
        ("all of them", "preferences"),
    ],
)
def test_bad_preferences_are_422_and_change_nothing(client, make_user, auth_header, preferences, field):
    ana = make_user()
    response = client.put(
        "/api/v1/me/notification-preferences", json={"preferences": preferences}, headers=auth_header(ana)
    )
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert {p["channel"] for p in services.preferences(ana)} == {"email"}
