"""Demo: a welcome line in every inbox, and a few neighbours who chose a daily digest or no e-mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sharemarket.notifications import services


def load(ctx) -> None:
    for index, person in enumerate(ctx.people):
        services.notify(
            user=person,
            kind="account",
            title=_l("Welcome to sharemarket, %(name)s", name=person.display_name),
            body=_l(
                "Everything we have to tell you shows here. Choose, for each kind of thing, whether you "
                "also want an e-mail each time, one e-mail a day, or none."
            ),
            link="/notifications/settings",
            now=ctx.now,
            email=False,
            dedupe_key="welcome",
        )
        if index % 5 == 1:
            services.set_preferences(user=person, choices={"loan": "digest", "ride": "digest"}, now=ctx.now)
        elif index % 5 == 2:
            services.set_preferences(user=person, choices={"alert": "inbox"}, now=ctx.now)
