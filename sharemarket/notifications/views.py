"""Notification pages: the inbox, how to hear about each kind, and one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import csrf, db
from sharemarket.forms_util import apply_errors
from sharemarket.notifications import digest, emails, forms, kinds, outbox, services

bp = Blueprint("notifications", __name__)
PAGE = 30


@bp.after_app_request
def send_new_mail_soon(response):
    return outbox.send_after_response(current_app._get_current_object(), response)


@bp.get("/notifications")
@login_required
def inbox():
    before = request.args.get("before", type=int)
    rows = list(db.session.scalars(services.inbox_query(user=current_user, before_id=before).limit(PAGE + 1)))
    older = rows[PAGE - 1].id if len(rows) > PAGE else None
    return render_template("notifications/inbox.html", notes=rows[:PAGE], older=older, newer=before is not None)


@bp.post("/notifications/<int:note_id>/read")
@login_required
def mark_one_read(note_id: int):
    services.mark_read(user=current_user, ids=[note_id], now=utcnow())
    db.session.commit()
    return redirect(url_for("notifications.inbox", before=request.form.get("before", type=int)))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    marked = services.mark_read(user=current_user, now=utcnow())
    db.session.commit()
    if marked:
        flash(_("All your notifications are marked read."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    choices = services.preferences(current_user)
    form = forms.preferences_form(choices)
    if form.validate_on_submit():
        try:
            services.set_preferences(user=current_user, choices=forms.chosen(form), now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        fixed=[choice for choice in choices if choice["locked"]],
        prefix=forms.PREFIX,
        digest_hour=format_time(digest.cutoff(utcnow()), "short"),
    ), 422 if form.errors else 200


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """The link in every e-mail: a page that asks for one click (link checkers only fetch)."""
    found = emails.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", state="invalid"), 404
    return render_template("notifications/unsubscribe.html", state="ask", kind_label=emails.kind_label(found[1]))


@bp.post("/notifications/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without our form; the signed token is the proof
def unsubscribe_confirm(token: str):
    done = services.unsubscribe(token=token, now=utcnow())
    if done is None:
        return render_template("notifications/unsubscribe.html", state="invalid"), 404
    db.session.commit()
    _user, kind = done
    return render_template(
        "notifications/unsubscribe.html",
        state="done",
        kind_label=emails.kind_label(kind),
        digest=kind == kinds.DIGEST_KIND,
    )
