"""URLs between pages: the same query as HTML, as JSON, as an export, one filter more or less."""

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

Params = Sequence[tuple[str, str]]


def url(path: str, params: Iterable[tuple[str, str]] = ()) -> str:
    query = urlencode([(k, v) for k, v in params if v != ""])
    return f"{path}?{query}" if query else path


def without(params: Params, *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params if k not in names]


def adding(params: Params, name: str, value: str) -> list[tuple[str, str]]:
    """`params` with name=value added (repeatable filters) and the cursor dropped."""
    kept = without(params, "cursor")
    if (name, value) in kept:
        return kept
    return [*kept, (name, value)]


def replacing(params: Params, **values: str) -> list[tuple[str, str]]:
    """`params` with each named value set (single-valued filters) and the cursor dropped."""
    kept = without(params, "cursor", *values)
    return [*kept, *values.items()]


def removing(params: Params, name: str, value: str | None = None) -> list[tuple[str, str]]:
    """`params` without name (or without just name=value) and without the cursor."""
    return [
        (k, v)
        for k, v in params
        if k != "cursor" and not (k == name and (value is None or v == value))
    ]
