from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from sharemarket.organisations import rules


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=_choices(rules.KINDS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    website = StringField(_l("Website (optional)"), validators=[Optional(), Length(max=300)])


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mail of the member's account"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=_choices(rules.ROLES), default="member")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_choices(rules.ROLES))


class AssignForm(FlaskForm):
    listing_id = SelectField(_l("One of my listings"), coerce=int, choices=[])
