from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, FloatField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from sharemarket.accounts import rules
from sharemarket.i18n import LANGUAGE_NAMES

# Each language named in itself, marked with its own lang for screen readers.
LANGUAGE_CHOICES = [SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()]


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Name others will see"), validators=[DataRequired(), Length(max=rules.NAME_MAX)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[DataRequired(), Length(min=rules.PASSWORD_MIN, max=rules.PASSWORD_MAX)],
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fr")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=rules.PASSWORD_MAX)])
    remember = BooleanField(_l("Stay logged in on this device"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name others will see"), validators=[DataRequired(), Length(max=rules.NAME_MAX)])
    bio = TextAreaField(_l("A few words about you"), validators=[Optional(), Length(max=rules.BIO_MAX)])
    phone = StringField(_l("Phone (shown only to people you share with)"), validators=[Optional(), Length(max=30)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    home_label = StringField(_l("Home town or neighbourhood"), validators=[Optional(), Length(max=120)])
    home_lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    home_lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=rules.PASSWORD_MAX)]
    )
    new_password = PasswordField(
        _l("New password (at least 10 characters)"),
        validators=[DataRequired(), Length(min=rules.PASSWORD_MIN, max=rules.PASSWORD_MAX)],
    )
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), EqualTo("new_password")])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password (at least 10 characters)"),
        validators=[DataRequired(), Length(min=rules.PASSWORD_MIN, max=rules.PASSWORD_MAX)],
    )
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), EqualTo("password")])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to confirm"), validators=[DataRequired(), Length(max=rules.PASSWORD_MAX)]
    )
