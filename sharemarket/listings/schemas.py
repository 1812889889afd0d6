"""Shapes of the tool library's API: request bodies and queries (pydantic), response schemas."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from sharemarket.api.core import PageQuery
from sharemarket.api.schemas import PlaceIn, Schema
from sharemarket.listings import rules, search

CategoryId = Literal[tuple(rules.CATEGORIES)]  # type: ignore[valid-type]
ConditionId = Literal[tuple(rules.CONDITIONS)]  # type: ignore[valid-type]
Cents = Field(None, ge=0, le=rules.MONEY_MAX_CENTS)


class ListingCreate(Schema):
    title: str = Field(max_length=rules.TITLE_MAX)
    description: str | None = Field(None, max_length=rules.DESCRIPTION_MAX)
    category: CategoryId
    condition: ConditionId | None = None
    location: PlaceIn
    deposit_cents: int | None = Cents
    replacement_value_cents: int | None = Cents
    max_loan_days: int | None = Field(None, ge=1, le=rules.LOAN_DAYS_MAX)
    min_notice_days: int | None = Field(None, ge=0, le=rules.NOTICE_DAYS_MAX)
    buffer_days: int | None = Field(None, ge=0, le=rules.BUFFER_DAYS_MAX)
    pickup_instructions: str | None = Field(None, max_length=rules.INSTRUCTIONS_MAX)


class ListingPatch(Schema):
    title: str | None = Field(None, max_length=rules.TITLE_MAX)
    description: str | None = Field(None, max_length=rules.DESCRIPTION_MAX)
    category: CategoryId | None = None
    condition: ConditionId | None = None
    location: PlaceIn | None = None
    deposit_cents: int | None = Cents
    replacement_value_cents: int | None = Cents
    max_loan_days: int | None = Field(None, ge=1, le=rules.LOAN_DAYS_MAX)
    min_notice_days: int | None = Field(None, ge=0, le=rules.NOTICE_DAYS_MAX)
    buffer_days: int | None = Field(None, ge=0, le=rules.BUFFER_DAYS_MAX)
    pickup_instructions: str | None = Field(None, max_length=rules.INSTRUCTIONS_MAX)
    status: Literal["active", "paused", "archived"] | None = None


class ListingSearchQuery(PageQuery):
    near: str | None = Field(None, max_length=80, description="LAT,LNG of the centre, e.g. 47.7486,-3.3667")
    radius_km: float = Field(search.RADIUS_DEFAULT_KM, gt=0, le=search.RADIUS_MAX_KM, allow_inf_nan=False)
    q: str = Field("", max_length=200, description="Words of the title or description (case and accents ignored)")
    category: CategoryId | None = None
    available_from: date | None = None
    available_to: date | None = None


class LoanRequest(Schema):
    start_date: date
    end_date: date


class BlockCreate(Schema):
    start_date: date
    end_date: date
    reason: str = Field("", max_length=120)


CATEGORY_SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"}}}
DAY_SCHEMA = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "state": {"type": "string", "enum": ["free", "taken", "blocked"]},
    },
}
PLACE_SCHEMA = {
    "type": "object",
    "properties": {"lat": {"type": "number"}, "lng": {"type": "number"}, "label": {"type": ["string", "null"]}},
}
PHOTO_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string"},
        "thumbnail_url": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
    },
}
LISTING_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "category", "owner", "location", "status"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "category": {"type": "string", "enum": list(rules.CATEGORIES)},
        "category_label": {"type": "string"},
        "condition": {"type": "string", "enum": list(rules.CONDITIONS)},
        "owner": {"type": "object", "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}}},
        "location": PLACE_SCHEMA,
        "location_approximate": {"type": "boolean"},
        "distance_km": {"type": "number"},
        "deposit_cents": {"type": "integer"},
        "currency": {"type": "string"},
        "replacement_value_cents": {"type": ["integer", "null"]},
        "max_loan_days": {"type": "integer"},
        "min_notice_days": {"type": "integer"},
        "buffer_days": {"type": "integer"},
        "pickup_instructions": {"type": "string"},
        "status": {"type": "string", "enum": list(rules.STATUSES)},
        "photos": {"type": "array", "items": PHOTO_SCHEMA},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}


def list_of(item: dict) -> dict:
    return {
        "type": "object",
        "properties": {"results": {"type": "array", "items": item}, "next": {"type": ["string", "null"]}},
    }


BLOCK_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "reason": {"type": "string"},
    },
}
