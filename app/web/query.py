"""A page's query string as the same filter models the JSON API validates."""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

PAGE_SIZE = 25


def filters(request: Request, model: type[BaseModel], allowed: set[str], multi: set[str]) -> Any:
    """The query string as `model`; empty form fields are absent, unknown names are a 422."""
    data: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise RequestValidationError(
                [{"loc": ("query", name), "msg": "unknown parameter", "type": "extra_forbidden"}]
            )
        value = value.strip()
        if not value:
            continue
        if name in multi:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value
    try:
        return model.model_validate({"limit": PAGE_SIZE, **data})
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None


def filters_for(model: type[BaseModel], **values: Any) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None
