"""What an incidents facet must count: the same values tallied over a walk through the whole list
(every page, by cursor), for the tests of facets read from kept counts or indexes."""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tests.inprocess import AppClient

Params = list[tuple[str, str]]

# A facet's values in one list item (an incident takes part in the actor facet once per actor).
_VALUES: dict[str, Callable[[dict[str, Any]], Iterable[str | None]]] = {
    "year": lambda item: [item["date_start"][:4]],
    "month": lambda item: [item["date_start"][:7]],
    "type": lambda item: [item["type"]],
    "country": lambda item: [(item["location"] or {}).get("country")],
    "actor": lambda item: {p["actor"]["slug"] for p in item["participants"]},
}


def tally(
    client: AppClient, params: Params, facets: Sequence[str]
) -> dict[str, dict[str | None, int]]:
    """Each facet's counts from the items of a walk through the whole list."""
    counts: dict[str, Counter[str | None]] = {name: Counter() for name in facets}
    cursor = None
    while True:
        extra = [("cursor", cursor)] if cursor else []
        page = client.get("/incidents", params=[*params, ("limit", "40"), *extra]).json()
        for item in page["items"]:
            for name in facets:
                counts[name].update(_VALUES[name](item))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    if "month" in counts:
        months = sorted(counts["month"], key=str)[:50]  # the facet shows the first 50 months
        counts["month"] = Counter({m: counts["month"][m] for m in months})
    return {name: dict(c) for name, c in counts.items()}


def read_facets(
    client: AppClient, params: Params, facets: Sequence[str]
) -> dict[str, list[tuple[object, int]]]:
    """The facets the API answers for `params`, none of them cut short by its time budget."""
    asked = [*params, *(("facet", name) for name in facets)]
    body = client.get("/incidents", params=asked).json()
    assert not any(facet["truncated"] for facet in body["facets"].values())
    return {
        name: [(v["value"], v["count"]) for v in facet["values"]]
        for name, facet in body["facets"].items()
    }
