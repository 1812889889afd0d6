"""Pages of every kind of booking: "My bookings", one booking with its history, messages and reviews."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from sharemarket.accounts.models import User
from sharemarket.bookings import completion, labels, messages, overview, reviews, rules, services
from sharemarket.bookings.forms import FilterForm, MessageForm, ReviewForm
from sharemarket.bookings.kinds import handler_for
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors, safe_next

bp = Blueprint("bookings", __name__)

PAST_PER_SIDE = 10
PAST_PER_PAGE = 20


@bp.app_context_processor
def booking_labels() -> dict:
    return {
        "kind_label": labels.kind_label,
        "status_label": labels.status_label,
        "action_label": labels.action_label,
        "event_label": labels.event_label,
        "booking_period": labels.period,
        "booking_moment": labels.moment,
        "person_name": labels.person_name,
        "rating_text": labels.rating_text,
    }


@bp.app_template_global()
def reviews_of_person(user_id: int) -> tuple[reviews.Rating, list]:
    """A person's rating and their latest reviews, for their public profile."""
    return reviews.rating_of(user_id), reviews.reviews_about(user_id, limit=5)[:5]


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


@bp.get("/bookings")
@login_required
def mine():
    form = FilterForm(request.args)
    status = 200
    if not form.validate():
        status = 422
        for name in form.errors:
            getattr(form, name).data = ""
    roles = [form.role.data] if form.role.data else list(overview.ROLES)
    single = len(roles) == 1
    page = _page_number() if single else 1
    sides = [
        overview.side(
            user=current_user,
            role=role,
            now=utcnow(),
            kind=form.kind.data or None,
            status=form.status.data or None,
            past_limit=PAST_PER_PAGE if single else PAST_PER_SIDE,
            past_page=page,
        )
        for role in roles
    ]
    filters = {name: form[name].data for name in ("kind", "status") if form[name].data}
    page_context = {"form": form, "sides": sides, "single": single, "page": page, "filters": filters}
    return render_template("bookings/mine.html", **page_context), status


def _render_detail(booking: Booking, *, message_form=None, review_form=None, status: int = 200):
    now = utcnow()
    roles = services.roles_of(booking, current_user.id)
    described = handler_for(booking).describe(booking)
    thread = messages.latest(booking=booking)
    if thread:
        messages.mark_read(booking=booking, reader=current_user, up_to_id=thread[-1].id, now=now)
        db.session.commit()
    actor_ids = {e.actor_id for e in booking.events if e.actor_id is not None}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    provider_ids = handler_for(booking).provider_ids(booking)
    providers = list(db.session.scalars(select(User).where(User.id.in_(provider_ids)).order_by(User.id)))
    may_review = reviews.can_review(booking, current_user.id, now)
    context = {
        "booking": booking,
        "title": str(described["title"]),
        "link": described.get("link"),
        "is_booker": rules.BOOKER in roles,
        "providers": providers,
        "actors": actors,
        "actions": rules.allowed_actions(booking.kind, booking.status, roles),
        "thread": thread,
        "thread_closed": messages.thread_closed(booking, now),
        "message_form": message_form or MessageForm(),
        "reviews": reviews.reviews_on(booking),
        "completed": completion.is_completed(booking, now),
        "review_form": (review_form or ReviewForm()) if may_review else None,
    }
    return render_template("bookings/detail.html", **context), status


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = services.get_visible(booking_id=booking_id, user=current_user)
    return _render_detail(booking)


@bp.post("/bookings/<int:booking_id>/messages")
@login_required
def post_message(booking_id: int):
    booking = services.get_visible(booking_id=booking_id, user=current_user)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.post_message(booking=booking, author=current_user, body=form.body.data, now=utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc, default_field="body")
            return _render_detail(booking, message_form=form, status=exc.status)
        flash(_("Message sent."), "success")
        return redirect(url_for("bookings.detail", booking_id=booking.id) + "#messages", code=303)
    return _render_detail(booking, message_form=form, status=422)


@bp.post("/bookings/<int:booking_id>/review")
@login_required
def review(booking_id: int):
    booking = services.get_visible(booking_id=booking_id, user=current_user)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            reviews.leave_review(
                booking=booking,
                author=current_user,
                rating=int(form.rating.data),
                comment=form.comment.data,
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if exc.errors:
                apply_errors(form, exc, default_field="rating")
                return _render_detail(booking, review_form=form, status=exc.status)
            flash(exc.detail, "error")
        else:
            flash(_("Thank you for your review."), "success")
        return redirect(url_for("bookings.detail", booking_id=booking.id) + "#reviews", code=303)
    return _render_detail(booking, review_form=form, status=422)


@bp.post("/bookings/<int:booking_id>/<any(approve, decline, cancel, pickup, return, check_in):action>")
@login_required
def act(booking_id: int, action: str):
    booking = services.get_visible(booking_id=booking_id, user=current_user)
    try:
        services.act(booking=booking, action=action, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash(_("Done: the booking is now %(status)s.", status=labels.status_label(booking.status)), "success")
    back = safe_next(request.form.get("next")) or url_for("bookings.detail", booking_id=booking_id)
    return redirect(back, code=303)
