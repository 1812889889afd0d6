"""The JSON API v1: the blueprint, request parsing, authentication, problem+json, pagination.

Feature `api.py` modules declare each route with `@endpoint(...)`; the same metadata builds
`/api/v1/openapi.json`, so the document cannot drift from the code.
"""

from __future__ import annotations

from flask import Blueprint

from sharemarket.api.core import (  # noqa: F401 - the API toolkit features import from here
    current_api_user,
    endpoint,
    optional_api_user,
    page_of,
    problem,
)

API_PREFIX = "/api/v1"


def build_api_v1(feature_blueprints: list[Blueprint]) -> Blueprint:
    """A fresh /api/v1 blueprint for one app, holding the features' API blueprints."""
    from sharemarket.api import openapi

    api_v1 = ApiBlueprint("api_v1", __name__, url_prefix=API_PREFIX)
    for bp in [openapi.bp, *feature_blueprints]:
        api_v1.register_blueprint(bp)
    return api_v1


class ApiBlueprint(Blueprint):
    def _blueprints_children(self) -> list[Blueprint]:
        return [child for child, _options in self._blueprints]
