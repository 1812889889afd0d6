"""Pydantic shapes shared by several API modules."""

from __future__ import annotations

from datetime import UTC

import orjson
from pydantic import BaseModel, ConfigDict, Field

from sharemarket.geo import Place


class Schema(BaseModel):
    """The base of every API shape: pydantic builds a shape's validator and serializer the first
    time it is used, not as its module is imported (some 60 shapes, a twentieth of a second of
    every process's start-up, and a job process uses none of them)."""

    model_config = ConfigDict(defer_build=True)


class PlaceIn(Schema):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    label: str | None = Field(None, max_length=120)

    def to_place(self) -> Place:
        return Place(self.lat, self.lng, self.label)


class PlaceOut(Schema):
    lat: float
    lng: float
    label: str | None = None


class UserRef(Schema):
    id: int
    display_name: str


def user_ref(user) -> dict:
    return {"id": user.id, "display_name": user.display_name}


def iso_utc(instant) -> str | None:
    """RFC 3339 in UTC with a Z, as the contract promises: `isoformat()` with Z for +00:00,
    written by orjson (a page of search results writes some hundred; `isoformat` of an aware
    instant costs three times more)."""
    if instant is None:
        return None
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    return orjson.dumps(instant, option=orjson.OPT_UTC_Z)[1:-1].decode()
