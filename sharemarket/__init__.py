"""sharemarket: lend things, share rides, book desks — one town, one account."""

from __future__ import annotations

import importlib
import logging

from flask import Flask

import config as settings
from sharemarket.extensions import babel, csrf, db, limiter, login_manager, migrate
from sharemarket.json_provider import FastJSONProvider
from sharemarket.routing import LazyBuilderRule

# Feature packages, in dependency order. Each may define `views.bp` (pages), `api.bp` (JSON
# under /api/v1), `cli.register(app)` and `demo.load(...)`; the app picks up what exists.
FEATURES = (
    "accounts",
    "notifications",
    "bookings",
    "organisations",
    "communities",
    "listings",
    "desks",
    "rides",
    "interop",
    "alerts",
    "moderation",
    "impact",
    "calendars",
    "jobs",
    "main",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    app.json = FastJSONProvider(app)
    app.url_rule_class = LazyBuilderRule
    register_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_templates(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: dict | None) -> None:
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(overrides or {})
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["SHAREMARKET_TIMEZONE"]
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production" and not app.config.get("TESTING"):
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (or SHAREMARKET_ENV=development for a local run)."
            )
        app.config["SECRET_KEY"] = "development-only-secret"
    settings.INSTANCE.mkdir(exist_ok=True)


def register_logging(app: Flask) -> None:
    # Development too: without a mail server, e-mails (reset links) are logged at INFO.
    if not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    from sharemarket.db import json_loads

    # JSON columns (a commute's weekdays, a page of search results reads twenty) parsed by orjson.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_deserializer": json_loads,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    db.init_app(app)
    from sharemarket.db import migration_include_object

    migrate.init_app(
        app,
        db,
        directory=str(settings.ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=migration_include_object,
        user_module_prefix="",
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from sharemarket.i18n import select_locale, select_timezone

    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )


def _feature_module(feature: str, module: str):
    name = f"sharemarket.{feature}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (name, f"sharemarket.{feature}"):
            return None
        raise


def register_models() -> None:
    for feature in FEATURES:
        _feature_module(feature, "models")


def register_blueprints(app: Flask) -> None:
    from sharemarket.api import build_api_v1

    api_blueprints = []
    for feature in FEATURES:
        views = _feature_module(feature, "views")
        if views is not None:
            app.register_blueprint(views.bp)
        api = _feature_module(feature, "api")
        if api is not None:
            api_blueprints.append(api.bp)
    api_v1 = build_api_v1(api_blueprints)
    app.register_blueprint(api_v1)
    # The API authenticates with bearer tokens, never cookies, so CSRF does not apply.
    for bp in [api_v1, *api_v1._blueprints_children()]:
        csrf.exempt(bp)
    # The standard-covoiturage API for partner operators: API keys, no cookies, no CSRF.
    interop = _feature_module("interop", "standard")
    if interop is not None:
        app.register_blueprint(interop.bp)
        csrf.exempt(interop.bp)


def register_errors(app: Flask) -> None:
    from sharemarket.web_errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_templates(app: Flask) -> None:
    from sharemarket import templating

    templating.register(app)


def register_cli(app: Flask) -> None:
    from sharemarket import demo

    demo.register(app)
    for feature in FEATURES:
        cli = _feature_module(feature, "cli")
        if cli is not None:
            cli.register(app)
