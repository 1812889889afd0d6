from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from sharemarket.forms_util import WEEKDAYS
from sharemarket.rides import rules

LUGGAGE = [
    SelectChoice("none", _l("No luggage")),
    SelectChoice("small", _l("Small bag")),
    SelectChoice("medium", _l("Medium bag")),
    SelectChoice("large", _l("Large suitcase")),
]
SEAT_CHOICES = [SelectChoice(n, str(n)) for n in range(rules.SEATS_MIN, rules.SEATS_MAX + 1)]

# Service error keys → the form field that shows them.
RIDE_FIELDS = {
    "origin": "origin_label",
    "destination": "destination_label",
    "price_cents": "price",
    "departure_at": "departure_date",
    "recurrence": "weekdays",
    "recurrence.weekdays": "weekdays",
    "recurrence.time": "commute_time",
    "recurrence.from": "valid_from",
    "recurrence.until": "valid_until",
    "recurrence.skip": "skip_dates",
    "preferences.luggage": "luggage",
    "timezone": "kind",
}
SEARCH_FIELDS = {"from": "from_label", "to": "to_label", "depart_after": "time_from", "depart_before": "time_to"}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_dates(text: str | None) -> list[date]:
    """'2026-12-24, 2026-12-31' → dates; ValueError names the first bad one."""
    days = []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        if part.strip():
            days.append(date.fromisoformat(part.strip()))
    return days


class RideForm(FlaskForm):
    origin_label = StringField(_l("From"), validators=[Length(max=120)])
    origin_lat = FloatField(_l("Start latitude"), validators=[Optional(), NumberRange(-90, 90)])
    origin_lng = FloatField(_l("Start longitude"), validators=[Optional(), NumberRange(-180, 180)])
    destination_label = StringField(_l("To"), validators=[Length(max=120)])
    destination_lat = FloatField(_l("Destination latitude"), validators=[Optional(), NumberRange(-90, 90)])
    destination_lng = FloatField(_l("Destination longitude"), validators=[Optional(), NumberRange(-180, 180)])
    kind = RadioField(
        _l("How often"),
        choices=[SelectChoice("weekly", _l("Weekly commute")), SelectChoice("once", _l("One trip"))],
        default="weekly",
    )
    departure_date = DateField(_l("Date of the trip"), validators=[Optional()])
    departure_time = TimeField(_l("Departure time"), validators=[Optional()])
    weekdays = CheckboxesField(_l("Days you drive"), choices=WEEKDAYS, coerce=int, default=[0, 1, 2, 3, 4])
    commute_time = TimeField(_l("Departure time (local)"), validators=[Optional()])
    valid_from = DateField(_l("First day"), validators=[Optional()])
    valid_until = DateField(_l("Last day (optional)"), validators=[Optional()])
    skip_dates = StringField(
        _l("Days off (holidays), as YYYY-MM-DD separated by commas"), validators=[Length(max=4000)]
    )
    seats = SelectField(_l("Seats offered"), choices=SEAT_CHOICES, coerce=int, default=3)
    price = DecimalField(_l("Contribution per seat (€)"), places=2, validators=[Optional(), NumberRange(0, 1000)])
    max_detour_km = FloatField(
        _l("Longest detour you accept (km)"),
        default=rules.DEFAULT_DETOUR_KM,
        validators=[DataRequired(), NumberRange(0, rules.DETOUR_MAX_KM)],
    )
    smoking = BooleanField(_l("Smoking allowed"))
    pets = BooleanField(_l("Pets welcome"))
    music = BooleanField(_l("Music on the way"), default=True)
    talkative = BooleanField(_l("Happy to chat"), default=True)
    luggage = SelectField(_l("Room for luggage"), choices=LUGGAGE, default="medium")
    note = TextAreaField(_l("A note for passengers"), validators=[Optional(), Length(max=rules.NOTE_MAX)])

    def validate_skip_dates(self, field):
        try:
            parse_dates(field.data)
        except ValueError:
            raise ValidationError(_l("Write dates as YYYY-MM-DD, separated by commas.")) from None


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: searching changes nothing

    from_label = StringField(_l("From"), validators=[Length(max=120)])
    from_lat = FloatField(_l("Start latitude"), validators=[Optional(), NumberRange(-90, 90)])
    from_lng = FloatField(_l("Start longitude"), validators=[Optional(), NumberRange(-180, 180)])
    to_label = StringField(_l("To"), validators=[Length(max=120)])
    to_lat = FloatField(_l("Destination latitude"), validators=[Optional(), NumberRange(-90, 90)])
    to_lng = FloatField(_l("Destination longitude"), validators=[Optional(), NumberRange(-180, 180)])
    day = DateField(_l("Day"), validators=[Optional()])
    time_from = TimeField(_l("Leaving from"), validators=[Optional()])
    time_to = TimeField(_l("Leaving until"), validators=[Optional()])
    seats = SelectField(_l("Seats"), choices=SEAT_CHOICES, coerce=int, default=1)


class SeatRequestForm(FlaskForm):
    day = SelectField(_l("Day"), validators=[DataRequired()])
    seats = SelectField(_l("Seats"), choices=SEAT_CHOICES, coerce=int, default=1)
    pickup_lat = HiddenField()
    pickup_lng = HiddenField()
    pickup_label = HiddenField(validators=[Length(max=200)])
    dropoff_lat = HiddenField()
    dropoff_lng = HiddenField()
    dropoff_label = HiddenField(validators=[Length(max=200)])
