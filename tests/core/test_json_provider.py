"""The app's JSON provider (orjson) writes what Flask's own provider writes, up to escapes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from sharemarket.json_provider import FastJSONProvider


@dataclass
class Point:
    lat: float
    label: str


VALUES = [
    {"b": 1, "a": [1, 2.5, None, True], "nested": {"z": 0, "y": "é → Lorient"}},
    {"when": datetime(2026, 12, 1, 7, 30, tzinfo=UTC), "day": date(2026, 12, 1)},
    Point(47.75, "Lanester"),
    {3: "three", 1: "one"},
    {"html": Markup("<b>Vannes</b>")},
    {"huge": 2**70},
    [],
]


def _apps():
    fast, flask = Flask("fast"), Flask("flask")
    fast.json = FastJSONProvider(fast)
    return fast, flask


def test_same_json_as_flasks_provider():
    fast, flask = _apps()
    assert isinstance(fast.json, DefaultJSONProvider)
    for value in VALUES:
        with fast.app_context():
            ours = fast.json.response(value).get_data(as_text=True)
            dumped = fast.json.dumps(value)
        with flask.app_context():
            theirs = flask.json.response(value).get_data(as_text=True)
        assert json.loads(ours) == json.loads(theirs), value
        assert ours.endswith("\n") and json.loads(dumped) == json.loads(ours)
        # Same bytes once Flask's ASCII escapes are written out as UTF-8.
        assert ours == json.dumps(json.loads(theirs), ensure_ascii=False, separators=(",", ":")) + "\n"


def test_keys_sorted_and_text_in_utf8():
    fast, _ = _apps()
    with fast.app_context():
        body = fast.json.response({"b": "Épinal", "a": 1}).get_data()
    assert body == '{"a":1,"b":"Épinal"}\n'.encode()


def test_options_and_debug_go_through_flask():
    fast, _ = _apps()
    with fast.app_context():
        assert fast.json.dumps({"a": "é"}, ensure_ascii=True) == '{"a": "\\u00e9"}'
        fast.debug = True
        assert fast.json.response({"a": 1}).get_data(as_text=True) == '{\n  "a": 1\n}\n'


def test_the_app_uses_it(app):
    assert isinstance(app.json, FastJSONProvider)
