"""The published OpenAPI document: errors described as what they are, problem+json."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api import examples
from app.api.errors import PROBLEM_JSON, InvalidParam, ProblemDetail

_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_ERRORS = {
    "404": "Unknown id or slug.",
    "422": "A bad parameter; `invalid_params` names each one.",
    "500": "Unexpected error; no internals are disclosed.",
    "503": "The query took longer than the server's time limit: narrow the filters.",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # FastAPI documents its own 422 body (HTTPValidationError); ours is problem+json.
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for model in (ProblemDetail, InvalidParam):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            definition.pop("$defs", None)
            components[model.__name__] = definition
        # Every response model shows a real object from the seed data (app/api/examples.py).
        seed_examples = examples.load()
        for name, example in seed_examples.items():
            if name in components:
                components[name]["examples"] = [example]
        for name, component in components.items():
            item = seed_examples.get(name.removeprefix("Page_").removesuffix("_"))
            if name.startswith("Page_") and item is not None:
                page = {"items": [item], "next_cursor": None, "total": 1}
                component["examples"] = [{**page, "total_accuracy": "exact", "facets": None}]
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _ERRORS.items():
                    has_params = bool(operation.get("parameters"))
                    if status == "404" and status not in responses:
                        continue
                    if status == "422" and not has_params and status not in responses:
                        continue
                    responses[status] = {
                        "description": description,
                        "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
