from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from sharemarket.notifications import kinds

PREFIX = "kind_"


def preferences_form(choices: list[dict]) -> FlaskForm:
    """One radio group per kind a person may choose for (fixed kinds are shown, not asked)."""

    class PreferencesForm(FlaskForm):
        pass

    options = [SelectChoice(channel, kinds.CHANNEL_LABELS[channel]) for channel in kinds.CHANNELS]
    open_choices = [choice for choice in choices if not choice["locked"]]
    for choice in open_choices:
        setattr(PreferencesForm, PREFIX + choice["kind"], RadioField(choice["label"], choices=options))
    return PreferencesForm(data={PREFIX + choice["kind"]: choice["channel"] for choice in open_choices})


def chosen(form: FlaskForm) -> dict[str, str]:
    return {field.name.removeprefix(PREFIX): field.data for field in form if field.name.startswith(PREFIX)}
