"""The CSV shape of a list, which its domain owns: file name, columns, and an item as a row."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CsvShape(Generic[T]):
    name: str  # the file is `{name}.csv`
    columns: Sequence[str]
    row: Callable[[T], dict[str, Any]]
