from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from sharemarket.forms_util import WEEKDAYS
from sharemarket.rides.forms import SEAT_CHOICES, CheckboxesField

# Service error keys → the form field that shows them.
FIELDS = {"from": "from_label", "to": "to_label"}


class SavedSearchForm(FlaskForm):
    """ "Alert me of new rides like this": from the search results, or filled in by hand."""

    from_label = StringField(_l("From"), validators=[Length(max=120)])
    from_lat = FloatField(_l("Start latitude"), validators=[Optional(), NumberRange(-90, 90)])
    from_lng = FloatField(_l("Start longitude"), validators=[Optional(), NumberRange(-180, 180)])
    to_label = StringField(_l("To"), validators=[Length(max=120)])
    to_lat = FloatField(_l("Destination latitude"), validators=[Optional(), NumberRange(-90, 90)])
    to_lng = FloatField(_l("Destination longitude"), validators=[Optional(), NumberRange(-180, 180)])
    weekdays = CheckboxesField(_l("Days you travel"), choices=WEEKDAYS, coerce=int, default=[0, 1, 2, 3, 4])
    time_from = TimeField(_l("Leaving from"), validators=[InputRequired()])
    time_to = TimeField(_l("Leaving until"), validators=[InputRequired()])
    seats = SelectField(_l("Seats"), choices=SEAT_CHOICES, coerce=int, default=1)
