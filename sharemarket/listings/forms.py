from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, DecimalField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from sharemarket.i18n import WTFORMS_MESSAGES
from sharemarket.listings import rules

EUROS_MAX = Decimal(rules.MONEY_MAX_CENTS // 100)


def category_choices() -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in rules.CATEGORIES.items()]


def condition_choices() -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in rules.CONDITIONS.items()]


def cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class ListingForm(FlaskForm):
    title = StringField(_l("What do you lend?"), validators=[DataRequired(), Length(max=rules.TITLE_MAX)])
    description = TextAreaField(
        _l("Description: what it is, what comes with it"), validators=[Optional(), Length(max=rules.DESCRIPTION_MAX)]
    )
    category = SelectField(_l("Category"), choices=category_choices)
    condition = SelectField(_l("Condition"), choices=condition_choices, default="good")
    place_label = StringField(_l("Where is it? (a town or neighbourhood)"), validators=[Optional(), Length(max=120)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    deposit = DecimalField(
        _l("Deposit in € (shown to borrowers, not collected here)"),
        places=2,
        default=Decimal(0),
        validators=[Optional(), NumberRange(0, EUROS_MAX)],
    )
    replacement_value = DecimalField(
        _l("What it would cost to replace, in € (optional)"),
        places=2,
        validators=[Optional(), NumberRange(0, EUROS_MAX)],
    )
    max_loan_days = IntegerField(
        _l("Longest loan, in days"), default=7, validators=[InputRequired(), NumberRange(1, rules.LOAN_DAYS_MAX)]
    )
    min_notice_days = IntegerField(
        _l("Notice you need, in days (0: the same day)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, rules.NOTICE_DAYS_MAX)],
    )
    buffer_days = IntegerField(
        _l("Free days you keep between two loans"),
        default=0,
        validators=[InputRequired(), NumberRange(0, rules.BUFFER_DAYS_MAX)],
    )
    pickup_instructions = TextAreaField(
        _l("Pick-up instructions (shown only once you approved a loan)"),
        validators=[Optional(), Length(max=rules.INSTRUCTIONS_MAX)],
    )
    new_photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP; up to 5)"))

    def fields_for_service(self) -> dict:
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "category": self.category.data,
            "condition": self.condition.data,
            "deposit_cents": cents(self.deposit.data) or 0,
            "replacement_value_cents": cents(self.replacement_value.data),
            "max_loan_days": self.max_loan_days.data,
            "min_notice_days": self.min_notice_days.data,
            "buffer_days": self.buffer_days.data,
            "pickup_instructions": self.pickup_instructions.data or "",
        }


class EditListingForm(ListingForm):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", _l("Active: people can ask for it")),
            SelectChoice("paused", _l("Paused: hidden from search for now")),
            SelectChoice("archived", _l("Archived: no longer lent (cannot be undone)")),
        ],
    )


class LoanRequestForm(FlaskForm):
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day (included)"), validators=[InputRequired()])


class BlockForm(FlaskForm):
    start_date = DateField(_l("From"), validators=[InputRequired()])
    end_date = DateField(_l("Until (included)"), validators=[InputRequired()])
    reason = StringField(_l("Why (only you see it)"), validators=[Optional(), Length(max=120)])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

        def get_translations(self, form):
            return WTFORMS_MESSAGES

    q = StringField(_l("What are you looking for?"), validators=[Optional(), Length(max=200)])
    category = SelectField(
        _l("Category"),
        choices=lambda: [SelectChoice("", _l("All categories")), *category_choices()],
        validators=[Optional()],
    )
    where = StringField(_l("Near (a town; empty: my home)"), validators=[Optional(), Length(max=120)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    radius_km = SelectField(
        _l("Within"),
        choices=[SelectChoice(str(km), f"{km} km") for km in (1, 2, 5, 10, 20, 50, 100)],
        default="10",
    )
    available_from = DateField(_l("Free from"), validators=[Optional()])
    available_to = DateField(_l("Until"), validators=[Optional()])
