"""Messages and reviews of bookings in the JSON API, and people's public view with their rating.

The routes hang on the bookings API blueprint (`bookings.api.bp`), which imports this module.
"""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.api import current_api_user, endpoint, optional_api_user, page_of
from sharemarket.api.core import PageQuery, decode_cursor
from sharemarket.api.schemas import Schema, iso_utc, user_ref
from sharemarket.bookings import messages, reviews, services
from sharemarket.bookings.api import bp
from sharemarket.bookings.exchange_models import COMMENT_MAX, MESSAGE_MAX, BookingMessage, Review
from sharemarket.bookings.labels import person_name
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db

PERSON = {"type": "object", "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}}}
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["id", "booking_id", "author", "body", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "booking_id": {"type": "integer"},
        "author": PERSON,
        "body": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "mine": {"type": "boolean"},
        "hidden": {"type": "boolean", "description": "Hidden by a moderator: `body` is then a notice"},
    },
}
REVIEW_SCHEMA = {
    "type": "object",
    "required": ["id", "booking_id", "author", "subject", "rating", "comment", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "booking_id": {"type": "integer"},
        "author": PERSON,
        "subject": PERSON,
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
RATING_SCHEMA = {
    "type": "object",
    "properties": {"average": {"type": ["number", "null"]}, "count": {"type": "integer"}},
}
PUBLIC_USER_SCHEMA = {
    "type": "object",
    "required": ["id", "display_name", "rating"],
    "properties": {
        "id": {"type": "integer"},
        "display_name": {"type": "string"},
        "bio": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "rating": RATING_SCHEMA,
    },
}


def _page_schema(item: dict) -> dict:
    return {
        "type": "object",
        "properties": {"results": {"type": "array", "items": item}, "next": {"type": ["string", "null"]}},
    }


class MessageIn(Schema):
    body: str = Field(max_length=MESSAGE_MAX, description="Plain text, 1 to 2000 characters")


class ReviewIn(Schema):
    rating: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(None, max_length=COMMENT_MAX)


def _person(user: User) -> dict:
    return {"id": user.id, "display_name": person_name(user)}


def message_json(message: BookingMessage, viewer_id: int) -> dict:
    return {
        "id": message.id,
        "booking_id": message.booking_id,
        "author": _person(message.author),
        "body": messages.shown_body(message),
        "created_at": iso_utc(message.created_at),
        "mine": message.author_id == viewer_id,
        "hidden": message.hidden_at is not None,
    }


def review_json(review: Review) -> dict:
    return {
        "id": review.id,
        "booking_id": review.booking_id,
        "author": _person(review.author),
        "subject": _person(review.subject),
        "rating": review.rating,
        "comment": review.comment,
        "created_at": iso_utc(review.created_at),
    }


def _after_id(cursor: str | None) -> int | None:
    after = decode_cursor(cursor)
    if after is None:
        return None
    if not isinstance(after, int) or isinstance(after, bool):
        raise ValidationFailed.field("cursor", "This cursor is not one we gave out.")
    return after


@bp.get("/bookings/<int:booking_id>/messages")
@endpoint(
    "A booking's message thread, oldest first; reading it marks it read for the caller",
    query=PageQuery,
    responses={200: _page_schema(MESSAGE_SCHEMA)},
    tags=["bookings"],
    paginated=True,
)
def list_messages(booking_id: int, query: PageQuery):
    user = current_api_user()
    booking = services.get_visible(booking_id=booking_id, user=user)
    rows = messages.thread_page(booking=booking, after_id=_after_id(query.cursor), limit=query.limit)
    shown = rows[: query.limit]
    if shown:
        messages.mark_read(booking=booking, reader=user, up_to_id=shown[-1].id, now=utcnow())
        db.session.commit()
    return jsonify(page_of(rows, query.limit, lambda m: m.id, lambda m: message_json(m, user.id)))


@bp.post("/bookings/<int:booking_id>/messages")
@endpoint(
    "Write to the other side of a booking (409 once it ended more than 30 days ago)",
    body=MessageIn,
    responses={201: MESSAGE_SCHEMA},
    tags=["bookings"],
)
def create_message(booking_id: int, body: MessageIn):
    user = current_api_user()
    booking = services.get_visible(booking_id=booking_id, user=user)
    message = messages.post_message(booking=booking, author=user, body=body.body, now=utcnow())
    db.session.commit()
    return jsonify(message_json(message, user.id)), 201


@bp.post("/bookings/<int:booking_id>/reviews")
@endpoint(
    "Rate the other side of a completed booking, once (409 twice or before completion)",
    body=ReviewIn,
    responses={201: REVIEW_SCHEMA},
    tags=["bookings"],
)
def create_review(booking_id: int, body: ReviewIn):
    user = current_api_user()
    booking = services.get_visible(booking_id=booking_id, user=user)
    review = reviews.leave_review(booking=booking, author=user, rating=body.rating, comment=body.comment, now=utcnow())
    db.session.commit()
    return jsonify(review_json(review)), 201


@bp.get("/users/<int:user_id>")
@endpoint(
    "A person's public view (never e-mail, phone or home) with their rating",
    auth="optional",
    responses={200: PUBLIC_USER_SCHEMA},
    tags=["accounts"],
)
def public_user(user_id: int):
    user = accounts.public_person(user_id=user_id, viewer=optional_api_user())
    rating = reviews.rating_of(user.id)
    return jsonify(
        {
            **user_ref(user),
            "bio": user.bio,
            "created_at": iso_utc(user.created_at),
            "rating": {"average": rating.average, "count": rating.count},
        }
    )


@bp.get("/users/<int:user_id>/reviews")
@endpoint(
    "Reviews of a person, newest first",
    auth="optional",
    query=PageQuery,
    responses={200: _page_schema(REVIEW_SCHEMA)},
    tags=["accounts"],
    paginated=True,
)
def user_reviews(user_id: int, query: PageQuery):
    user = accounts.public_person(user_id=user_id, viewer=optional_api_user())
    before = _after_id(query.cursor)
    rows = reviews.reviews_about(user.id, before_id=before, limit=query.limit)
    return jsonify(page_of(rows, query.limit, lambda r: r.id, review_json))
