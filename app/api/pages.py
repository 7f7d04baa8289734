"""The list envelope every list endpoint returns: items, the next cursor, an honest total."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import pydantic_core
from pydantic import BaseModel, Field

from app.kit.counting import TotalAccuracy
from app.kit.facets import Facet
from app.kit.pagination import Window

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, in a stable order."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int = Field(description="How many items match the filters (see total_accuracy).")
    total_accuracy: TotalAccuracy = Field(
        default=TotalAccuracy.exact,
        description=(
            "`exact`; `estimated` when the match set is larger than the exact-count "
            "threshold (PostgreSQL's planner estimate, or on SQLite one from a sample of ids); "
            "`at_least` with `count=none`: a lower bound."
        ),
    )
    facets: dict[str, Facet] | None = Field(
        default=None, description="With `facet=`: counts per value over the whole filtered set."
    )

    @classmethod
    def of(
        cls, items: list[T], window: "Window[Any]", facets: dict[str, Facet] | None = None
    ) -> "Page[T]":
        """The page for `window`, its rows already converted to `items`."""
        return cls(
            items=items,
            next_cursor=window.next_cursor,
            total=window.total,
            total_accuracy=window.total_accuracy,
            facets=facets,
        )


@dataclass(frozen=True)
class PlainPage(Generic[T]):
    """A `Page[T]` whose items are plain dicts already in `T`'s JSON shape, not models.

    Each dict holds `T`'s fields in `T`'s order with the values validation would give them
    (dates, enums or their values, ints, floats, nested dicts or models), so `json()` is the
    bytes `Page[T]` makes, without building and validating a model per item and per nested
    object: ~250 of them for a page of 50 incidents, a quarter of the request's CPU (profiled
    with py-spy). tests/api/test_list_bytes.py checks the bytes against the models'.
    """

    items: list[dict[str, Any]]
    window: "Window[Any]"
    facets: dict[str, Facet] | None = None

    def json(self) -> bytes:
        """The page as `Page[T]`'s JSON: the bytes pydantic-core's serialiser makes of it."""
        document = {
            "items": self.items,
            "next_cursor": self.window.next_cursor,
            "total": self.window.total,
            "total_accuracy": self.window.total_accuracy,
            "facets": self.facets,
        }
        if self.facets is None:
            try:
                # orjson writes ints, floats, strings, dates, enums and nested dicts and
                # lists as pydantic-core does, six times faster (49 KB, 50 incidents: 0.30
                # -> 0.05 ms, measured). A model or anything else it does not know raises.
                return orjson.dumps(document, default=_not_plain)
            except TypeError:
                pass
        return pydantic_core.to_json(document)


def _not_plain(value: Any) -> Any:
    """orjson's hook for what it cannot write: pydantic-core writes the page instead."""
    raise TypeError(type(value).__name__)
