from __future__ import annotations

from flask_babel import refresh

from sharemarket.templating import distance, money


def test_money_and_distances_follow_the_reader_language(app):
    """The filters keep their texts per value and language: a text made for one language is
    never served in another."""
    shown = {}
    for language in ("en", "fr", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            shown.setdefault(language, set()).add((money(1250), money(None), distance(0.237), distance(12.34)))
    assert shown["en"] == {("€12.50", "", "240 m", "12.3 km")}
    assert shown["fr"] == {("12,50\u00a0€", "", "240 m", "12,3 km")}
