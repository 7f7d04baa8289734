"""The published OpenAPI document: errors described as what they are, problem+json."""

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.errors import PROBLEM_JSON, InvalidParam, ProblemDetail

_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_ERRORS = {
    "404": "Unknown id or slug.",
    "422": "A bad parameter; `invalid_params` names each one.",
    "500": "Unexpected error; no internals are disclosed.",
    "503": "The query took longer than the server's time limit: narrow the filters.",
}


EXAMPLES_FILE = Path(__file__).with_name("examples.json")


def load_examples() -> dict[str, Any]:
    """Real objects from the seed data, by schema name (written by `python -m app.examples`)."""
    if not EXAMPLES_FILE.exists():
        return {}
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


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
        _describe_problems(components)
        _attach_examples(components)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document_errors(operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_problems(components: dict[str, Any]) -> None:
    # FastAPI documents its own 422 body (HTTPValidationError); ours is problem+json.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for model in (ProblemDetail, InvalidParam):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        definition.pop("$defs", None)
        components[model.__name__] = definition


def _attach_examples(components: dict[str, Any]) -> None:
    # Every response model shows a real object from the seed data (app/examples.py).
    seed_examples = load_examples()
    for name, example in seed_examples.items():
        if name in components:
            components[name]["examples"] = [example]
    for name, component in components.items():
        item = seed_examples.get(name.removeprefix("Page_").removesuffix("_"))
        if name.startswith("Page_") and item is not None:
            page = {"items": [item], "next_cursor": None, "total": 1}
            component["examples"] = [{**page, "total_accuracy": "exact", "facets": None}]


def _document_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    has_params = bool(operation.get("parameters"))
    for status, description in _ERRORS.items():
        if status == "404" and status not in responses:
            continue
        if status == "422" and not has_params and status not in responses:
            continue
        responses[status] = {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        }
