"""Organisation pages: list, create, public page, members and roles, listings on its behalf."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from sharemarket.db import utcnow
from sharemarket.desks.models import Space
from sharemarket.errors import DomainError, NotAllowed
from sharemarket.extensions import db
from sharemarket.forms_util import apply_errors
from sharemarket.listings.models import Listing
from sharemarket.listings.rules import category_labels
from sharemarket.organisations import rules, services
from sharemarket.organisations.forms import AssignForm, MemberForm, OrganisationForm, RoleForm
from sharemarket.organisations.models import Organisation

bp = Blueprint("organisations", __name__)


@bp.get("/organisations")
def index():
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    mine = services.mine(current_user.id) if current_user.is_authenticated else []
    return render_template("organisations/index.html", organisations=organisations, mine=mine, kinds=rules.KINDS)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create(
                creator=current_user,
                name=form.name.data,
                kind=form.kind.data,
                description=form.description.data or "",
                website=form.website.data or "",
                now=utcnow(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Your organisation is created; you are its administrator."), "success")
            return redirect(url_for("organisations.page", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form), 422 if form.errors else 200


def _page(organisation: Organisation, member_form=None, assign_form=None, status: int = 200):
    viewer_id = current_user.id if current_user.is_authenticated else None
    listings = db.session.scalars(
        select(Listing)
        .where(Listing.organisation_id == organisation.id, Listing.status == "active", Listing.hidden_at.is_(None))
        .order_by(Listing.title)
    ).all()
    spaces = db.session.scalars(select(Space).where(Space.organisation_id == organisation.id)).all()
    admin = services.is_admin(organisation.id, viewer_id)
    if admin and assign_form is None:
        assign_form = _assign_form()
    return render_template(
        "organisations/page.html",
        organisation=organisation,
        kinds=rules.KINDS,
        roles=rules.ROLES,
        listings=listings,
        categories=category_labels(),
        spaces=spaces,
        is_admin=admin,
        membership=services.membership(organisation.id, viewer_id),
        member_form=member_form or MemberForm(),
        assign_form=assign_form,
        button_form=FlaskForm(),
    ), status


def _assign_form(formdata=None) -> AssignForm:
    form = AssignForm(formdata) if formdata is not None else AssignForm()
    mine = db.session.scalars(
        select(Listing).where(Listing.owner_id == current_user.id, Listing.status != "archived").order_by(Listing.title)
    )
    form.listing_id.choices = [SelectChoice(listing.id, listing.title) for listing in mine]
    return form


@bp.get("/organisations/<int:organisation_id>")
def page(organisation_id: int):
    return _page(services.get(organisation_id))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = services.get(organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update(
                organisation=organisation,
                actor=current_user,
                name=form.name.data,
                kind=form.kind.data,
                description=form.description.data or "",
                website=form.website.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 403:
                raise
            apply_errors(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("organisations.page", organisation_id=organisation.id))
    elif not services.is_admin(organisation.id, current_user.id):
        raise NotAllowed(_("Only the organisation's administrators can do this."))
    return render_template("organisations/form.html", form=form, organisation=organisation), 422 if form.errors else 200


def _done(organisation_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("organisations.page", organisation_id=organisation_id))


@bp.post("/organisations/<int:organisation_id>/members")
@login_required
def add_member(organisation_id: int):
    organisation = services.get(organisation_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            services.add_member(
                organisation=organisation, actor=current_user, email=form.email.data, role=form.role.data, now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 403:
                raise
            apply_errors(form, exc)
        else:
            return _done(organisation_id, _("Member added."))
    return _page(organisation, member_form=form, status=422)


@bp.post("/organisations/<int:organisation_id>/members/<int:member_id>/role")
@login_required
def change_role(organisation_id: int, member_id: int):
    organisation = services.get(organisation_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(organisation, status=422)
    services.change_role(organisation=organisation, actor=current_user, member_id=member_id, role=form.role.data)
    return _done(organisation_id, _("Role changed."))


@bp.post("/organisations/<int:organisation_id>/members/<int:member_id>/remove")
@login_required
def remove_member(organisation_id: int, member_id: int):
    organisation = services.get(organisation_id)
    if FlaskForm().validate_on_submit():
        services.remove_member(organisation=organisation, actor=current_user, member_id=member_id)
        return _done(organisation_id, _("Member removed."))
    return _page(organisation, status=422)


@bp.post("/organisations/<int:organisation_id>/leave")
@login_required
def leave(organisation_id: int):
    organisation = services.get(organisation_id)
    if FlaskForm().validate_on_submit():
        services.leave(organisation=organisation, actor=current_user)
        return _done(organisation_id, _("You left the organisation."))
    return _page(organisation, status=422)


@bp.post("/organisations/<int:organisation_id>/listings")
@login_required
def assign_listing(organisation_id: int):
    organisation = services.get(organisation_id)
    form = _assign_form(formdata=None)
    if form.validate_on_submit():
        listing = db.session.get(Listing, form.listing_id.data)
        services.assign_listing(organisation=organisation, actor=current_user, listing=listing)
        return _done(organisation_id, _("This listing is now lent on behalf of the organisation."))
    return _page(organisation, assign_form=form, status=422)
