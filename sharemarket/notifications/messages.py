"""The texts of notifications and e-mails, translatable, keyed by name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBJECTS = {
    "reset_subject": _l("Reset your sharemarket password"),
}

BODIES = {
    "reset_body": _l(
        "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your sharemarket password. "
        "Open this link within an hour to choose a new one:\n\n%(link)s\n\n"
        "If it was not you, ignore this message: your password stays as it is."
    ),
}


def render(key: str, context: dict) -> str:
    template = SUBJECTS.get(key) or BODIES[key]
    return str(template) % context
