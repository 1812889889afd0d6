"""The caller's notifications and how they want to hear about each kind, in the JSON API."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, jsonify
from pydantic import Field

from sharemarket.api import current_api_user, endpoint, page_of
from sharemarket.api.core import PageQuery, decode_cursor
from sharemarket.api.schemas import Schema, iso_utc
from sharemarket.db import utcnow
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications import kinds, services
from sharemarket.notifications.models import Notification

bp = Blueprint("notifications_api", __name__)

NOTIFICATION_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "title", "body", "created_at", "read"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "link": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": ["string", "null"], "format": "date-time"},
        "read": {"type": "boolean"},
    },
}


class NotificationQuery(PageQuery):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones")


class MarkRead(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="Which ones; omitted or null: all")


class MarkedOut(Schema):
    marked: int
    unread_count: int


class PreferenceIn(Schema):
    kind: str = Field(max_length=40)
    channel: Literal[kinds.CHANNELS]  # type: ignore[valid-type]


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(max_length=100)


class PreferenceOut(Schema):
    kind: str
    label: str
    channel: Literal[kinds.CHANNELS]  # type: ignore[valid-type]
    locked: bool


class PreferencesOut(Schema):
    preferences: list[PreferenceOut]


def notification_json(note: Notification) -> dict:
    return {
        "id": note.id,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "created_at": iso_utc(note.created_at),
        "read_at": iso_utc(note.read_at),
        "read": note.read_at is not None,
    }


@bp.get("/me/notifications")
@endpoint(
    "The caller's notifications, newest first",
    query=NotificationQuery,
    responses={
        200: {
            "type": "object",
            "properties": {
                "results": {"type": "array", "items": NOTIFICATION_SCHEMA},
                "next": {"type": ["string", "null"]},
                "unread_count": {"type": "integer"},
            },
        }
    },
    tags=["notifications"],
    paginated=True,
)
def list_notifications(query: NotificationQuery):
    user = current_api_user()
    after = decode_cursor(query.cursor)
    if after is not None and not isinstance(after, int):
        raise ValidationFailed.field("cursor", "This cursor is not one we gave out.")
    stmt = services.inbox_query(user=user, unread=query.unread, before_id=after)
    rows = list(db.session.scalars(stmt.limit(query.limit + 1)))
    page = page_of(rows, query.limit, lambda note: note.id, notification_json)
    page["unread_count"] = services.unread_count(user)
    return jsonify(page)


@bp.post("/me/notifications/read")
@endpoint(
    "Mark some (ids) or all of the caller's notifications read",
    body=MarkRead,
    responses={200: MarkedOut},
    tags=["notifications"],
)
def mark_notifications_read(body: MarkRead):
    user = current_api_user()
    marked = services.mark_read(user=user, ids=body.ids, now=utcnow())
    db.session.commit()
    return jsonify({"marked": marked, "unread_count": services.unread_count(user)})


@bp.get("/me/notification-preferences")
@endpoint(
    "How the caller hears about each kind of thing: email, inbox (only) or digest (one e-mail a day)",
    responses={200: PreferencesOut},
    tags=["notifications"],
)
def get_preferences():
    return jsonify({"preferences": services.preferences(current_api_user())})


@bp.put("/me/notification-preferences")
@endpoint(
    "Choose the channel of some kinds (the others keep theirs); account mail is always e-mailed",
    body=PreferencesIn,
    responses={200: PreferencesOut},
    tags=["notifications"],
)
def put_preferences(body: PreferencesIn):
    user = current_api_user()
    choices: dict[str, str] = {}
    for index, item in enumerate(body.preferences):
        if item.kind in choices:
            raise ValidationFailed.field(f"preferences.{index}.kind", "This kind is given twice.")
        choices[item.kind] = item.channel
    try:
        services.set_preferences(user=user, choices=choices, now=utcnow())
    except ValidationFailed as exc:
        # The service names the kinds; the client wants the place in its body.
        position = {kind: index for index, kind in enumerate(choices)}
        exc.errors = {f"preferences.{position[kind]}": messages for kind, messages in exc.errors.items()}
        raise
    db.session.commit()
    return jsonify({"preferences": services.preferences(user)})
