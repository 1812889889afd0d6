from __future__ import annotations

import json
import re
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.db import utcnow
from sharemarket.impact import charts, dashboard, formats, opendata, proofs
from sharemarket.impact.aggregate import months_between
from sharemarket.impact.dashboard import LICENSE, LICENSE_URL, Period
from sharemarket.listings.rules import category_labels

bp = Blueprint("impact", __name__)

MAX_MONTHS = 60
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str) -> date:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        abort(400, description=_("Give months as YYYY-MM, for example 2026-01."))
    return date(int(match.group(1)), int(match.group(2)), 1)


def _period() -> Period:
    default = dashboard.default_period(utcnow().date())
    first = _month(request.args["from"]) if request.args.get("from") else default.first
    last = _month(request.args["to"]) if request.args.get("to") else default.last
    if last < first:
        abort(400, description=_("The end of the period is before its start."))
    if len(Period(first, last).months) > MAX_MONTHS:
        abort(400, description=_("Choose at most %(count)s months.", count=MAX_MONTHS))
    return Period(first, last)


def dimension_labels() -> dict[str, str]:
    return {
        "members": _("Active members"),
        "items": _("Items lent"),
        "loans": _("Loans"),
        "money_saved_eur": _("Money saved (€, replacement value of borrowed items)"),
        "carpool_seats": _("Carpool seats"),
        "km_shared": _("Kilometres shared"),
        "co2_avoided_kg": _("CO2 avoided (kg)"),
        "desk_occupancy": _("Desk occupancy in the third places (%)"),
    }


def _link_header() -> dict:
    return {"Link": f'<{LICENSE_URL}>; rel="license"'}


def _choices(period: Period, today: date) -> dict:
    """The period picker without JavaScript: a menu of months, and three usual periods."""
    current = today.replace(day=1)
    first = min(dashboard.first_month() or current, period.first, current)
    presets = [
        (_("Last 12 months"), dashboard.default_period(today)),
        (_("This year"), Period(date(today.year, 1, 1), current)),
        (_("Last year"), Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 1))),
    ]
    return {
        "months": months_between(first, max(current, period.last))[::-1],
        "presets": [(label, preset, preset == period) for label, preset in presets],
    }


def _page(period: Period, *, public: bool):
    data = dashboard.summary(period, public=public)
    weekly = None if public else dashboard.weekly_occupancy(period)
    return render_template(
        "impact/dashboard.html",
        period=period,
        choices=_choices(period, utcnow().date()),
        data=data,
        charts={name: charts.month_chart(series) for name, series in data["monthly"].items()},
        weekly=weekly,
        public=public,
        chart=charts,
        license=LICENSE,
        license_url=LICENSE_URL,
        min_people=dashboard.MIN_PEOPLE,
        categories=category_labels(),
        labels=dimension_labels(),
        fmt=formats,
    )


@bp.get("/impact", endpoint="dashboard")
def dashboard_page():
    return _page(_period(), public=True)


@bp.get("/impact/admin")
@login_required
def admin_dashboard():
    if not current_user.is_admin:
        abort(403)
    return _page(_period(), public=False)


@bp.get("/impact/open-data/impact.csv")
def impact_csv():
    period = _period()
    lines = stream_with_context(opendata.csv_lines(period))
    headers = {**_link_header(), "Content-Disposition": "attachment; filename=impact.csv"}
    return Response(lines, mimetype="text/csv", headers=headers)


@bp.get("/impact/open-data/impact.json")
def impact_json():
    body = json.dumps(opendata.json_document(_period()), ensure_ascii=False)
    return Response(body, mimetype="application/json", headers=_link_header())


@bp.get("/impact/open-data/spaces.geojson")
def spaces_geojson():
    return Response(json.dumps(opendata.spaces_geojson()), mimetype="application/geo+json", headers=_link_header())


@bp.get("/impact/open-data/meeting-points.geojson")
def meeting_points_geojson():
    body = json.dumps(opendata.meeting_points_geojson(), ensure_ascii=False)
    return Response(body, mimetype="application/geo+json", headers=_link_header())


@bp.get("/impact/admin/proofs.jsonl")
@login_required
def proofs_download():
    if not current_user.is_admin:
        abort(403)
    period = _period()
    lines = stream_with_context(proofs.json_lines(period.first, period.end - timedelta(days=1)))
    headers = {"Content-Disposition": "attachment; filename=carpool-proofs.jsonl"}
    return Response(lines, mimetype="application/x-ndjson", headers=headers)
