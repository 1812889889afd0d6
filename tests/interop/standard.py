"""The standard-covoiturage OpenAPI document, and a check of our responses against it.

The document is a verbatim copy (see standard-covoiturage/SOURCE.md). Its one invalid `default`
(a string where the schema is an array) is fixed in memory; `$ref`s are resolved; bodies are
validated with openapi-schema-validator's OAS 3.0 validator and format checker.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker

FOLDER = Path(__file__).parent / "standard-covoiturage"
SPEC = FOLDER / "standard-covoiturage_openapi.yaml"
SHA256 = "43fc07633d1d27d8afa5a16bd5760566ea59ee2f9296f0bdb13f545f263d114e"
PREFIX = "/interop/v1"


def load_raw() -> dict:
    """The YAML as OpenAPI means it: through JSON, so response codes (200:) are string keys."""
    return json.loads(json.dumps(yaml.safe_load(SPEC.read_text(encoding="utf-8"))))


@functools.cache
def _document() -> dict:
    document = load_raw()
    weekdays = document["components"]["parameters"]["departureWeekdays"]["schema"]
    assert weekdays["default"] == "MON,TUE,WED,THU,FRI,SAT,SUN", "the known invalid default moved"
    weekdays["default"] = weekdays["default"].split(",")
    return document


def document() -> dict:
    """A fresh copy of the fixed document (callers may change it)."""
    return copy.deepcopy(_document())


def resolve(node, root: dict | None = None):
    """`node` with every local `$ref` replaced by what it points to (the document has no cycles)."""
    root = root if root is not None else _document()
    if isinstance(node, dict):
        if "$ref" in node:
            target = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target, root)
        return {key: resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, root) for item in node]
    return node


def operation(path: str, method: str) -> dict:
    return resolve(_document()["paths"][path][method.lower()])


def spec_path(url_path: str) -> str:
    """'/interop/v1/bookings/<uuid>' → '/bookings/{bookingId}'."""
    path = url_path.split("?", 1)[0].removeprefix(PREFIX)
    return re.sub(r"^/bookings/[^/]+$", "/bookings/{bookingId}", path)


def schema_errors(body, schema: dict) -> list[str]:
    errors = sorted(OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(body), key=str)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def component_errors(body, name: str) -> list[str]:
    """Errors of `body` against one of the document's schemas (for answers it leaves unspecified)."""
    return schema_errors(body, resolve(_document()["components"]["schemas"][name]))


def check(response, url_path: str, method: str) -> None:
    """The status is one the standard declares for the operation, and the body, when the
    standard describes one, validates against its schema."""
    responses = operation(spec_path(url_path), method)["responses"]
    status = response.status_code
    assert str(status) in responses, f"{method} {url_path}: {status} is not declared ({sorted(responses)})"
    content = responses[str(status)].get("content")
    if content is None:
        return
    schema = content["application/json"]["schema"]
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    errors = schema_errors(body, schema)
    assert not errors, f"{method} {url_path} ({status}): " + "; ".join(errors[:5])
