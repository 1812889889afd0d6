"""CSRF, cookies, security headers, rate limits and the production secret key."""

from __future__ import annotations

import re
import socket
import uuid

import pytest
from sqlalchemy import func, select

import config as settings
from sharemarket import create_app
from sharemarket.accounts.models import User
from sharemarket.extensions import db, limiter
from tests.conftest import PASSWORD, make_test_app


def users_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def csrf_token_from(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- CSRF


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, client, make_user, login, csrf_on):
    form = {"display_name": "Zoé", "email": "zoe@example.org", "password": PASSWORD, "locale": "fr"}
    response = client.post("/register", data=form)
    assert response.status_code == 400
    assert users_count() == 0
    user = make_user(display_name="Before")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302
    # Logged in through the real form, with its token: the token is what counts.
    token = csrf_token_from(client, "/login")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    for path, data in [
        ("/account", {"display_name": "After", "locale": "fr"}),
        ("/account/password", {"current_password": PASSWORD, "new_password": "x" * 12, "confirm": "x" * 12}),
        ("/account/delete", {"password": PASSWORD}),
        ("/logout", {}),
        ("/language", {"locale": "en"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "Your session expired or the form was sent twice." in response.get_data(as_text=True), path
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.display_name, user.status, user.locale) == ("Before", "active", "en")
    assert client.get("/account").status_code == 200  # still logged in: the logout without token did nothing


def test_a_form_with_its_csrf_token_goes_through(client, csrf_on):
    token = csrf_token_from(client, "/register")
    form = {
        "display_name": "Zoé",
        "email": "zoe@example.org",
        "password": PASSWORD,
        "locale": "fr",
        "csrf_token": token,
    }
    assert client.post("/register", data=form).status_code == 302
    assert users_count() == 1


def test_the_api_needs_no_csrf_token(client, csrf_on):
    body = {"email": "api@example.org", "password": PASSWORD, "display_name": "Api"}
    assert client.post("/api/v1/users", json=body).status_code == 201


# ---------------------------------------------------------------- cookies and headers


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_session_and_remember_cookies_are_http_only_and_same_site_lax(app, client, make_user, monkeypatch):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    for name in ("session", "remember_token"):
        cookie = cookie_header(response, name)
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert "Secure" in cookie_header(response, "session")
    assert "Secure" in cookie_header(response, "remember_token")


def test_cookies_are_secure_outside_development(monkeypatch):
    monkeypatch.setenv("SHAREMARKET_ENV", "production")
    production = settings.from_environment()
    assert production["SESSION_COOKIE_SECURE"] and production["REMEMBER_COOKIE_SECURE"]
    assert not production["DEBUG"]
    monkeypatch.setenv("SHAREMARKET_ENV", "development")
    development = settings.from_environment()
    assert not development["SESSION_COOKIE_SECURE"] and not development["REMEMBER_COOKIE_SECURE"]
    assert settings.DEFAULTS["SESSION_COOKIE_HTTPONLY"] and settings.DEFAULTS["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/api/v1/me", "/api/v1/openapi.json"])
def test_security_headers_on_pages_errors_and_api(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/login", "/register", "/password-reset"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html, path


# ---------------------------------------------------------------- production settings


@pytest.fixture
def limiter_state():
    """create_app binds the one Limiter object to each new app: put the test app's state back."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.mark.parametrize("secret", [None, ""])
def test_production_without_a_secret_key_does_not_start(monkeypatch, limiter_state, secret):
    monkeypatch.setenv("SHAREMARKET_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_and_production_with_a_key_start(monkeypatch, limiter_state):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SHAREMARKET_ENV", "development")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False}).debug
    monkeypatch.setenv("SHAREMARKET_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a real secret")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
    assert app.config["SECRET_KEY"] == "a real secret"
    assert not app.debug


# ---------------------------------------------------------------- rate limits


@pytest.fixture
def limited_app(limiter_state):
    """A second app with rate limits on (its own database; a fresh key prefix per test)."""
    made = []

    def make(storage: str = "memory://"):
        app = make_test_app(
            "limited",
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=storage,
            RATELIMIT_KEY_PREFIX=f"sharemarket-test-{uuid.uuid4().hex}",
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def assert_failed_logins_are_limited(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [client.post("/login", data=form).status_code for _ in range(10)]
    assert statuses == [422] * 10
    blocked = client.post("/login", data=form)
    assert blocked.status_code == 429
    assert "Too many attempts. Please wait a moment and try again." in blocked.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only the attempts are limited, not the page


def test_repeated_failed_logins_get_429(limited_app):
    assert_failed_logins_are_limited(limited_app())


@pytest.mark.skipif(not redis_reachable(), reason="no Redis server answers on 127.0.0.1:6379")
def test_repeated_failed_logins_get_429_with_redis_storage(limited_app):
    assert_failed_logins_are_limited(limited_app("redis://127.0.0.1:6379"))


def test_password_reset_requests_and_api_log_ins_are_limited(limited_app):
    client = limited_app().test_client()
    statuses = [client.post("/password-reset", data={"email": "a@example.org"}).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    body = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [client.post("/api/v1/tokens", json=body).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    limited = client.post("/api/v1/tokens", json=body)
    assert limited.mimetype == "application/problem+json"
    assert limited.json["status"] == 429
