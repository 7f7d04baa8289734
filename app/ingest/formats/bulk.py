"""Many articles in one file: JSON Lines (one object a line) or CSV (a header row)."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.errors import Problem
from app.ingest.records import BULK_FIELDS, BulkArticleRecord
from app.ingest.validation import problems_of


@dataclass(frozen=True)
class Row:
    line: int
    record: BulkArticleRecord


def read_jsonl(path: Path, text: str) -> tuple[list[Row], list[Problem]]:
    """One JSON object a line; blank lines are skipped."""
    return _split(iter_jsonl(path, text))


def read_csv(path: Path, text: str, max_field_chars: int) -> tuple[list[Row], list[Problem]]:
    """A header row naming `text` and any of the metadata fields, then one article a row."""
    return _split(iter_csv(path, text, max_field_chars))


def iter_jsonl(path: Path, text: str) -> Iterator[Row | Problem]:
    """read_jsonl's rows and problems in line order, one at a time: a file of many
    articles is not held as records all at once."""
    return _validate(path, _jsonl_values(path, text))


def iter_csv(path: Path, text: str, max_field_chars: int) -> Iterator[Row | Problem]:
    """read_csv's rows and problems in line order, one at a time."""
    return _validate(path, _csv_values(path, text, max_field_chars))


_Value = tuple[int, dict[str, Any]] | Problem


def _split(items: Iterator[Row | Problem]) -> tuple[list[Row], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
        else:
            rows.append(item)
    return rows, problems


def _validate(path: Path, values: Iterator[_Value]) -> Iterator[Row | Problem]:
    for value in values:
        if isinstance(value, Problem):
            yield value
            continue
        line, fields = value
        try:
            yield Row(line=line, record=BulkArticleRecord.model_validate(fields))
        except ValidationError as exc:
            yield from problems_of(path, exc, _constant(line))


def _constant(line: int) -> Callable[[tuple[str | int, ...]], int]:
    # Every field of a bulk record is on the record's own line.
    return lambda _loc: line


def _jsonl_values(path: Path, text: str) -> Iterator[_Value]:
    # Only "\n" ends a record: JSON strings may hold U+2028 and other characters that
    # str.splitlines() would also split on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(path, number, f"not JSON: {exc.msg} (column {exc.colno})")
            continue
        except ValueError as exc:  # an integer of 5,000 digits
            yield Problem(path, number, f"not JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield Problem(path, number, f"expected a JSON object, got {_json_kind(value)}")
            continue
        yield number, value


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _csv_values(path: Path, text: str, max_field_chars: int) -> Iterator[_Value]:
    # csv's default field limit (131,072 characters) is below the article size limit.
    csv.field_size_limit(max(csv.field_size_limit(), max_field_chars + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            yield Problem(path, 1, "file is empty; expected a header row and one article a row")
            return
        names = [name.strip() for name in header]
        expected = ", ".join(BULK_FIELDS)
        if "text" not in names:
            reason = f"no header row naming a 'text' column (expected columns among: {expected})"
            yield Problem(path, 1, reason)
            return
        unknown = [n for n in names if n not in BULK_FIELDS]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if unknown or repeated:
            for name in unknown:
                yield Problem(path, 1, f"unknown column {name!r} (expected among: {expected})")
            for name in repeated:
                yield Problem(path, 1, f"column {name!r} appears twice in the header")
            return
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                reason = f"expected {len(names)} fields as in the header, got {len(row)}"
                yield Problem(path, line, reason)
                continue
            # An empty cell is an absent value, not an empty title or an empty date.
            yield line, {n: cell for n, cell in zip(names, row, strict=True) if cell != ""}
    except csv.Error as exc:
        yield Problem(path, reader.line_num or 1, f"CSV error: {exc}")
