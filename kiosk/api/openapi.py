"""GET /api/v1/openapi.json, generated from the registered endpoints themselves."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify

from kiosk.api import bp
from kiosk.api.endpoint import REGISTRY

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\1}", rule)


def build_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for doc in REGISTRY:
        operation: dict[str, Any] = {"summary": doc.summary, "responses": {}}
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in _CONVERTER.findall(doc.rule)]
        if doc.query is not None:
            schema = doc.query.model_json_schema()
            for name, prop in schema.get("properties", {}).items():
                params.append({"name": name, "in": "query",
                               "required": name in schema.get("required", []),
                               "schema": prop})
        if params:
            operation["parameters"] = params
        if doc.body is not None:
            schema = doc.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                schemas[name] = sub
            schemas[doc.body.__name__] = schema
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{doc.body.__name__}"}}}}
        success = doc.responses or {200: "OK"}
        for status, text in success.items():
            operation["responses"][str(status)] = {
                "description": text, "content": {doc.produces: {}}}
        operation["responses"]["4XX"] = {"description": "Error",
                                         "content": {"application/json": {"schema": {
                                             "$ref": "#/components/schemas/Error"}}}}
        if doc.role is None:
            operation["security"] = []
        else:
            operation["x-role"] = doc.role.value
        paths.setdefault(openapi_path(doc.rule), {})[doc.method.lower()] = operation
    schemas["Error"] = {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fées déclic kiosk API", "version": "1"},
        "servers": [{"url": current_app.config.get("APPLICATION_ROOT", "/").rstrip("/")
                     + bp.url_prefix}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
