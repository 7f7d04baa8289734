"""The list envelope every list endpoint returns: items, the next cursor, an honest total."""

from typing import Any, Generic, TypeVar

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
