"""The one place that turns errors into HTTP: problem+json under /api, pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from sharemarket.api.core import problem
from sharemarket.errors import DomainError
from sharemarket.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/interop/")


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return problem(exc.status, exc.title, exc.detail, exc.errors)
        return render_template("errors/error.html", status=exc.status, message=exc.detail), exc.status

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        db.session.rollback()
        if wants_json():
            return problem(429, "Too many requests", f"Limit: {exc.description}. Try again later.")
        message = _("Too many attempts. Please wait a moment and try again.")
        return render_template("errors/error.html", status=429, message=message), 429

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = _("Your session expired or the form was sent twice. Please try again.")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        if wants_json():
            headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else {}
            return problem(status, exc.name, exc.description or exc.name, headers=headers)
        messages = {
            404: _("This page does not exist, or is not yours to see."),
            403: _("You are not allowed to do that."),
            405: _("This address does not accept that action."),
            413: _("What you sent is too large."),
        }
        message = messages.get(status, exc.description or exc.name)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_UNEXPECTED"):
            raise exc
        if wants_json():
            return problem(500, "Server error", "Something went wrong on our side; nothing was changed.")
        message = _("Something went wrong on our side; nothing was changed.")
        return render_template("errors/error.html", status=500, message=message), 500
