"""Two ways of finding what a page shows untranslated in a language.

- Lookups: every gettext/ngettext/pgettext call made while a page renders goes through the
  Flask-Babel domain's translations; wrapped, each msgid looked up is recorded with the locale it
  was looked up in, and the ones that locale's .po does not translate are reported.
- Text: a string that was never wrapped in _() makes no lookup. The page's visible text (text
  nodes, and the title/alt/aria-label/placeholder attributes) is compared with the same page in
  English: a text identical in both that holds English from the catalogue's msgids (a whole msgid,
  or a run of words taken from one) is reported. Runs of words that a translation also uses
  (proper names, "Open Database License", French words inside English msgids) do not count.

What is the same in every language needs no allowlist: the brand "sharemarket" and words such as
"Wi-Fi" are msgids translated as themselves; the language picker's names, units and figures hold
no English run of the catalogue; members' data (the demo town's) is French; addresses, e-mails
and identifiers (a job's name) are code, not prose.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from html.parser import HTMLParser

import flask_babel

from sharemarket.main import catalogues

SOURCE_LOCALE = "en"
# A run of this many words from an English msgid is English (two words already say "Log in").
RUN = 2
VISIBLE_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
INVISIBLE_ELEMENTS = ("script", "style")
_PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|%[a-z]|\{[^}]*\}|<[^>]+>")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Addresses, paths and identifiers (a URL, an e-mail, a job's name) are code, not prose.
_CODE = re.compile(r"\S*[_/@]\S*")


def translated_keys(locale: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the locale's .po translates (plurals: all their forms)."""
    keys = set()
    for message in catalogues.read(locale):
        strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
        if message.id and all(strings) and not message.fuzzy:
            singular = message.id[0] if isinstance(message.id, list | tuple) else message.id
            keys.add((message.context, singular))
    return keys


class _RecordingTranslations:
    """A domain's translations that note each msgid they are asked for."""

    def __init__(self, translations, locale: str, sink: list):
        self._translations, self._locale, self._sink = translations, locale, sink

    def _note(self, context, msgid):
        if msgid:
            self._sink.append((self._locale, context, msgid))

    def ugettext(self, message):
        self._note(None, message)
        return self._translations.ugettext(message)

    def ungettext(self, singular, plural, n):
        self._note(None, singular)
        return self._translations.ungettext(singular, plural, n)

    def upgettext(self, context, message):
        self._note(context, message)
        return self._translations.upgettext(context, message)

    def unpgettext(self, context, singular, plural, n):
        self._note(context, singular)
        return self._translations.unpgettext(context, singular, plural, n)

    gettext, ngettext, pgettext, npgettext = ugettext, ungettext, upgettext, unpgettext

    def __getattr__(self, name):
        return getattr(self._translations, name)


class LookupRecorder:
    """Installed with monkeypatch for a test; `with recorder.recording() as lookups:` around a request."""

    def __init__(self):
        self._sink: list | None = None
        self._known: dict[str, set] = {}

    def install(self, monkeypatch) -> None:
        original = flask_babel.Domain.get_translations
        recorder = self

        def get_translations(domain):
            translations = original(domain)
            if recorder._sink is None:
                return translations
            return _RecordingTranslations(translations, str(flask_babel.get_locale()), recorder._sink)

        monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)

    @contextmanager
    def recording(self):
        self._sink = lookups = []
        try:
            yield lookups
        finally:
            self._sink = None

    def untranslated(self, lookups: list) -> list[str]:
        """The msgids of `lookups` that their locale does not translate, in order, once each."""
        found = []
        for locale, context, msgid in lookups:
            if locale == SOURCE_LOCALE:
                continue
            if locale not in self._known:
                self._known[locale] = translated_keys(locale)
            if (context, msgid) not in self._known[locale] and msgid not in found:
                found.append(msgid)
        return found


class _PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE_ELEMENTS:
            self._hidden += 1
        self._attributes(tag, dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, dict(attrs))

    def _attributes(self, tag, attrs):
        self.texts.extend(_clean(attrs[name]) for name in VISIBLE_ATTRIBUTES if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(_clean(attrs["value"]))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in INVISIBLE_ELEMENTS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(_clean(data))


def _clean(text: str) -> str:
    return " ".join(text.split())


def page_text(html: str) -> tuple[list[str], list[str]]:
    """The visible texts of a page, in order, and the href of its links."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return [text for text in parser.texts if text], parser.links


def _runs(text: str) -> set[tuple[str, ...]]:
    """Runs of RUN words, never across a placeholder or markup."""
    runs = set()
    for piece in _PLACEHOLDER.split(_CODE.sub(" ", text)):
        words = [word.lower() for word in _WORD.findall(piece)]
        runs.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    return runs


def _strings(value) -> tuple[str, ...]:
    return tuple(v for v in (value if isinstance(value, list | tuple) else (value,)) if v)


class EnglishText:
    """Says whether a text shown in `locale` is English from the catalogue."""

    def __init__(self, locale: str):
        msgids, translations = set(), set()
        for language in {locale, "fr"}:  # French: names and phrases English msgids quote in French
            for message in catalogues.read(language):
                if message.id:
                    msgids.update(_strings(message.id))
                    translations.update(_strings(message.string))
        foreign = set().union(*map(_runs, translations))
        self.runs = set().union(*map(_runs, msgids)) - foreign
        self.whole = {_clean(m) for m in msgids if _WORD.search(m)} - {_clean(t) for t in translations}

    def english_in(self, text: str) -> bool:
        return text in self.whole or bool(_runs(text) & self.runs)
