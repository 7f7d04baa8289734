"""Domain errors. They know nothing about HTTP; app/api/errors.py renders them."""

from dataclasses import dataclass
from pathlib import Path


class IncidentDBError(Exception):
    """Base class of every error the domain raises on purpose."""


class NotFound(IncidentDBError):
    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"no {entity} with id or slug {key!r}")
        self.entity = entity
        self.key = key


class InvalidParameter(IncidentDBError):
    """A request parameter is well-formed but cannot be used (unknown actor, foreign cursor)."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """One bad spot in the input, reported as `PATH:LINE: reason`."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class InputError(IncidentDBError):
    """The ingest input is bad; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def at(cls, path: Path, line: int, reason: str) -> "InputError":
        return cls([Problem(path, line, reason)])
