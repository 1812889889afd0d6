"""`/api/v1/me/saved-searches`: list, save, forget; bad input gets 422 and saves nothing."""

from __future__ import annotations

import pytest

from sharemarket.alerts import services

BODY = {
    "from": {"lat": 47.7614, "lng": -3.3419, "label": "Lanester"},
    "to": {"lat": 47.6582, "lng": -2.7608, "label": "Vannes"},
    "weekdays": [0, 1, 2, 3, 4],
    "time_from": "07:30",
    "time_to": "08:30",
    "seats": 1,
}
PATH = "/api/v1/me/saved-searches"


def test_save_list_page_and_forget(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    created = client.post(PATH, json=BODY, headers=headers)
    assert created.status_code == 201, created.json
    saved = created.json
    assert {k: saved[k] for k in BODY} == BODY
    assert saved["created_at"].endswith("Z") and isinstance(saved["id"], int)
    second = client.post(PATH, json={**BODY, "weekdays": [5]}, headers=headers).json

    listed = client.get(PATH, headers=headers).json
    assert [s["id"] for s in listed["results"]] == [second["id"], saved["id"]] and listed["next"] is None
    first_page = client.get(PATH, query_string={"limit": 1}, headers=headers).json
    assert [s["id"] for s in first_page["results"]] == [second["id"]]
    rest = client.get(PATH, query_string={"limit": 1, "cursor": first_page["next"]}, headers=headers).json
    assert [s["id"] for s in rest["results"]] == [saved["id"]] and rest["next"] is None

    other = auth_header(make_user())
    assert client.get(PATH, headers=other).json["results"] == []
    assert client.delete(f"{PATH}/{saved['id']}", headers=other).status_code == 404
    assert client.delete(f"{PATH}/{saved['id']}", headers=headers).status_code == 204
    assert client.delete(f"{PATH}/{saved['id']}", headers=headers).status_code == 404
    assert [s["id"] for s in client.get(PATH, headers=headers).json["results"]] == [second["id"]]


def test_saved_searches_need_a_token(client):
    assert client.get(PATH).status_code == 401
    assert client.post(PATH, json=BODY).status_code == 401
    assert client.delete(f"{PATH}/1").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": {"lat": 91, "lng": -3.3}}, "from.lat"),
        ({"to": {"lat": 47.6, "lng": 190}}, "to.lng"),
        ({"to": BODY["from"]}, "to"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays.0"),
        ({"weekdays": ["MON"]}, "weekdays.0"),
        ({"time_from": "25:00"}, "time_from"),
        ({"time_to": "8:30"}, "time_to"),
        ({"time_to": "07:00"}, "time_to"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"radius": 3}, "radius"),
        ({"from": None}, "from"),
    ],
)
def test_bad_saved_searches_get_422_and_nothing_is_saved(client, make_user, auth_header, change, field):
    user = make_user()
    body = {**BODY, **change}
    response = client.post(PATH, json=body, headers=auth_header(user))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert services.count_of(user) == 0


def test_the_same_search_twice_is_a_conflict_and_a_forged_cursor_is_refused(client, make_user, auth_header):
    headers = auth_header(make_user())
    assert client.post(PATH, json=BODY, headers=headers).status_code == 201
    assert client.post(PATH, json=BODY, headers=headers).status_code == 409
    assert client.get(PATH, query_string={"cursor": "abc.def"}, headers=headers).status_code == 422
    assert client.post(PATH, data="{", content_type="application/json", headers=headers).status_code == 400
