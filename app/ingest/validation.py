"""pydantic validation errors as `PATH:LINE: field: reason` problems."""

from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from app.errors import Problem


def problems_of(
    path: Path, exc: ValidationError, line_of: Callable[[tuple[str | int, ...]], int]
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field_name = ".".join(str(part) for part in loc)
        message = error["msg"].removeprefix("Value error, ")
        reason = f"{field_name}: {message}" if field_name else message
        problems.append(Problem(path, line_of(loc), reason))
    return problems
