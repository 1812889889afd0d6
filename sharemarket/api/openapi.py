"""`GET /api/v1/openapi.json`, built from the `@endpoint` metadata of the registered routes."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel

from sharemarket.api import API_PREFIX
from sharemarket.api.core import Operation, endpoint

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
ERROR_TEXT = {
    400: "Malformed JSON",
    401: "Missing or invalid token",
    403: "Not allowed",
    404: "Unknown id",
    409: "Conflict with the current state",
    413: "Body too large",
    415: "Body is not application/json",
    422: "Invalid fields",
    429: "Too many requests",
}
CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
RULE_ARG = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


class Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}

    def ref(self, model: type[BaseModel], mode: str = "validation") -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            self.schemas.setdefault(name, definition)
        name = model.__name__ if mode == "validation" else f"{model.__name__}"
        self.schemas.setdefault(name, schema)
        return {"$ref": f"#/components/schemas/{name}"}

    def response_schema(self, spec: Any) -> dict:
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            return self.ref(spec, mode="serialization")
        if isinstance(spec, dict):
            return spec
        return {"type": "object"}


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _operation_doc(op: Operation, path_params: list[dict], method: str, components: Components) -> dict:
    doc: dict[str, Any] = {
        "summary": op.summary,
        "operationId": "",
        "tags": list(op.tags),
        "parameters": list(path_params),
        "responses": {},
    }
    if op.description:
        doc["description"] = op.description
    if op.query is not None:
        doc["parameters"] += _query_parameters(op.query)
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.ref(op.body)}},
        }
    if op.auth == "required":
        doc["security"] = [{"bearerAuth": []}]
    elif op.auth == "optional":
        doc["security"] = [{"bearerAuth": []}, {}]
    else:
        doc["security"] = []
    success = op.responses or {200: None}
    for status, spec in success.items():
        if status == 204:
            doc["responses"]["204"] = {"description": "No content"}
            continue
        doc["responses"][str(status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": components.response_schema(spec)}},
        }
    errors = {404, 429, 422} if (op.body or op.query or path_params) else {404, 429}
    if op.auth in ("required", "optional"):
        # A token that is invalid is 401; one of a suspended account, 403 (with the reason).
        errors |= {401, 403}
    if op.body is not None:
        errors |= {400, 413, 415}
    if method in {"post", "patch", "delete"}:
        errors |= {409}
    for status in sorted(errors):
        doc["responses"][str(status)] = {
            "description": ERROR_TEXT[status],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return doc


def _path_schema(converter: str | None, args: str | None) -> dict:
    if converter == "any" and args:
        return {"type": "string", "enum": [a.strip().strip("'\"") for a in args.split(",")]}
    return CONVERTER_TYPES.get(converter or "", {"type": "string"})


def build_document() -> dict:
    components = Components()
    paths: dict[str, dict] = {}
    prefix = API_PREFIX
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "operation", None)
        if op is None:
            continue
        path = RULE_ARG.sub(lambda m: "{" + m.group(3) + "}", rule.rule[len(prefix) :])
        path_params = [
            {"name": m.group(3), "in": "path", "required": True, "schema": _path_schema(m.group(1), m.group(2))}
            for m in RULE_ARG.finditer(rule.rule)
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            doc = _operation_doc(op, path_params, method.lower(), components)
            doc["operationId"] = rule.endpoint.replace(".", "_") + "_" + method.lower()
            paths.setdefault(path, {})[method.lower()] = doc
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sharemarket API",
            "version": "1.0.0",
            "description": "Lend things, share rides to work, book desks in third places.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": components.schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


bp = Blueprint("meta_api", __name__)


@bp.get("/openapi.json")
@endpoint("This document: every endpoint of the API", auth="none", tags=["meta"], responses={200: {"type": "object"}})
def openapi_document():
    return jsonify(build_document())
