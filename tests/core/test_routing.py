"""The app's URL rules make their builders on first use and build what werkzeug's own rules build."""

from __future__ import annotations

from werkzeug.routing import AnyConverter, IntegerConverter, Map, Rule

from sharemarket.routing import LazyBuilderRule


def _values(rule: Rule, number: int) -> dict:
    """A value for each of the rule's arguments, as its converter accepts it."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = number
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[number % len(converter.items)]
        else:
            values[name] = f"é {number}/x"
    return values


def test_every_rule_builds_what_werkzeug_builds(app):
    rules = list(app.url_map.iter_rules())
    # (Flask adds the static files' rule itself, before the app chooses its rule class.)
    assert rules and all(isinstance(rule, LazyBuilderRule) for rule in rules if rule.endpoint != "static")
    eager = Map(
        [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods, defaults=rule.defaults) for rule in rules],
        converters=app.url_map.converters,
        strict_slashes=app.url_map.strict_slashes,
    )
    built = app.url_map.bind("town.example", script_name="/app", url_scheme="https")
    expected = eager.bind("town.example", script_name="/app", url_scheme="https")
    for rule in rules:
        for number in (1, 2, 3):  # the first builds with the stub, the next with werkzeug's builder
            values = {**_values(rule, number), "extra": "a b&c"}  # not an argument: the query string
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            for external in (False, True):
                assert built.build(rule.endpoint, values, method=method, force_external=external) == (
                    expected.build(rule.endpoint, values, method=method, force_external=external)
                ), rule.rule


def test_matching_is_untouched(app):
    adapter = app.url_map.bind("town.example")
    assert adapter.match("/people/5") == ("accounts.public_profile", {"user_id": 5})
