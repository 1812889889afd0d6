"""Account pages through the real forms: sign up, log in/out, profile, password, reset, export, close."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from sharemarket.accounts import services
from sharemarket.accounts.models import ApiToken, User
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.notifications.models import OutboxEmail
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English; French pages are covered by tests/core/test_translations.py."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def users_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def errors_in(response) -> list[str]:
    return re.findall(r'<p class="error" id="[^"]+">([^<]*)</p>', response.get_data(as_text=True))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def snapshot(user: User) -> dict:
    user = fresh(user)
    return {c.key: getattr(user, c.key) for c in inspect(User).column_attrs}


def is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def register_form(**overrides) -> dict:
    data = {"display_name": "Zoé", "email": "zoe@example.org", "password": PASSWORD, "locale": "en"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- sign up


def test_sign_up_creates_the_account_and_logs_in(client):
    response = client.post("/register", data=register_form(email="Zoe@Example.ORG"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    user = db.session.scalar(select(User).where(User.email_key == "zoe@example.org"))
    assert user.display_name == "Zoé"
    assert user.locale == "en"
    assert user.password_hash.startswith("pbkdf2:")  # the suite's cheap method; production's is below
    assert PASSWORD not in user.password_hash
    page = client.get("/account")
    assert page.status_code == 200
    assert "Welcome, Zoé!" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({}, "email"),
        ({"display_name": None}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"email": None}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "x' OR '1'='1"}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"email": "<script>@example.org"}, "email"),
        ({"password": None}, "password"),
        ({"password": "short"}, "password"),
        ({"password": "p" * 201}, "password"),
        ({"locale": "klingon"}, "locale"),
    ],
)
def test_sign_up_with_bad_input_says_why_and_creates_nothing(client, form, field):
    data = {} if form == {} else register_form(**form)
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert errors_in(response), response.get_data(as_text=True)
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert "Please correct the highlighted fields." in response.get_data(as_text=True)
    assert users_count() == 0
    assert not is_logged_in(client)


def test_sign_up_with_a_taken_address_in_another_case_is_refused(client, make_user):
    make_user(email="zoe@example.org")
    response = client.post("/register", data=register_form(email="ZOE@EXAMPLE.org"))
    assert response.status_code == 422
    assert "Already registered." in errors_in(response)
    assert users_count() == 1


def test_sign_up_accepts_unicode_and_shows_markup_as_text(client):
    name = "Zoé <script>alert(1)</script> 🚲"
    response = client.post("/register", data=register_form(display_name=name, email="zoé@exemple.fr"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.display_name == name
    assert user.email == "zoé@exemple.fr"
    for page in (client.get("/account"), client.get(f"/people/{user.id}")):
        html = page.get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; 🚲" in html
        assert "<script>alert(1)" not in html


def test_sql_looking_text_is_stored_as_text(client):
    name = "Robert'); DROP TABLE users;--"
    assert client.post("/register", data=register_form(display_name=name)).status_code == 302
    assert db.session.scalar(select(User.display_name)) == name
    assert users_count() == 1


# ---------------------------------------------------------------- log in / out


def test_log_in_and_out(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)
    assert client.get("/logout").status_code == 405  # logging out changes state: POST only
    assert is_logged_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_log_in_goes_to_a_local_next_page_only(client, make_user):
    user = make_user()
    response = client.post("/login?next=/account/password", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example", "javascript:x"):
        client.post("/logout")
        response = client.post(
            "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target


def test_a_page_that_needs_an_account_sends_to_log_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": "known", "password": "wrong password"}, "Wrong e-mail or password."),
        ({"email": "nobody@example.org", "password": PASSWORD}, "Wrong e-mail or password."),
        ({"email": "known", "password": ""}, "This field is required."),
        ({"email": "", "password": PASSWORD}, "This field is required."),
        ({"email": "x" * 300, "password": PASSWORD}, "Field cannot be longer than 254 characters."),
        ({"email": "' OR 1=1 --", "password": "' OR 1=1 --"}, "Wrong e-mail or password."),
    ],
)
def test_failed_log_in_says_why_and_does_not_log_in(client, make_user, form, message):
    user = make_user()
    data = {**form, "email": user.email if form["email"] == "known" else form["email"]}
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert message in errors_in(response)
    assert not is_logged_in(client)


def test_suspended_and_closed_accounts_cannot_log_in(client, make_user, now):
    suspended = make_user(email="sus@example.org")
    suspended.status, suspended.status_reason = "suspended", "spam"
    closed = make_user(email="closed@example.org")
    services.delete_account(user=closed, now=now)
    db.session.commit()
    response = client.post("/login", data={"email": "sus@example.org", "password": PASSWORD})
    assert response.status_code == 422
    assert "This account is suspended: spam" in errors_in(response)
    response = client.post("/login", data={"email": "closed@example.org", "password": PASSWORD})
    assert response.status_code == 422
    assert not is_logged_in(client)


# ---------------------------------------------------------------- profile


def profile_form(user: User, **overrides) -> dict:
    data = {
        "display_name": user.display_name,
        "bio": user.bio,
        "phone": user.phone or "",
        "locale": user.locale,
        "home_label": "",
        "home_lat": "",
        "home_lng": "",
    }
    data.update(overrides)
    return data


def test_profile_with_a_town_name_finds_the_home_in_the_gazetteer(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account", data=profile_form(user, home_label="hennebont", bio="Je prête ma scie."))
    assert response.status_code == 302
    user = fresh(user)
    assert (user.home_lat, user.home_lng) == (47.805, -3.277)
    assert user.home_label == "hennebont"
    assert user.bio == "Je prête ma scie."
    assert "Your profile is saved." in client.get("/account").get_data(as_text=True)


def test_profile_with_coordinates_keeps_them(client, make_user, login):
    user = make_user()
    login(user)
    form = profile_form(user, display_name="Zoé K.", home_label="Chez moi", home_lat="47.7501", home_lng="-3.3602")
    assert client.post("/account", data=form).status_code == 302
    user = fresh(user)
    assert (user.home_lat, user.home_lng, user.home_label) == (47.7501, -3.3602, "Chez moi")
    assert user.display_name == "Zoé K."
    assert client.post("/account", data=profile_form(user)).status_code == 302
    assert not fresh(user).has_home  # emptied fields clear the home


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "This field is required."),
        ({"display_name": "n" * 61}, "display_name", None),
        ({"bio": "b" * 1001}, "bio", None),
        ({"phone": "call me maybe"}, "phone", "Give a phone number with digits, spaces and + only."),
        ({"phone": "0" * 31}, "phone", None),
        ({"locale": "xx"}, "locale", None),
        ({"home_label": "Atlantis"}, "home_label", "We do not know the place “Atlantis”. Try a nearby town."),
        ({"home_label": "t" * 121}, "home_label", None),
        ({"home_lat": "47.7"}, "home_label", "Give both the latitude and the longitude."),
        ({"home_lat": "91", "home_lng": "0"}, "home_lat", None),
        ({"home_lat": "abc", "home_lng": "-3"}, "home_lat", "Not a valid float value."),
        ({"home_lat": "nan", "home_lng": "-3"}, "home_lat", None),
        ({"home_lat": "47", "home_lng": "inf"}, "home_lng", None),
    ],
)
def test_profile_with_bad_input_says_why_and_changes_nothing(client, make_user, login, overrides, field, message):
    user = make_user(display_name="Before")
    login(user)
    before = snapshot(user)
    response = client.post("/account", data=profile_form(user, **overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    if message:
        assert any(message in error for error in errors_in(response))
    assert snapshot(user) == before


def test_public_profile_never_shows_e_mail_phone_or_exact_home(client, make_user, login, now):
    user = make_user(email="private@example.org")
    services.update_profile(user=user, now=now, phone="+33 6 12 34 56 78", bio="<b>hi</b>")
    services.set_home(user, services.Place(47.7501, -3.3602, "Lorient"))
    db.session.commit()
    html = client.get(f"/people/{user.id}").get_data(as_text=True)
    assert "private@example.org" not in html
    assert "12 34 56" not in html
    assert "47.75" not in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert client.get("/people/999999").status_code == 404


# ---------------------------------------------------------------- password


def test_changing_the_password_logs_out_the_other_sessions(app, client, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert is_logged_in(other)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other)
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert other.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (
            {"current_password": "not my password", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "current_password",
        ),
        ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": "something else"}, "confirm"),
        ({"current_password": PASSWORD, "new_password": "n" * 201, "confirm": "n" * 201}, "new_password"),
        ({}, "current_password"),
    ],
)
def test_bad_password_change_says_why_and_changes_nothing(client, make_user, login, form, field):
    user = make_user()
    login(user)
    before = snapshot(user)
    response = client.post("/account/password", data=form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert snapshot(user) == before
    assert is_logged_in(client)


# ---------------------------------------------------------------- password reset


def reset_link_for(address: str) -> str:
    mail = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id.desc())
    ).first()
    assert mail is not None, "no reset e-mail in the outbox"
    return re.search(r"http://localhost(/password-reset/\S+)", mail.text_body).group(1)


def test_password_reset_by_e_mailed_link(app, client, make_user, auth_header):
    user = make_user()
    header = auth_header(user)
    response = client.post("/password-reset", data={"email": user.email.upper()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.user_id == user.id))
    assert mail.subject == "Reset your sharemarket password"
    link = reset_link_for(user.email)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert app.test_client().get("/api/v1/me", headers=header).status_code == 401  # tokens revoked
    again = client.post(link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert again.status_code == 422
    assert "This link was already used. Ask for a new one." in errors_in(again)


def test_password_reset_says_the_same_for_unknown_addresses_and_sends_nothing(client):
    response = client.post("/password-reset", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


@pytest.mark.parametrize("email", ["", "not an address", "a" * 260 + "@example.org"])
def test_password_reset_request_with_bad_input_is_422(client, email):
    response = client.post("/password-reset", data={"email": email})
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_tampered_expired_and_malformed_reset_links_change_nothing(client, make_user):
    user = make_user()
    before = snapshot(user)
    good = services.reset_token_for(user, now=utcnow())
    expired = services.reset_token_for(user, now=utcnow() - timedelta(hours=2))
    tampered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    cases = [
        (tampered, "This link is not valid. Ask for a new one."),
        ("not-a-token", "This link is not valid. Ask for a new one."),
        ("x" * 500, "This link is not valid. Ask for a new one."),
        (expired, "This link has expired. Ask for a new one."),
    ]
    for token, message in cases:
        response = client.post(f"/password-reset/{token}", data=form)
        assert response.status_code == 422, token
        assert message in response.get_data(as_text=True)
    mismatch = client.post(f"/password-reset/{good}", data={"password": NEW_PASSWORD, "confirm": "other words"})
    assert mismatch.status_code == 422
    assert snapshot(user) == before


def test_reset_link_expiry_follows_the_services_clock(make_user, now):
    user = make_user()
    token = services.reset_token_for(user, now=now)
    with pytest.raises(services.ValidationFailed) as failure:
        services.reset_password(token=token, new_password=NEW_PASSWORD, now=now + timedelta(seconds=3601))
    assert list(failure.value.errors) == ["token"]
    assert "expir" in failure.value.detail  # "expired" / "expiré", whichever the default locale
    assert fresh(user).password_changed_at == now
    services.reset_password(token=token, new_password=NEW_PASSWORD, now=now + timedelta(seconds=3599))
    assert fresh(user).password_changed_at == now + timedelta(seconds=3599)


# ---------------------------------------------------------------- export and close


def test_personal_data_export_is_a_json_download(client, make_user, login, auth_header):
    user = make_user(email="me@example.org", display_name="Me")
    auth_header(user)
    login(user)
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["user"]["email"] == "me@example.org"
    assert data["user"]["display_name"] == "Me"
    assert len(data["api_tokens"]) == 1
    assert "token_hash" not in response.get_data(as_text=True)
    assert "password" not in response.get_data(as_text=True)


def test_closing_the_account_erases_personal_data(client, make_user, login, auth_header, now):
    user = make_user(email="leaving@example.org", display_name="Leaving")
    services.update_profile(user=user, now=now, phone="0612345678", bio="about me")
    services.set_home(user, services.Place(47.75, -3.36, "Lorient"))
    db.session.commit()
    header = auth_header(user)
    login(user)
    wrong = client.post("/account/delete", data={"password": "not my password"})
    assert wrong.status_code == 422
    assert "This is not your password." in errors_in(wrong)
    assert fresh(user).status == "active"
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert not is_logged_in(client)
    gone = fresh(user)
    assert gone.status == "deleted"
    assert "leaving" not in gone.email
    assert (gone.display_name, gone.bio, gone.phone, gone.home_lat, gone.home_label) == (
        "Former member",
        "",
        None,
        None,
        None,
    )
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert client.get("/api/v1/me", headers=header).status_code == 401
    assert client.post("/login", data={"email": "leaving@example.org", "password": PASSWORD}).status_code == 422
    assert client.get(f"/people/{user.id}").status_code == 404
    # The address is free again.
    assert client.post("/register", data=register_form(email="leaving@example.org")).status_code == 302


def test_production_hashes_passwords_with_scrypt():
    import config

    assert config.DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
