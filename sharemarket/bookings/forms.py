"""Forms of the bookings pages: filters of "My bookings", a message, a review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from sharemarket.bookings import labels, rules
from sharemarket.bookings.exchange_models import COMMENT_MAX, MESSAGE_MAX
from sharemarket.bookings.kinds import KINDS


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("All kinds"))] + [SelectChoice(k, labels.kind_label(k)) for k in labels.ordered(KINDS)]


def status_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("All statuses"))] + [SelectChoice(s, labels.status_label(s)) for s in rules.STATUSES]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    # Set by the tabs' links; a hidden field of the filter form keeps it.
    role = SelectField(
        _l("Show"), choices=[SelectChoice(""), SelectChoice("mine"), SelectChoice("to_handle")], validators=[Optional()]
    )
    kind = SelectField(_l("Kind"), choices=kind_choices, validators=[Optional()])
    status = SelectField(_l("Status"), choices=status_choices, validators=[Optional()])


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[InputRequired(message=_l("Write a message.")), Length(max=MESSAGE_MAX)],
    )


class ReviewForm(FlaskForm):
    rating = RadioField(
        _l("Your rating"),
        choices=[SelectChoice(str(n), str(n)) for n in range(5, 0, -1)],
        validators=[InputRequired(message=_l("Give a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("A comment (optional)"), validators=[Optional(), Length(max=COMMENT_MAX)])
