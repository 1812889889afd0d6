"""Reports in the JSON API: POST /reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, jsonify
from pydantic import Field

from sharemarket.api import current_api_user, endpoint
from sharemarket.api.schemas import Schema, iso_utc
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.moderation import services

bp = Blueprint("moderation_api", __name__)


class ReportCreate(Schema):
    target_type: Literal["listing", "ride", "message", "user"]
    target_id: int = Field(ge=1)
    reason: Literal["spam", "fraud", "dangerous", "offensive", "harassment", "inaccurate", "other"]
    comment: str = Field("", max_length=1000)


class ReportOut(Schema):
    id: int
    target_type: str
    target_id: int
    reason: str
    comment: str
    status: Literal["open", "closed"]
    created_at: datetime


@bp.post("/reports")
@endpoint(
    "Report a listing, a ride, a booking message or a user to the moderators",
    description="One open report per reporter and target: a second one is 409.",
    body=ReportCreate,
    responses={201: ReportOut},
    tags=["moderation"],
)
def create_report(body: ReportCreate):
    report = services.report(reporter=current_api_user(), now=utcnow(), **body.model_dump())
    db.session.commit()
    return jsonify(
        {
            "id": report.id,
            "target_type": report.target_type,
            "target_id": report.target_id,
            "reason": report.reason,
            "comment": report.comment,
            "status": "open" if report.is_open else "closed",
            "created_at": iso_utc(report.created_at),
        }
    ), 201
