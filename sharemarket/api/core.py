from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, jsonify, request
from pydantic import BaseModel, Field, ValidationError

from sharemarket.api.schemas import Schema
from sharemarket.db import read_without_transaction
from sharemarket.errors import DomainError, Unauthorized, ValidationFailed

PROBLEM_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-fields",
    429: "too-many-requests",
    500: "server-error",
}


def problem(status: int, title: str, detail: str = "", errors: dict | None = None, headers=None):
    body: dict[str, Any] = {
        "type": f"urn:sharemarket:problem:{PROBLEM_TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def pydantic_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        message = item["msg"].removeprefix("Value error, ")
        errors.setdefault(name, []).append(message)
    return errors


class MalformedRequest(DomainError):
    status = 400
    title = "Malformed request"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


def read_json_body() -> Any:
    limit = current_app.config["API_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedRequest("The body is not valid JSON.") from None


def validate(model: type[BaseModel], data: Any, where: str | None = None) -> BaseModel:
    if where == "body" and not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"body": ["Expected an object."]})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("Some fields are invalid.", pydantic_errors(exc)) from None


def _bearer_user():
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    from sharemarket.accounts import services as accounts
    from sharemarket.db import utcnow

    user = accounts.user_for_token(token.strip(), now=utcnow())
    if user is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    return user


def current_api_user():
    """The authenticated caller of an `auth="required"` endpoint."""
    return g.api_user


def optional_api_user():
    return g.get("api_user")


@dataclass
class Operation:
    summary: str
    auth: str = "required"
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    description: str = ""
    paginated: bool = False
    reads_only: bool = False


def endpoint(
    summary: str,
    *,
    auth: str = "required",
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, Any] | None = None,
    tags: Sequence[str] = (),
    description: str = "",
    paginated: bool = False,
    reads_only: bool = False,
) -> Callable:
    """Declare an API operation: authentication, body/query models, documented responses.

    The view receives `body=` and `query=` as validated pydantic models when declared.
    auth: "required" (401 without a valid bearer token), "optional" or "none".
    reads_only: the operation never writes, so its reads need no transaction
    (`db.read_without_transaction`); for the hottest reads.
    """
    op = Operation(summary, auth, body, query, responses or {}, tags, description, paginated, reads_only)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if op.reads_only:
                read_without_transaction()
            if op.auth != "none":
                g.api_user = _bearer_user()
                if op.auth == "required" and g.api_user is None:
                    raise Unauthorized("This call needs 'Authorization: Bearer <token>'.")
            if op.query is not None:
                kwargs["query"] = validate(op.query, request.args.to_dict())
            if op.body is not None:
                kwargs["body"] = validate(op.body, read_json_body(), "body")
            return view(*args, **kwargs)

        wrapper.operation = op  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _encode_cursor(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    digest = hashlib.sha256(current_app.config["SECRET_KEY"].encode() + raw).hexdigest()[:12]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + digest


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        encoded, digest = cursor.rsplit(".", 1)
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        expected = hashlib.sha256(current_app.config["SECRET_KEY"].encode() + raw).hexdigest()[:12]
        if digest != expected:
            raise ValueError
        return json.loads(raw)
    except ValueError:
        raise ValidationFailed.field("cursor", "This cursor is not one we gave out.") from None


def page_of(items: list, limit: int, cursor_value: Callable[[Any], Any] | None, serialize: Callable):
    """`{"results", "next"}` from up to limit+1 fetched items; `cursor_value(last)` marks the page end."""
    has_more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if has_more and items and cursor_value is not None:
        next_cursor = _encode_cursor(cursor_value(items[-1]))
    return {"results": [serialize(item) for item in items], "next": next_cursor}


class PageQuery(Schema):
    """Query parameters every list endpoint takes; list queries subclass it."""

    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=1000)
