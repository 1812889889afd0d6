from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sharemarket.accounts import services
from sharemarket.accounts.models import ApiToken, User
from sharemarket.extensions import db


def _post(client, path, body, **kwargs):
    return client.post(f"/api/v1{path}", json=body, **kwargs)


def test_register_then_token_then_me(client):
    response = _post(
        client,
        "/users",
        {
            "email": "Ana@Example.org",
            "password": "long enough pw",
            "display_name": "Ana",
            "home": {"lat": 47.75, "lng": -3.37},
        },
    )
    assert response.status_code == 201
    assert response.json["email"] == "Ana@example.org"
    token = _post(client, "/tokens", {"email": "ana@example.org", "password": "long enough pw"})
    assert token.status_code == 201
    assert token.json["expires_at"].endswith("Z")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert me.status_code == 200
    assert me.json["display_name"] == "Ana"
    assert me.json["home"]["lat"] == 47.75


def test_email_taken_in_another_case_is_409(client, make_user):
    make_user(email="bob@example.org")
    response = _post(
        client, "/users", {"email": "BOB@example.org", "password": "long enough pw", "display_name": "Bob"}
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert db.session.query(User).filter(User.email_key == "bob@example.org").count() == 1


def test_invalid_fields_are_422_with_field_errors(client):
    response = _post(client, "/users", {"email": "nope", "password": "short", "display_name": ""})
    assert response.status_code == 422
    body = response.json
    assert set(body["errors"]) == {"email", "password", "display_name"}
    assert {"type", "title", "status", "detail"} <= set(body)
    assert db.session.query(User).count() == 0


def test_wrong_types_and_bad_coordinates_are_422(client):
    response = _post(client, "/users", {"email": 5, "password": ["x"], "display_name": None})
    assert response.status_code == 422
    response = _post(
        client,
        "/users",
        {"email": "c@example.org", "password": "long enough pw", "display_name": "C", "home": {"lat": 91, "lng": 0}},
    )
    assert response.status_code == 422
    assert "home.lat" in response.json["errors"]


def test_malformed_json_is_400_and_wrong_type_415(client):
    response = client.post("/api/v1/users", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    response = client.post("/api/v1/users", data="email=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = client.post("/api/v1/users", data="[1, 2]", content_type="application/json")
    assert response.status_code == 422


def test_body_over_the_limit_is_413(client):
    response = _post(client, "/users", {"email": "a@example.org", "password": "x" * 100_000, "display_name": "A"})
    assert response.status_code == 413


def test_wrong_password_is_401(client, make_user):
    user = make_user()
    response = _post(client, "/tokens", {"email": user.email, "password": "wrong password!"})
    assert response.status_code == 401
    assert response.json["status"] == 401


def test_missing_tampered_expired_and_revoked_tokens_are_401(client, make_user, auth_header):
    user = make_user()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    header = auth_header(user)
    assert client.get("/api/v1/me", headers=header).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=header).status_code == 204
    assert client.get("/api/v1/me", headers=header).status_code == 401
    raw, token = services.issue_token(user=user, now=datetime.now(UTC) - timedelta(days=40))
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert db.session.get(ApiToken, token.id).expires_at < datetime.now(UTC)


def test_patch_me_validates_and_changes_nothing_on_error(client, make_user, auth_header):
    user = make_user(display_name="Before")
    header = auth_header(user)
    response = client.patch("/api/v1/me", json={"display_name": "", "locale": "fr"}, headers=header)
    assert response.status_code == 422
    assert client.get("/api/v1/me", headers=header).json["display_name"] == "Before"
    response = client.patch("/api/v1/me", json={"display_name": "<script>x</script>", "locale": "nl"}, headers=header)
    assert response.status_code == 200
    assert response.json["display_name"] == "<script>x</script>"
    assert response.json["locale"] == "nl"


def test_delete_me_anonymises_and_export_has_my_data(client, make_user, auth_header):
    user = make_user(display_name="Gone Soon", email="gone@example.org")
    header = auth_header(user)
    export = client.get("/api/v1/me/export", headers=header)
    assert export.status_code == 200
    assert export.json["user"]["email"] == "gone@example.org"
    assert client.delete("/api/v1/me", headers=header).status_code == 204
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.status == "deleted"
    assert "gone" not in gone.email
    assert gone.display_name != "Gone Soon"
    assert client.get("/api/v1/me", headers=header).status_code == 401
    response = _post(client, "/tokens", {"email": "gone@example.org", "password": "correct horse battery"})
    assert response.status_code == 401


def test_unknown_api_path_and_method_are_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    response = client.put("/api/v1/me")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


# ---------------------------------------------------------------- the contract, case by case

USER_FIELDS = {"id", "display_name", "email", "locale", "bio", "phone", "home", "created_at"}


def test_post_users_answers_the_new_user(client):
    response = _post(client, "/users", {"email": "new@example.org", "password": "0123456789", "display_name": "New"})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.json
    assert USER_FIELDS <= set(body)
    assert body["email"] == "new@example.org"
    assert body["locale"] == "fr"  # the default language
    assert body["home"] is None
    assert body["created_at"].endswith("Z")
    assert "password" not in body and "password_hash" not in body


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"email", "password", "display_name"}),
        ({"email": "a@example.org", "password": "012345678", "display_name": "A"}, {"password"}),
        ({"email": "a@example.org", "password": "x" * 201, "display_name": "A"}, {"password"}),
        ({"email": "a@example.org", "password": "0123456789", "display_name": "A" * 61}, {"display_name"}),
        ({"email": "a@example.org", "password": "0123456789", "display_name": "   "}, {"display_name"}),
        ({"email": "a" * 250 + "@example.org", "password": "0123456789", "display_name": "A"}, {"email"}),
        ({"email": "'; DROP TABLE users; --", "password": "0123456789", "display_name": "A"}, {"email"}),
        ({"email": "a@example.org", "password": "0123456789", "display_name": "A", "locale": "tlh"}, {"locale"}),
        ({"email": "a@example.org", "password": 1234567890, "display_name": "A"}, {"password"}),
        ({"email": "a@example.org", "password": "0123456789", "display_name": "A", "home": "Lorient"}, {"home"}),
        ({"email": "a@example.org", "password": "0123456789", "display_name": "A", "home": {"lat": 1}}, {"home.lng"}),
    ],
)
def test_post_users_with_invalid_fields_is_422_and_creates_nothing(client, body, fields):
    response = _post(client, "/users", body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert fields <= set(response.json["errors"])
    assert db.session.query(User).count() == 0


def test_post_users_keeps_unicode_and_markup_as_text(client):
    name = "Zoé <img src=x onerror=alert(1)> 🚲"
    body = {"email": "zoé@exemple.fr", "password": "0123456789", "display_name": name}
    response = _post(client, "/users", body)
    assert response.status_code == 201
    assert response.json["display_name"] == name
    assert response.json["email"] == "zoé@exemple.fr"


def test_post_users_accepts_json_with_a_charset(client):
    body = b'{"email": "c@example.org", "password": "0123456789", "display_name": "C"}'
    response = client.post("/api/v1/users", data=body, content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_post_tokens_answers_a_token_that_expires_in_30_days(client, make_user):
    user = make_user()
    response = _post(client, "/tokens", {"email": user.email.upper(), "password": "correct horse battery"})
    assert response.status_code == 201
    assert set(response.json) == {"token", "expires_at"}
    expires = datetime.fromisoformat(response.json["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)
    me = client.get("/api/v1/me", headers={"Authorization": f"bearer {response.json['token']}"})
    assert me.status_code == 200  # the scheme is case-insensitive


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "nobody@example.org", "password": "correct horse battery"}, 401),
        ({"email": "known", "password": ""}, 401),
        ({"email": "known"}, 422),
        ({"password": "correct horse battery"}, 422),
        ({"email": "known", "password": "correct horse battery", "label": "l" * 81}, 422),
        ({"email": ["known"], "password": "correct horse battery"}, 422),
    ],
)
def test_post_tokens_refuses_bad_credentials_and_bad_input(client, make_user, body, status):
    user = make_user()
    body = {k: (user.email if v == "known" else v) for k, v in body.items()}
    response = _post(client, "/tokens", body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert db.session.query(ApiToken).count() == 0


def test_a_suspended_account_gets_no_token(client, make_user):
    user = make_user()
    user.status, user.status_reason = "suspended", "spam"
    db.session.commit()
    response = _post(client, "/tokens", {"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 403
    assert db.session.query(ApiToken).count() == 0


def test_get_me_has_the_callers_own_fields(client, make_user, auth_header, now):
    user = make_user(email="me@example.org", display_name="Me")
    services.update_profile(user=user, now=now, phone="0612345678", bio="Bio")
    db.session.commit()
    body = client.get("/api/v1/me", headers=auth_header(user)).json
    assert USER_FIELDS <= set(body)
    assert (body["id"], body["email"], body["phone"], body["bio"]) == (user.id, "me@example.org", "0612345678", "Bio")


def test_delete_me_revokes_every_token_of_the_account(client, make_user, auth_header):
    user = make_user()
    first, second = auth_header(user), auth_header(user)
    response = client.delete("/api/v1/me", headers=first)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.delete("/api/v1/me", headers=first).status_code == 401


def test_export_me_needs_a_token_and_hides_secrets(client, make_user, auth_header):
    assert client.get("/api/v1/me/export").status_code == 401
    user = make_user()
    response = client.get("/api/v1/me/export", headers=auth_header(user))
    assert response.status_code == 200
    assert {"user", "api_tokens"} <= set(response.json)
    text = response.get_data(as_text=True)
    assert "token_hash" not in text and "password" not in text
    assert user.password_hash not in text
