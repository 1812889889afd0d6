from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from sharemarket.moderation import rules


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class ReportForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_id = HiddenField(validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=_choices(rules.REASONS))
    comment = TextAreaField(_l("What is wrong? (optional)"), validators=[Optional(), Length(max=rules.COMMENT_MAX)])


class ActionForm(FlaskForm):
    action = SelectField(_l("Action"), choices=_choices(rules.ACTION_CHOICES))
    target_type = SelectField(_l("Target"), choices=_choices(rules.TARGET_LABELS))
    target_id = IntegerField(_l("Target number"), validators=[DataRequired()])
    report_id = IntegerField(_l("Report number (optional)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason (kept in the log, shown to a suspended user)"),
        validators=[DataRequired(), Length(max=rules.REASON_MAX)],
    )


class GrantForm(FlaskForm):
    email = StringField(_l("E-mail address of the member"), validators=[DataRequired(), Length(max=254)])
    reason = TextAreaField(_l("Why (kept in the log)"), validators=[DataRequired(), Length(max=rules.REASON_MAX)])


class RevokeForm(FlaskForm):
    reason = StringField(_l("Why (kept in the log)"), validators=[DataRequired(), Length(max=rules.REASON_MAX)])
