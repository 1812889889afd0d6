"""Settings, read from the environment once at start-up.

`create_app(overrides)` layers a dict over these, which is how tests configure the app.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE / 'sharemarket.db'}"
    # Heroku-style URLs name the old driver; SQLAlchemy wants the psycopg 3 dialect.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment() -> dict:
    """The configuration a deployment gets from its environment variables."""
    env = os.environ.get("SHAREMARKET_ENV", "production").strip().lower()
    return {
        "ENV_NAME": env,
        "DEBUG": env == "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SHAREMARKET_TIMEZONE": os.environ.get("SHAREMARKET_TIMEZONE", "Europe/Paris"),
        "SHAREMARKET_BASE_URL": os.environ.get("SHAREMARKET_BASE_URL", "http://127.0.0.1:5000"),
        # Where inhabitants report an accessibility problem (the accessibility statement shows it).
        "SHAREMARKET_CONTACT_EMAIL": os.environ.get("SHAREMARKET_CONTACT_EMAIL", "accessibilite@sharemarket.example"),
        "SHAREMARKET_INTEROP_KEYS": os.environ.get("SHAREMARKET_INTEROP_KEYS", ""),
        "SHAREMARKET_GEOCODER": os.environ.get("SHAREMARKET_GEOCODER", "offline"),
        "SHAREMARKET_GEOCODER_URL": os.environ.get("SHAREMARKET_GEOCODER_URL", ""),
        "MEDIA_DIR": os.environ.get("SHAREMARKET_MEDIA_DIR", str(INSTANCE / "media")),
        "SHAREMARKET_TILE_URL": os.environ.get(
            "SHAREMARKET_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "sharemarket <no-reply@localhost>"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "SESSION_COOKIE_SECURE": env != "development",
        "REMEMBER_COOKIE_SECURE": env != "development",
    }


DEFAULTS: dict = {
    # No ping on every checkout (a round trip to PostgreSQL for each request): connections are
    # renewed after 30 minutes, before the idle timeouts of proxies and firewalls, and a
    # connection that died anyway (server restart) fails one request and the pool starts afresh.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "API_MAX_JSON_BYTES": 64 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ["fr", "en", "nl", "pt", "sv"],
    "API_TOKEN_DAYS": 30,
    "PASSWORD_RESET_SECONDS": 3600,
    "REQUEST_EXPIRY_HOURS": 48,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STRATEGY": "fixed-window",
    "DEMO_PASSWORD": "sharemarket-demo",
    "PASSWORD_HASH_METHOD": "scrypt",
}
