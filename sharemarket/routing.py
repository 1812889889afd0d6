"""URL rules that write their URL-building code the first time they build a URL."""

from __future__ import annotations

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A werkzeug Rule whose two URL builders are made on first use instead of when it is added.

    Werkzeug writes and compiles Python code for each rule's builders as the app registers it: a
    tenth of a second of every process's start-up, for some 180 rules, of which a job process
    builds a handful and a web worker a few per page. Matching a request is untouched; a rule
    builds the same URLs as werkzeug's own (a test compares them over every rule of the app),
    from its second URL on straight through werkzeug's builder. A werkzeug without
    `_compile_builder` simply never calls this, and builds as before."""

    def _compile_builder(self, append_unknown: bool = True):
        def build_on_first_use(rule: Rule, **values):
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            # Takes this stub's place on the rule (two threads racing here make the same builder).
            setattr(rule, "_build_unknown" if append_unknown else "_build", builder)
            return builder(**values)

        return build_on_first_use
