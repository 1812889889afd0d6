"""Saved searches in the JSON API: `/me/saved-searches`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import Blueprint, jsonify
from pydantic import ConfigDict, Field

from sharemarket.alerts import services
from sharemarket.api import current_api_user, endpoint, page_of
from sharemarket.api.core import PageQuery, decode_cursor
from sharemarket.api.schemas import PlaceIn, PlaceOut, Schema
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.rides import rules as ride_rules

bp = Blueprint("alerts_api", __name__)
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class SavedSearchIn(Schema):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: PlaceIn = Field(alias="from")
    to: PlaceIn
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        min_length=1, max_length=7, description="0 = Monday … 6 = Sunday"
    )
    time_from: str = Field(pattern=HHMM, description="The driver leaves from this local time, HH:MM")
    time_to: str = Field(pattern=HHMM, description="… until this one, HH:MM (after time_from)")
    seats: int = Field(1, ge=ride_rules.SEATS_MIN, le=ride_rules.SEATS_MAX)


class SavedSearchOut(Schema):
    id: int
    from_: PlaceOut = Field(alias="from")
    to: PlaceOut
    weekdays: list[int]
    time_from: str
    time_to: str
    seats: int
    created_at: datetime


class SavedSearchPage(Schema):
    results: list[SavedSearchOut]
    next: str | None = None


@bp.get("/me/saved-searches")
@endpoint(
    "My saved ride searches, newest first",
    query=PageQuery,
    responses={200: SavedSearchPage},
    tags=["rides"],
    paginated=True,
)
def list_saved_searches(query: PageQuery):
    user = current_api_user()
    after = decode_cursor(query.cursor)
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise ValidationFailed.field("cursor", "This cursor is not one we gave out.")
    rows = services.searches_of(user, after_id=after, limit=query.limit + 1)
    return jsonify(page_of(rows, query.limit, lambda last: last.id, services.as_dict))


@bp.post("/me/saved-searches")
@endpoint(
    "Save a ride search: I am told of each new ride it would find (inbox and e-mail)",
    body=SavedSearchIn,
    responses={201: SavedSearchOut},
    tags=["rides"],
)
def create_saved_search(body: SavedSearchIn):
    user = current_api_user()
    saved = services.save_search(
        user=user,
        origin=body.from_.to_place(),
        destination=body.to.to_place(),
        weekdays=body.weekdays,
        time_from=body.time_from,
        time_to=body.time_to,
        seats=body.seats,
        now=utcnow(),
    )
    db.session.commit()
    return jsonify(services.as_dict(saved)), 201


@bp.delete("/me/saved-searches/<int:search_id>")
@endpoint("Forget one of my saved searches", responses={204: None}, tags=["rides"])
def delete_saved_search(search_id: int):
    services.forget_search(user=current_api_user(), search_id=search_id)
    db.session.commit()
    return "", 204
