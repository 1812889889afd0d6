from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from sharemarket.desks import rules
from sharemarket.forms_util import WEEKDAYS


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SpaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("What is this place?"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    place_label = StringField(_l("Town or neighbourhood"), validators=[Optional(), Length(max=120)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    timezone = StringField(_l("Timezone"), validators=[DataRequired(), Length(max=64)])
    opening_hours = TextAreaField(_l("Opening hours"), validators=[Optional(), Length(max=1000)])
    amenities = SelectMultipleField(_l("Amenities"), choices=choices(rules.AMENITIES), validate_choice=True)
    house_rules = TextAreaField(_l("House rules"), validators=[Optional(), Length(max=5000)])
    cancel_cutoff_hours = IntegerField(
        _l("Free cancellation until how many hours before the start"),
        default=rules.DEFAULT_CUTOFF_HOURS,
        validators=[Optional(), NumberRange(0, rules.MAX_CUTOFF_HOURS)],
    )
    max_future_bookings = IntegerField(
        _l("At most this many upcoming bookings per member (empty: no limit)"),
        validators=[Optional(), NumberRange(1, 1000)],
    )


class DeskForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=choices(rules.DESK_KINDS), default="hot_desk")
    seats = IntegerField(_l("Seats"), default=1, validators=[DataRequired(), NumberRange(1, rules.MAX_CAPACITY)])


class PublishForm(FlaskForm):
    desks = SelectMultipleField(_l("Desks"), coerce=int, validate_choice=True)
    first_day = DateField(_l("From"), validators=[DataRequired()])
    last_day = DateField(_l("Until (included)"), validators=[DataRequired()])
    weekdays = SelectMultipleField(_l("On"), coerce=int, choices=WEEKDAYS, default=[0, 1, 2, 3, 4])
    start_1 = TimeField(_l("From"), validators=[DataRequired()])
    end_1 = TimeField(_l("To"), validators=[DataRequired()])
    start_2 = TimeField(_l("From"), validators=[Optional()])
    end_2 = TimeField(_l("To"), validators=[Optional()])
    start_3 = TimeField(_l("From"), validators=[Optional()])
    end_3 = TimeField(_l("To"), validators=[Optional()])
    capacity = IntegerField(
        _l("Seats per slot (empty: the desk's seats)"), validators=[Optional(), NumberRange(1, rules.MAX_CAPACITY)]
    )
    price = DecimalField(_l("Price per slot (€)"), places=2, default=0, validators=[Optional(), NumberRange(0, 10000)])

    def ranges(self) -> list:
        pairs = [(self.start_1, self.end_1), (self.start_2, self.end_2), (self.start_3, self.end_3)]
        return [(start.data, end.data) for start, end in pairs if start.data and end.data]


class ManagerForm(FlaskForm):
    email = EmailField(_l("E-mail of the member to add"), validators=[DataRequired(), Length(max=254)])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 8 MB)"), validators=[DataRequired()])
    alt = StringField(_l("What it shows (for people who cannot see it)"), validators=[Optional(), Length(max=200)])
