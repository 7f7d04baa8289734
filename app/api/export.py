"""Whole filtered lists as CSV or NDJSON, streamed row by row in constant memory."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

CSV = "text/csv"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = {"csv": CSV, "ndjson": NDJSON, "events": CSV}

# Documented on every list route, next to the JSON page.
EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page as JSON, or with `format=csv|ndjson` (or the Accept header) "
        "the whole filtered set, streamed.",
        "content": {CSV: {"schema": {"type": "string"}}, NDJSON: {"schema": {"type": "string"}}},
    }
}


def negotiate(request: Request, requested: str | None) -> str:
    """`format=` wins; otherwise the Accept header; JSON by default."""
    if requested:
        return requested
    accept = request.headers.get("accept", "")
    for media, name in ((CSV, "csv"), (NDJSON, "ndjson"), ("application/json", "json")):
        if media in accept:
            return name
    return "json"


def _csv_lines(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        # Flush every row: the client sees data at once and memory stays flat.
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _ndjson_lines(items: Iterable[BaseModel]) -> Iterator[str]:
    for item in items:
        yield item.model_dump_json() + "\n"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(
    name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> StreamingResponse:
    return StreamingResponse(
        _csv_lines(columns, rows),
        media_type=f"{CSV}; charset=utf-8",
        headers=_attachment(f"{name}.csv"),
    )


def ndjson_response(name: str, items: Iterable[BaseModel]) -> StreamingResponse:
    return StreamingResponse(
        _ndjson_lines(items), media_type=NDJSON, headers=_attachment(f"{name}.ndjson")
    )
