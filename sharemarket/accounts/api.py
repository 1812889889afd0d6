"""Accounts in the JSON API: /users, /tokens, /me."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from pydantic import Field

from sharemarket.accounts import services
from sharemarket.api import current_api_user, endpoint
from sharemarket.api.schemas import PlaceIn, PlaceOut, Schema, iso_utc
from sharemarket.db import utcnow
from sharemarket.errors import Unauthorized
from sharemarket.extensions import db, limiter

bp = Blueprint("accounts_api", __name__)


class UserCreate(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    display_name: str = Field(max_length=200)
    locale: str | None = Field(None, max_length=8)
    home: PlaceIn | None = None


class UserOut(Schema):
    id: int
    display_name: str
    email: str
    locale: str
    bio: str
    phone: str | None = None
    home: PlaceOut | None = None
    created_at: datetime


class UserPatch(Schema):
    display_name: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=2000)
    locale: str | None = Field(None, max_length=8)
    phone: str | None = Field(None, max_length=40)
    home: PlaceIn | None = None


class TokenCreate(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    label: str = Field("", max_length=80)


class TokenOut(Schema):
    token: str
    expires_at: datetime


def me_json(user) -> dict:
    return {
        "id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "bio": user.bio,
        "phone": user.phone,
        "home": {"lat": user.home_lat, "lng": user.home_lng, "label": user.home_label} if user.has_home else None,
        "created_at": iso_utc(user.created_at),
    }


@bp.post("/users")
@limiter.limit("30 per hour")
@endpoint("Create an account", auth="none", body=UserCreate, responses={201: UserOut}, tags=["accounts"])
def create_user(body: UserCreate):
    user = services.register_user(
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        locale=body.locale,
        home=body.home.to_place() if body.home else None,
        now=utcnow(),
    )
    db.session.commit()
    return jsonify(me_json(user)), 201


@bp.post("/tokens")
@limiter.limit("10 per minute;100 per hour")
@endpoint("Log in: get a bearer token", auth="none", body=TokenCreate, responses={201: TokenOut}, tags=["accounts"])
def create_token(body: TokenCreate):
    user = services.authenticate(email=body.email, password=body.password)
    if user is None:
        raise Unauthorized("Wrong e-mail or password.")
    raw, token = services.issue_token(user=user, now=utcnow(), label=body.label)
    db.session.commit()
    return jsonify({"token": raw, "expires_at": iso_utc(token.expires_at)}), 201


@bp.delete("/tokens/current")
@endpoint("Log out: revoke the token used for this call", responses={204: None}, tags=["accounts"])
def revoke_current_token():
    raw = request.headers["Authorization"].partition(" ")[2].strip()
    services.revoke_token(user=current_api_user(), raw=raw, now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/me")
@endpoint("The caller's own account, with e-mail", responses={200: UserOut}, tags=["accounts"])
def me():
    return jsonify(me_json(current_api_user()))


@bp.patch("/me")
@endpoint("Change the caller's profile", body=UserPatch, responses={200: UserOut}, tags=["accounts"])
def update_me(body: UserPatch):
    user = current_api_user()
    services.update_profile(
        user=user,
        now=utcnow(),
        display_name=body.display_name,
        bio=body.bio,
        locale=body.locale,
        phone=body.phone,
        home=body.home.to_place() if body.home else None,
    )
    db.session.commit()
    return jsonify(me_json(user))


@bp.delete("/me")
@endpoint("Close the account; personal data erased, bookings kept anonymised", responses={204: None}, tags=["accounts"])
def delete_me():
    services.delete_account(user=current_api_user(), now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/me/export")
@endpoint("All the caller's personal data (GDPR)", responses={200: {"type": "object"}}, tags=["accounts"])
def export_me():
    return jsonify(services.export_personal_data(user=current_api_user()))
