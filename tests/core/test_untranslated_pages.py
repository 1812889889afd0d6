"""Every page, in every language, shows no untranslated string.

The demo town is loaded; four people walk the site with their language chosen in the footer's
language picker (which sets the session and their profile): a visitor, a member who lends,
borrows, drives, books desks, manages a space and runs an organisation, a member who runs a
community, and the moderator (an administrator). Each walks every GET page of the URL map that
takes no parameter, then follows the links of the pages it sees to the detail pages (a few per
route), posts each form empty to see its validation errors, and adds the pages no link leads to
(error pages, links sent by e-mail). New pages are walked without changing this test.

Each page is checked two ways (tests/core/untranslated.py): the msgids looked up while it renders
that the language does not translate, and English text it shows that was never wrapped in _().
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from sharemarket import demo
from sharemarket.accounts import services as accounts
from sharemarket.db import utcnow
from sharemarket.desks.models import Slot, SpaceManager
from sharemarket.extensions import db
from sharemarket.listings.models import Listing
from sharemarket.moderation import services as moderation
from sharemarket.notifications import emails
from sharemarket.rides.models import Ride
from tests.core.untranslated import EnglishText, LookupRecorder, page_text

LOCALES = ["fr", "nl", "pt", "sv"]
PERSONAS = {  # demo inhabitants (sharemarket/demo.py)
    "visitor": None,
    "member": 2,  # Soizic: lends, borrows, drives, books desks, manages La Cale, runs the town hall's page
    "community admin": 3,  # Erwan: runs the shipyard's company page and its commuters' community
    "moderator": 0,  # Maëlle: administrator (moderation, impact details, jobs)
}
PAGES_PER_ROUTE = 2  # detail pages followed per route and person: enough to see each kind of page
NOT_PAGES = {"accounts.export", "main.health", "main.hello"}  # a JSON download, probes
FILE_SUFFIXES = (".ics", ".svg", ".jpg", ".webp", ".png", ".csv", ".json", ".geojson", ".jsonl")
# GET+POST routes whose POST is an action, not a form: posting would do it instead of failing.
NOT_FORMS = {"desks.cancel_slot"}


@dataclass
class Visit:
    person: str
    method: str
    path: str
    endpoint: str
    status: int = 0
    texts: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)

    def __str__(self):
        path = self.path if len(self.path) < 80 else self.path[:77] + "..."
        return f"{self.person}: {self.method} {path} ({self.status})"


@pytest.fixture
def recorder(monkeypatch):
    recorder = LookupRecorder()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def town(app, monkeypatch, tmp_path):
    """The demo town, plus what it lacks: an open report and content the moderators hid."""
    monkeypatch.setitem(app.config, "MEDIA_DIR", str(tmp_path / "media"))
    now = utcnow()
    ctx = demo.load_all(now=now)
    people = ctx.people
    member = people[PERSONAS["member"]]
    listing = db.session.scalar(select(Listing).where(Listing.owner_id == member.id).order_by(Listing.id))
    moderation.act(
        actor=people[0], action="hide", target_type="listing", target_id=listing.id, reason="Photo floue.", now=now
    )
    ride = db.session.scalar(select(Ride).where(Ride.driver_id == member.id).order_by(Ride.id))
    moderation.act(actor=people[0], action="hide", target_type="ride", target_id=ride.id, reason="Doublon.", now=now)
    other = db.session.scalar(select(Listing).where(Listing.owner_id != member.id).order_by(Listing.id))
    moderation.report(
        reporter=member,
        target_type="listing",
        target_id=other.id,
        reason="inaccurate",
        comment="La photo ne montre pas l'objet.",
        now=now - timedelta(hours=1),
    )
    slot = db.session.scalar(
        select(Slot)
        .join(SpaceManager, SpaceManager.space_id == Slot.space_id)
        .where(SpaceManager.user_id == member.id, Slot.starts_at > now, Slot.cancelled_at.is_(None))
        .order_by(Slot.starts_at)
    )
    db.session.commit()
    return {
        "people": people,
        "links": [  # pages no link of the walk leads to (e-mails, a slot of a later day), and error pages
            f"/slots/{slot.id}/cancel",
            f"/password-reset/{accounts.reset_token_for(member, now=now)}",
            "/password-reset/not-a-token",
            f"/notifications/unsubscribe/{emails.unsubscribe_token(member.id, 'loan')}",
            "/no-such-page",
            "/impact?from=last-year",
            "/?where=Atlantide",
            "/listings?where=Atlantide",
            "/desks?where=Atlantide",
            "/report?target_type=listing&target_id=999999",
        ],
    }


def _rule(app, path: str):
    try:
        rule, _args = app.url_map.bind("localhost").match(urlsplit(path).path, method="GET", return_rule=True)
    except HTTPException:
        return None
    return rule


def _is_page(rule) -> bool:
    return not (
        rule.endpoint == "static"
        or rule.endpoint in NOT_PAGES
        or rule.rule.startswith(("/api/", "/interop/"))
        or rule.rule.endswith(FILE_SUFFIXES)
    )


def _seeds(app) -> list[str]:
    """Every GET page of the URL map that takes no parameter."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments and _is_page(r)]
    return sorted(r.rule for r in rules)


def _local(app, href: str) -> str | None:
    """The path of a link to the site itself (relative, or absolute to its configured address)."""
    parts = urlsplit(href)
    ours = ("", "localhost", urlsplit(app.config["SHAREMARKET_BASE_URL"]).netloc)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ours:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path.startswith("/") else None


def _browser(app, person: str, town, locale: str):
    client = app.test_client()
    index = PERSONAS[person]
    if index is not None:
        email = town["people"][index].email
        response = client.post("/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})
        assert response.status_code == 302, f"{person} could not log in"
    _choose_language(client, locale)
    return client


def _choose_language(client, locale: str) -> None:
    response = client.post("/language", data={"locale": locale, "next": "/"})
    assert response.status_code == 302


def _open(client, visit: Visit, recorder: LookupRecorder | None = None) -> list[str]:
    """Request the page; its texts (empty unless an HTML page), with its untranslated lookups noted."""
    send = client.post if visit.method == "POST" else client.get
    if recorder is None:
        response = send(visit.path, data={} if visit.method == "POST" else None)
    else:
        with recorder.recording() as lookups:
            response = send(visit.path, data={} if visit.method == "POST" else None)
        visit.untranslated = recorder.untranslated(lookups)
    visit.status = response.status_code
    if response.status_code in (301, 302, 303) or not response.content_type.startswith("text/html"):
        return []
    texts, links = page_text(response.get_data(as_text=True))
    visit.texts = texts
    return links


def _walk(app, client, person: str, town, recorder: LookupRecorder) -> list[Visit]:
    queue = deque([*_seeds(app), *town["links"]])
    seen: set[str] = set()
    per_route: Counter = Counter()
    visits = []
    while queue:
        path = queue.popleft()
        rule = _rule(app, path)
        if path in seen or (rule is not None and (not _is_page(rule) or per_route[rule.rule] >= PAGES_PER_ROUTE)):
            continue
        seen.add(path)
        endpoint = rule.endpoint if rule is not None else "404"
        if rule is not None:
            per_route[rule.rule] += 1
        visit = Visit(person, "GET", path, endpoint)
        links = _open(client, visit, recorder)
        visits.append(visit)
        queue.extend(path for path in (_local(app, link) for link in links) if path)
        if rule is not None and "POST" in rule.methods and rule.endpoint not in NOT_FORMS and visit.texts:
            form = Visit(person, "POST", path, endpoint)
            _open(client, form, recorder)
            visits.append(form)
    return visits


def unwrapped(texts: list[str], english_texts: list[str], english: EnglishText) -> list[str]:
    """Texts shown the same in English that are English: strings never wrapped in _()."""
    same = set(english_texts)
    return [text for text in dict.fromkeys(texts) if text in same and english.english_in(text)]


def _report(found: dict[str, list[Visit]]) -> str:
    return "\n".join(
        f"  {text!r}\n    on {', '.join(map(str, pages[:3]))}{' ...' if len(pages) > 3 else ''}"
        for text, pages in sorted(found.items())
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_no_page_shows_an_untranslated_string(app, town, recorder, locale):
    english = EnglishText(locale)
    lookups: dict[str, list[Visit]] = defaultdict(list)
    texts: dict[str, list[Visit]] = defaultdict(list)
    seen = []
    for person in PERSONAS:
        client = _browser(app, person, town, locale)
        visits = _walk(app, client, person, town, recorder)
        _choose_language(client, "en")
        for visit in visits:
            if not visit.texts:
                continue
            seen.append(visit)
            for msgid in visit.untranslated:
                lookups[msgid].append(visit)
            in_english = Visit(person, visit.method, visit.path, visit.endpoint)
            _open(client, in_english)
            for text in unwrapped(visit.texts, in_english.texts, english):
                texts[text].append(visit)

    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods and _is_page(rule)}
    unseen = pages - {visit.endpoint for visit in seen}
    assert not unseen, f"no link leads to these pages: add one to the town's links: {sorted(unseen)}"
    assert "404" in {visit.endpoint for visit in seen}
    assert sum(visit.method == "POST" and visit.status == 422 for visit in seen) >= 15, "too few forms with errors"
    problems = []
    if lookups:
        problems.append(f"{len(lookups)} msgids without a {locale} translation:\n{_report(lookups)}")
    if texts:
        problems.append(f"{len(texts)} texts shown in English, never wrapped in _():\n{_report(texts)}")
    assert not problems, f"walked {len(seen)} pages in {locale}\n" + "\n".join(problems)


CAUGHT = """{% extends "base.html" %}{% block content %}
<h1>{{ _("Ask for a seat") }}</h1>
<p>Send my request</p>
<p>We will call you back tomorrow.</p>
<img src="/x.png" alt="Map of the ride from start to destination">
<p>{{ _("Ask the driver before you leave home.") }}</p>
<p>Lorient, Kervénanec · Perceuse à percussion · Wi-Fi</p>
<p>alerts_new_rides · https://example.org/check-in/x · 3600 s · 12 km</p>
{% endblock %}"""


def test_the_walk_catches_an_unwrapped_and_an_untranslated_string(app, recorder):
    """Both detectors on a page made to fail them; translated text, French data and code pass."""
    pages = {}
    for locale in ("fr", "en"):
        with app.test_request_context("/"), force_locale(locale), recorder.recording() as lookups:
            pages[locale] = (page_text(render_template_string(CAUGHT))[0], recorder.untranslated(lookups))
    (french, missing), (english, _none) = pages["fr"], pages["en"]
    assert missing == ["Ask the driver before you leave home."]
    assert "Demander une place" in french
    assert unwrapped(french, english, EnglishText("fr")) == [
        "Send my request",
        "We will call you back tomorrow.",
        "Map of the ride from start to destination",
        "Ask the driver before you leave home.",
    ]


def test_the_walk_starts_from_every_parameterless_page_and_skips_files_and_api(app):
    seeds = _seeds(app)
    assert {"/", "/listings", "/desks", "/rides", "/accessibility", "/impact", "/moderation"} <= set(seeds)
    assert not [s for s in seeds if s.startswith(("/api/", "/interop/", "/static")) or s.endswith(FILE_SUFFIXES)]
    assert "/account/export" not in seeds
    assert _rule(app, "/calendar/abc.ics") is not None and not _is_page(_rule(app, "/calendar/abc.ics"))
