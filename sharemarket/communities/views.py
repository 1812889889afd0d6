"""Community pages: list, create, a community's page with what its members offer, join, invite."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from sharemarket.communities import offers, rules, services
from sharemarket.communities.forms import CommunityForm, InviteForm, JoinForm, RestrictForm
from sharemarket.communities.models import Community
from sharemarket.db import utcnow
from sharemarket.errors import DomainError, NotFound
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.listings.models import Listing
from sharemarket.listings.rules import category_labels
from sharemarket.rides.models import Ride

bp = Blueprint("communities", __name__)
SHOWN = 40


@bp.get("/communities")
def index():
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template("communities/index.html", communities=communities, access=rules.ACCESS)


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def create():
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = services.create(
                creator=current_user,
                name=form.name.data,
                description=form.description.data or "",
                access=form.access.data,
                email_domain=form.email_domain.data or "",
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return redirect(url_for("communities.page", community_id=community.id))
    return render_template("communities/form.html", form=form), 422 if form.errors else 200


def _restrict_form(viewer_id: int) -> RestrictForm:
    form = RestrictForm()
    mine = db.session.scalars(select(Listing).where(Listing.owner_id == viewer_id, Listing.status == "active"))
    rides = db.session.scalars(select(Ride).where(Ride.driver_id == viewer_id, Ride.status == "active"))
    form.item.choices = [SelectChoice(f"listing-{item.id}", item.title) for item in mine] + [
        SelectChoice(f"ride-{r.id}", f"{r.origin_label or ''} → {r.destination_label or ''}") for r in rides
    ]
    return form


def _page(community: Community, status: int = 200, invite_form=None, restrict_form=None):
    viewer_id = current_user.id if current_user.is_authenticated else None
    member = services.membership(community.id, viewer_id)
    listings, rides = offers.of_members(community, viewer_id, SHOWN)
    join_form = JoinForm()
    join_form.token.data = request.args.get("token", "")[:300]
    return render_template(
        "communities/page.html",
        community=community,
        access=rules.ACCESS,
        member=member,
        listings=listings,
        categories=category_labels(),
        rides=rides,
        join_form=join_form,
        invite_form=invite_form or InviteForm(),
        restrict_form=restrict_form or (_restrict_form(viewer_id) if member else None),
        button_form=FlaskForm(),
    ), status


@bp.get("/communities/<int:community_id>")
def page(community_id: int):
    return _page(services.get(community_id))


@bp.post("/communities/<int:community_id>/join")
@login_required
def join(community_id: int):
    community = services.get(community_id)
    form = JoinForm()
    if not form.validate_on_submit():
        return _page(community, status=422)
    services.join(community=community, user=current_user, now=utcnow(), token=form.token.data or None)
    db.session.commit()
    flash(_("Welcome to %(name)s.", name=community.name), "success")
    return redirect(url_for("communities.page", community_id=community.id))


@bp.post("/communities/<int:community_id>/leave")
@login_required
def leave(community_id: int):
    community = services.get(community_id)
    if not FlaskForm().validate_on_submit():
        return _page(community, status=422)
    services.leave(community=community, user=current_user)
    db.session.commit()
    flash(_("You left %(name)s.", name=community.name), "success")
    return redirect(url_for("communities.page", community_id=community.id))


@bp.post("/communities/<int:community_id>/invitations")
@login_required
def invite(community_id: int):
    community = services.get(community_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            token = services.invite(
                community=community,
                actor=current_user,
                email=form.email.data,
                now=utcnow(),
                link_for=lambda token: url_for("communities.page", community_id=community.id, token=token),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 403:
                raise
            apply_errors(form, exc)
        else:
            link = url_for("communities.page", community_id=community.id, token=token, _external=True)
            flash(
                _(
                    "Invitation sent to members with this address. You can also send them this link: %(link)s",
                    link=link,
                ),
                "success",
            )
            return redirect(url_for("communities.page", community_id=community.id))
    return _page(community, status=422, invite_form=form)


@bp.post("/communities/<int:community_id>/restrict")
@login_required
def restrict(community_id: int):
    community = services.get(community_id)
    form = _restrict_form(current_user.id)
    if not form.validate_on_submit():
        return _page(community, status=422, restrict_form=form)
    kind, _sep, item_id = form.item.data.partition("-")
    item = db.session.get(Listing if kind == "listing" else Ride, int(item_id))
    if item is None:
        raise NotFound(_("Not found"))
    owner_id = item.owner_id if kind == "listing" else item.driver_id
    services.restrict(item=item, owner_id=owner_id, community_id=community.id, actor=current_user)
    db.session.commit()
    flash(_("Only the members of %(name)s see it now.", name=community.name), "success")
    return redirect(url_for("communities.page", community_id=community.id))
