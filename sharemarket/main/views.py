from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.forms_util import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            from sharemarket.accounts import services

            services.update_profile(user=current_user, locale=locale, now=utcnow())
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


# What a person can publish, by the feature page that creates it; shown once that page exists.
PUBLISH_CHOICES = (
    ("listings.new", _l("Lend an item"), _l("A drill, a ladder, a raclette set: neighbours borrow it for a few days.")),
    ("rides.new", _l("Offer a ride"), _l("Going to work or into town? Take neighbours along, once or every week.")),
    (
        "desks.create_space",
        _l("Publish desk slots (managers)"),
        _l("You run a third place or a coworking space: publish its desks and their hours."),
    ),
)


@bp.get("/publish")
def publish():
    endpoints = current_app.view_functions
    choices = [(endpoint, str(title), str(text)) for endpoint, title, text in PUBLISH_CHOICES if endpoint in endpoints]
    return render_template("main/publish.html", choices=choices)


@bp.get("/credits")
def credits():
    return render_template("main/credits.html")


@bp.get("/hello")
def hello():
    """The bare baseline the benchmarks compare every endpoint with."""
    return "hello"


@bp.get("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return jsonify({"status": "ok"})
