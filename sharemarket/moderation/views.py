"""Moderation pages: report something, the moderators' queue, actions and their log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.accounts.models import User
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, NotAllowed, NotFound
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.moderation import rules, services, team
from sharemarket.moderation.forms import ActionForm, GrantForm, ReportForm, RevokeForm

bp = Blueprint("moderation", __name__)


@bp.app_context_processor
def moderation_globals() -> dict:
    return {"can_moderate": rules.is_moderator, "is_site_admin": rules.is_admin}


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
        found=services.targets(reports),
        actions=rules.ACTION_CHOICES,
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
    entries = services.log()
    return render_template(
        "moderation/log.html",
        entries=entries,
        found=services.targets(entries),
        actions=rules.LOGGED,
        targets=rules.TARGET_LABELS,
    )


def _require_admin() -> None:
    if not rules.is_admin(current_user):
        raise NotAllowed(_("Only admins can see this page."))


def _team_page(grant_form: GrantForm, status: int = 200):
    page = render_template(
        "moderation/team.html", moderators=team.moderators(), grant_form=grant_form, revoke_form=RevokeForm()
    )
    return page, status


@bp.get("/admin/moderators")
@login_required
def moderators():
    _require_admin()
    return _team_page(GrantForm())


@bp.post("/admin/moderators")
@login_required
def grant():
    _require_admin()
    form = GrantForm()
    if form.validate_on_submit():
        try:
            member = team.member_by_email(form.email.data)
            team.set_moderator(actor=current_user, user=member, grant=True, reason=form.reason.data, now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="email")
        else:
            flash(_("%(name)s is now a moderator.", name=member.display_name), "success")
            return redirect(url_for("moderation.moderators"), code=303)
    return _team_page(form, 422)


@bp.post("/admin/moderators/<int:user_id>/revoke")
@login_required
def revoke(user_id: int):
    _require_admin()
    form = RevokeForm()
    member = db.session.get(User, user_id)
    if member is None:
        raise NotFound(_("No such person."))
    if form.validate_on_submit():
        try:
            team.set_moderator(actor=current_user, user=member, grant=False, reason=form.reason.data, now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.detail, "error")
        else:
            flash(_("%(name)s is no longer a moderator.", name=member.display_name), "success")
        return redirect(url_for("moderation.moderators"), code=303)
    flash(_("Say why: the log keeps it."), "error")
    return redirect(url_for("moderation.moderators"), code=303)
