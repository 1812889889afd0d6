"""E-mail texts: plain text and HTML from templates, absolute links, one-click unsubscribe tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from markupsafe import escape

from sharemarket.accounts.models import User
from sharemarket.notifications import kinds


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None


def absolute_url(endpoint: str, **values) -> str:
    """A full address on the public site, built without a request (jobs run outside one)."""
    base = urlsplit(current_app.config["SHAREMARKET_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


_TOKEN = "TOKEN"  # stands for the signed token in the cached unsubscribe address


def _site() -> dict:
    """The addresses every e-mail links to, built once per app and base URL (jobs write thousands)."""
    cache = current_app.extensions.setdefault("sharemarket.emails", {})
    key = (current_app.config["SHAREMARKET_BASE_URL"], current_app.config["SECRET_KEY"])
    if key not in cache:
        serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")
        cache[key] = {
            "settings_url": absolute_url("notifications.settings"),
            "site_url": absolute_url("main.home"),
            "inbox_url": absolute_url("notifications.inbox"),
            "unsubscribe_url": absolute_url("notifications.unsubscribe", token=_TOKEN),
            "serializer": serializer,
            "signer": _derived_signer(serializer),
        }
    return cache[key]


def _derived_signer(serializer: URLSafeSerializer) -> Signer:
    """The serializer's own signer, given the key it derives from the secret and the salt rather
    than deriving it again for every token (a quarter of a token's cost, thousands per job): the
    same HMAC with the same key, so the same tokens (a test compares them with `dumps`)."""
    signer = serializer.make_signer()
    return Signer(
        signer.derive_key(),
        key_derivation="none",
        digest_method=signer.digest_method,
        algorithm=signer.algorithm,
        sep=signer.sep,
    )


def absolute_link(link: str | None) -> str | None:
    if not link or (link[0] != "/" and urlsplit(link).scheme):  # a path has no scheme
        return link
    return current_app.config["SHAREMARKET_BASE_URL"].rstrip("/") + "/" + link.lstrip("/")


def unsubscribe_token(user_id: int, kind: str, site: dict | None = None) -> str:
    """`serializer.dumps({"u": user_id, "k": kind})`, its two steps taken by itsdangerous."""
    site = site or _site()
    return site["signer"].sign(site["serializer"].dump_payload({"u": user_id, "k": kind})).decode()


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a link we signed, or None for anything else."""
    try:
        data = _site()["serializer"].loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        return None
    return data["u"], data["k"]


def unsubscribe_url(user: User, kind: str, site: dict | None = None) -> str | None:
    """The one-click link that stops e-mails of the kind's family (none for account mail); `site`:
    `_site()` if the caller holds it already."""
    if kinds.is_locked(kind):
        return None
    site = site or _site()
    token = unsubscribe_token(user.id, kinds.family(kind) or kind, site)  # URL-safe: no quoting needed
    return site["unsubscribe_url"].replace(_TOKEN, token)


def kind_label(kind: str) -> str:
    if kind == kinds.DIGEST_KIND:
        return str(_l("The daily summary of my notifications"))
    known = kinds.KINDS.get(kinds.family(kind) or "")
    return str(known.label) if known else kind


def render(user: User, kind: str, template: str, **context) -> tuple[str, str]:
    """Plain text and HTML of `notifications/email/<template>.{txt,html}` (HTML autoescaped), in the
    locale in force; the templates' `_` and `ngettext` read that locale's catalogue directly."""
    env = current_app.jinja_env
    translations = get_translations()

    def gettext(message: str, **values) -> str:
        text = translations.ugettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, num: int, **values) -> str:
        return translations.ungettext(singular, plural, num) % {"num": num, **values}

    site = _site()
    context.update(
        user=user,
        kind_label=kind_label(kind),
        settings_url=site["settings_url"],
        site_url=site["site_url"],
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
    )
    text = env.get_template(f"notifications/email/{template}.txt").render(context)
    html = env.get_template(f"notifications/email/{template}.html").render(context)
    return text, html


def message(*, user: User, kind: str, subject: object, body: object, link: str | None = None) -> RenderedEmail:
    """One notification as an e-mail, in the recipient's language."""
    with force_locale(user.locale):
        subject_text = str(subject)
        unsubscribe = unsubscribe_url(user, kind)
        text, html = render(
            user,
            kind,
            "message",
            subject=subject_text,
            body=str(body),
            link=absolute_link(link),
            unsubscribe_url=unsubscribe,
        )
    return RenderedEmail(subject_text[:300], text, html, unsubscribe)


# Where a mail's own parts go in a template rendered once for many mails (control characters:
# never in a translation, left alone by HTML escaping).
_MARK = {part: f"\x00{part}\x00" for part in ("subject", "body", "link", "unsubscribe_url", "paragraphs")}
_MARKED = re.compile("\x00(subject|body|link|unsubscribe_url|paragraphs)\x00")


class MessageBatch:
    """`message()` for a job's many mails at a fraction of the cost: each (locale, kind, link or
    not) renders the templates once, with marks where a mail's subject, body, link and unsubscribe
    address go, and each mail fills them in: as they are in the text, escaped in the HTML as the
    template escapes them, the body through `_paragraphs.html` as the template includes it. The
    same text and HTML as `message()` (a test compares them); a template whose body is not where
    the marks expect it is rendered mail by mail."""

    def __init__(self) -> None:
        self._paragraphs = current_app.jinja_env.get_template("notifications/email/_paragraphs.html")
        # `render()` copies the environment's globals (a chain of dicts) into every context it
        # makes, half the cost of a mail's paragraphs: copied once here, and each mail's context
        # shares a copy of that plain dict.
        self._paragraph_globals = dict(self._paragraphs.globals)
        self._site = _site()
        self._skeletons: dict[tuple, tuple[str, str] | None] = {}
        # A person's link for a kind's family is the same in each of their mails (the token holds
        # no time): signed once per batch.
        self._unsubscribe: dict[tuple[int, str], str | None] = {}

    def message(self, *, user: User, kind: str, subject: str, body: str, link: str | None = None) -> RenderedEmail:
        """`subject` and `body` already in the recipient's language."""
        link = absolute_link(link)
        skeleton = self._skeleton(user.locale, kind, link is not None)
        if skeleton is None:
            return message(user=user, kind=kind, subject=subject, body=body, link=link)
        person_family = (user.id, kinds.family(kind) or kind)
        if person_family not in self._unsubscribe:
            self._unsubscribe[person_family] = unsubscribe_url(user, kind, self._site)
        unsubscribe = self._unsubscribe[person_family]
        text = {"subject": subject, "body": body, "link": link or "", "unsubscribe_url": unsubscribe or ""}
        html = {part: escape(value) for part, value in text.items()}
        html["paragraphs"] = self._render_paragraphs(body)
        return RenderedEmail(subject[:300], skeleton[0].format_map(text), skeleton[1].format_map(html), unsubscribe)

    def _render_paragraphs(self, body: str) -> str:
        """`_paragraphs.render(text=body)`, with the same globals; for a body without links, the
        same HTML straight from `paragraphs_without_links`."""
        if "://" not in body:
            return paragraphs_without_links(body)
        template = self._paragraphs
        context = template.new_context({**self._paragraph_globals, "text": body}, shared=True)
        return template.environment.concat(template.root_render_func(context))

    def _skeleton(self, locale: str, kind: str, linked: bool) -> tuple[str, str] | None:
        """The text and HTML of (locale, kind, linked) as format strings: the text between the marks
        as it is, and a field named after the part a mail puts at each mark."""
        key = (locale, kind, linked)
        if key not in self._skeletons:
            with force_locale(locale):
                text, html = render(
                    SimpleNamespace(locale=locale),  # what the templates read of the recipient
                    kind,
                    "message",
                    subject=_MARK["subject"],
                    body=_MARK["body"],
                    link=_MARK["link"] if linked else None,
                    unsubscribe_url=None if kinds.is_locked(kind) else _MARK["unsubscribe_url"],
                )
            paragraphs = self._render_paragraphs(_MARK["body"])
            fits = html.count(paragraphs) == 1
            html = html.replace(paragraphs, _MARK["paragraphs"])
            self._skeletons[key] = (_format_string(text), _format_string(html)) if fits else None
        return self._skeletons[key]


def paragraphs_without_links(text: str) -> str:
    """What `_paragraphs.html` makes of a text in which no line holds "://" (nothing to urlize):
    each paragraph (split at blank lines, stripped) in <p>, its lines escaped and joined by <br>.
    A sixth of the template's cost, for the many mails of a job; a test holds the two to the
    same output, and so does `MessageBatch._skeleton` at run time (a mail whose template does not
    show these paragraphs is rendered whole)."""
    html = []
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            html.append("\n<p>" + "<br>".join(escape(line) for line in paragraph.strip().split("\n")) + "</p>\n")
    return "".join(html)


def _format_string(marked: str) -> str:
    """`marked` as a format string whose fields are its marks (`str.format_map` fills them in C)."""
    pieces = _MARKED.split(marked)  # the text between the marks, and at every odd position a mark's name
    return "".join(
        "{" + piece + "}" if position % 2 else piece.replace("{", "{{").replace("}", "}}")
        for position, piece in enumerate(pieces)
    )
