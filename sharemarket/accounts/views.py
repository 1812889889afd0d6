"""Account pages: register, log in/out, profile, password, reset, export, delete."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from sharemarket.accounts import services
from sharemarket.accounts.forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from sharemarket.accounts.models import User
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db, limiter, login_manager
from sharemarket.forms_util import apply_errors, safe_next
from sharemarket.geo import resolve_place

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(int(user.password_changed_at.timestamp())) != stamp:
        return None
    return user


login_manager.login_message = _l("Please log in to see this page.")


@bp.before_app_request
def end_suspended_session() -> None:
    """Someone suspended while logged in is logged out at their next request, and told why:
    they can neither browse as a member nor act."""
    if "_user_id" not in session:
        return
    user = current_user._get_current_object()
    if isinstance(user, User) and user.status == "suspended":
        logout_user()
        flash(_("This account is suspended: %(reason)s", reason=user.status_reason or ""), "error")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "fr"
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                locale=form.locale.data,
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            login_user(user)
            flash(
                _("Welcome, %(name)s! Add your home town so we can show what is near you.", name=user.display_name),
                "success",
            )
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(email=form.email.data, password=form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong e-mail or password."))
        elif user.status == "suspended":
            form.email.errors.append(_("This account is suspended: %(reason)s", reason=user.status_reason or ""))
        else:
            login_user(user, remember=form.remember.data)
            session["locale"] = user.locale
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            home = resolve_place(
                current_app.config, form.home_label.data, form.home_lat.data, form.home_lng.data, "home_label"
            )
            services.update_profile(
                user=current_user,
                now=utcnow(),
                display_name=form.display_name.data,
                bio=form.bio.data or "",
                phone=form.phone.data or "",
                locale=form.locale.data,
                home=home,
                clear_home=home is None,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            session["locale"] = current_user.locale
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 422 if form.errors else 200


@bp.get("/people/<int:user_id>")
def public_profile(user_id: int):
    user = services.public_person(user_id=user_id, viewer=current_user)
    return render_template("accounts/public_profile.html", person=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # the User itself: login_user must not store the proxy
        try:
            services.change_password(
                user=user, current=form.current_password.data, new=form.new_password.data, now=utcnow()
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            login_user(user)  # the session id changed with the password
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            email=form.email.data,
            now=utcnow(),
            link_for=lambda token: url_for("accounts.reset", token=token, _external=True),
        )
        db.session.commit()
        flash(_("If an account uses this address, a link to reset the password is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset(token: str):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, new_password=form.password.data, now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="password")
        else:
            flash(_("Your new password is set. You can log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


@bp.get("/account/export")
@login_required
def export():
    data = services.export_personal_data(user=current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=sharemarket-my-data.json"},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if services.authenticate(email=current_user.email, password=form.password.data) is None:
            form.password.errors.append(_("This is not your password."))
        else:
            user = db.session.scalar(select(User).where(User.id == current_user.id))
            services.delete_account(user=user, now=utcnow())
            db.session.commit()
            logout_user()
            flash(_("Your account is closed and your personal data erased. Thank you for sharing."), "info")
            return redirect(url_for("main.home"))
    return render_template("accounts/delete.html", form=form), 422 if form.errors else 200
