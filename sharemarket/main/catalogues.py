"""Translation catalogues: extract the strings, update each language's .po, compile the .mo.

Output is stable so that a refresh with no new strings changes no byte: no source locations
(no line-number churn), messages sorted by msgid, fixed header dates, obsolete entries dropped.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent
TRANSLATIONS = PACKAGE / "translations"
MAPPING = ROOT / "babel.cfg"
DOMAIN = "messages"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
# Fixed header dates: the catalogue's content, not the time of the last refresh, decides its bytes.
STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)
HEADER_COMMENT = (
    "# Translations template for PROJECT.\n"
    "# This file is distributed under the same license as the PROJECT project.\n"
    "# Refreshed by `flask --app wsgi i18n refresh`; translate the msgstr lines only.\n#"
)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project="sharemarket",
        version="1",
        copyright_holder="sharemarket contributors",
        msgid_bugs_address="",
        creation_date=STABLE_DATE,
        revision_date=STABLE_DATE,
        last_translator="sharemarket contributors",
        language_team=f"{locale} <sharemarket contributors>" if locale else None,
        charset="utf-8",
        fuzzy=False,
        header_comment=HEADER_COMMENT,
    )


def _directory_filter(path: str) -> bool:
    # Babel's default skips folders starting with "_", which would miss templates/_macros/.
    name = Path(path).name
    return not name.startswith(".") and name not in {"__pycache__", "node_modules", "instance"}


def extract() -> Catalog:
    """Every translatable string in the Python sources and templates."""
    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, MAPPING.name)
    template = _new_catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=_directory_filter,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def update(locale: str, template: Catalog) -> Catalog:
    """The language's catalogue with exactly the template's messages, keeping its translations.

    No fuzzy matching: a new or changed string starts untranslated rather than with a guess."""
    catalog = read(locale) if po_path(locale).exists() else _new_catalog(locale)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = STABLE_DATE
    catalog.header_comment = HEADER_COMMENT
    catalog.fuzzy = False
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    """The catalogue as committed. Babel writes its own version in the header: left out, so that
    another Babel release writes the same bytes."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, omit_header=False, sort_output=True, ignore_obsolete=True)
    return re.sub(rb'"Generated-By: Babel [^\\"]*\\n"', rb'"Generated-By: Babel\\n"', buffer.getvalue())


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def refresh(locales: list[str]) -> dict[str, dict]:
    """Extract, update every language's .po and compile its .mo; report what each holds."""
    template = extract()
    report = {}
    for locale in locales:
        catalog = update(locale, template)
        changed = _write_if_changed(po_path(locale), po_bytes(catalog))
        changed |= _write_if_changed(mo_path(locale), mo_bytes(catalog))
        report[locale] = {"messages": len(catalog), "missing": len(missing(catalog)), "changed": changed}
    return report


def missing(catalog: Catalog) -> list[str]:
    """The msgids with no translation (or only a fuzzy one)."""
    result = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result
