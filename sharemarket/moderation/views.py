"""Moderation pages: report something, the moderators' queue, actions and their log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.db import utcnow
from sharemarket.errors import DomainError, NotAllowed
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.moderation import rules, services
from sharemarket.moderation.forms import ActionForm, ReportForm

bp = Blueprint("moderation", __name__)


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report():
    form = ReportForm()
    if request.method == "GET":
        form.target_type.data = request.args.get("target_type", "")[:10]
        form.target_id.data = request.args.get("target_id", "")[:12]
    if form.validate_on_submit():
        try:
            target_id = int(form.target_id.data) if form.target_id.data.isdigit() else 0
            services.report(
                reporter=current_user,
                target_type=form.target_type.data,
                target_id=target_id,
                reason=form.reason.data,
                comment=form.comment.data or "",
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Thank you: the moderators will look at your report."), "success")
            return redirect(url_for("main.home"))
    label = rules.TARGET_LABELS.get(form.target_type.data or "")
    return render_template("moderation/report.html", form=form, label=label), 422 if form.errors else 200


def _require_moderator() -> None:
    if not rules.is_moderator(current_user):
        raise NotAllowed(_("Only moderators can see this page."))


@bp.get("/moderation")
@login_required
def queue():
    _require_moderator()
    target_type, reason = request.args.get("target_type"), request.args.get("reason")
    show = request.args.get("show", "open")
    reports = services.queue(target_type=target_type, reason=reason, open_only=show != "all")
    return render_template(
        "moderation/queue.html",
        reports=reports,
        reasons=rules.REASONS,
        targets=rules.TARGET_LABELS,
        chosen={"target_type": target_type, "reason": reason, "show": show},
        form=ActionForm(),
    )


@bp.post("/moderation/actions")
@login_required
def act():
    _require_moderator()
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.act(
                actor=current_user,
                action=form.action.data,
                target_type=form.target_type.data,
                target_id=form.target_id.data,
                reason=form.reason.data,
                report_id=form.report_id.data,
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Done, and logged."), "success")
            return redirect(url_for("moderation.queue"))
    return render_template("moderation/act.html", form=form), 422


@bp.get("/moderation/log")
@login_required
def log():
    _require_moderator()
    return render_template(
        "moderation/log.html", entries=services.log(), actions=rules.ACTIONS, targets=rules.TARGET_LABELS
    )
