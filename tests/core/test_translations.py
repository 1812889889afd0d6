"""The committed catalogues: French complete and compiled; pages really come out in French."""

from __future__ import annotations

import io

import pytest
from babel.messages.mofile import read_mo
from flask_babel import force_locale, ngettext

from sharemarket.main import catalogues


def _translations(catalog) -> dict:
    """msgid -> msgstr of the translated messages (plural ids and strings as tuples). Babel's .mo
    writer fills an untranslated plural with its msgids, the same as no translation."""
    result = {}
    for message in catalog:
        strings = tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)
        if message.id and all(strings) and not message.fuzzy:
            key = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
            if strings != (key if isinstance(key, tuple) else (key,)):
                result[key] = strings
    return result


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalog = catalogues.read("fr")
    assert len([m for m in catalog if m.id]) > 50
    assert catalogues.missing(catalog) == []
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    assert not catalog.fuzzy


def test_french_placeholders_match_the_english_ones():
    """Babel's checks: a msgstr uses exactly the msgid's %(name)s placeholders."""
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogues.read("fr").check()]
    assert problems == []


@pytest.mark.parametrize("locale", ["fr", "en", "nl", "pt", "sv"])
def test_committed_mo_matches_its_po(locale):
    po = catalogues.read(locale)
    with catalogues.mo_path(locale).open("rb") as handle:
        mo = read_mo(handle)
    assert _translations(mo) == _translations(po)
    # What a fresh install loads is what compiling the .po gives now.
    assert _translations(read_mo(io.BytesIO(catalogues.mo_bytes(po)))) == _translations(po)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalogue_files_are_written_in_their_stable_form(locale):
    """Reading and writing back changes no byte, so a refresh without new strings is a no-op."""
    path = catalogues.po_path(locale)
    assert catalogues.po_bytes(catalogues.update(locale, catalogues.read(locale))) == path.read_bytes()
    assert b"#: " not in path.read_bytes()  # no source locations, no line-number churn


def test_extraction_reaches_templates_macros_and_python_sources():
    msgids = {message.id for message in catalogues.extract() if message.id}
    assert "Please correct the highlighted fields." in msgids  # templates/_macros/
    assert "Wrong e-mail or password." in msgids  # a view's _()
    assert "Give a valid e-mail address." in msgids  # a service's _l()


def test_a_french_reader_gets_french_pages(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Mot de passe" in page
    assert "Forgot your password?" not in page


def test_french_is_the_default_and_english_is_served_on_request(app, client):
    assert "Se connecter" in app.test_client().get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Forgot your password?" in english
    assert "Se connecter" not in english


def test_the_language_chosen_is_remembered(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Forgot your password?" in page


def test_french_plurals_follow_french_rules(app):
    with app.test_request_context(), force_locale("fr"):
        assert ngettext("%(num)d unread notification", "%(num)d unread notifications", 0) == "0 notification non lue"
        assert ngettext("%(num)d unread notification", "%(num)d unread notifications", 1) == "1 notification non lue"
        assert ngettext("%(num)d unread notification", "%(num)d unread notifications", 3) == "3 notifications non lues"


def test_api_problems_speak_the_readers_language(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "fr"})
    assert response.status_code == 401
    assert response.content_type.startswith("application/problem+json")


def test_i18n_missing_lists_untranslated_messages(app):
    runner = app.test_cli_runner()
    french = runner.invoke(args=["i18n", "missing", "fr"])
    assert french.exit_code == 0, french.output
    assert "0 untranslated in fr" in french.output
    english = runner.invoke(args=["i18n", "missing", "en"])
    assert english.exit_code == 1
    assert "Forgot your password?" in english.output
    unknown = runner.invoke(args=["i18n", "missing", "xx"])
    assert unknown.exit_code == 2
    assert "no catalogue" in unknown.output
