from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from sharemarket.communities import rules


class CommunityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    access = SelectField(_l("Who may join"), choices=[SelectChoice(k, v) for k, v in rules.ACCESS.items()])
    email_domain = StringField(_l("E-mail domain (for a company)"), validators=[Optional(), Length(max=120)])


class JoinForm(FlaskForm):
    token = HiddenField()


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address to invite"), validators=[DataRequired(), Length(max=254)])


class RestrictForm(FlaskForm):
    item = SelectField(_l("Keep this among the community's members"), choices=[])
