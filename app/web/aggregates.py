"""Counts over many incidents for the pages (timelines, facets), and the list items.

The whole dataset's counts take a second or two at a million incidents: each is made once per
data version and kept (app/web/cache.py).
"""

from typing import Any

from fastapi import Request
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.db.versions import data_version
from app.incidents import schemas as incidents_schemas
from app.incidents import service as incidents_service
from app.incidents.schemas import IncidentFilters
from app.kit import highlights
from app.kit.facets import Facet, FacetValue
from app.web import timeline
from app.web.rendering import CHART, cache_of

# Facet counts are shown while the filtered set is counted exactly (SQLite counts up to 5,000
# matches exactly, PostgreSQL 10,000): counting the facets of 400,000 matches takes longer
# than a page may. Over that, the type links are still offered, without counts.
FACETS = ["type", "country", "actor", "year"]
FACET_BUDGET_MS = 15
# Whole-dataset counts are made once per data version, so they may take their time.
WHOLE_DATASET_BUDGET_MS = 60_000


def whole_dataset_facets(request: Request, session: Session) -> dict[str, Facet]:
    """Facets of every incident, counted once per data version (a second or two at 1M).

    Years are added up from the monthly timeline instead of counted a second time.
    """

    def count() -> dict[str, Facet]:
        f = IncidentFilters(facet=["type", "country", "actor"])
        facets = incidents_service.count_facets(session, f, WHOLE_DATASET_BUDGET_MS)
        years: dict[str, int] = {}
        for month, n in months(request, session, None):
            years[month[:4]] = years.get(month[:4], 0) + n
        values = [FacetValue(value=y, label=y, count=n) for y, n in sorted(years.items())]
        return {**facets, "year": Facet(values=values)}

    return cache_of(request).get(
        data_version(session),
        "whole-dataset-facets",
        count,
        keep=lambda facets: not any(f.truncated for f in facets.values()),
    )


def incident_items(listing: incidents_service.IncidentListing, q: str | None) -> list[Any]:
    hits = highlights.hits(q, listing.snippets, listing.scores)
    return [
        incidents_schemas.incident_read_from_item(
            row,
            listing.participants[row.id],
            listing.source_ids[row.id],
            hits.get(row.id, highlights.NO_HIT),
        )
        for row in listing.window.items
    ]


def timeline_chart(
    request: Request, session: Session, actor_slug: str | None, label: str
) -> Markup:
    """The monthly timeline as SVG markup, drawn once per data version (hundreds of bars)."""

    def draw() -> Markup:
        chart = timeline.monthly(months(request, session, actor_slug))
        if chart is None:
            return Markup("")
        return Markup(CHART.render(chart=chart, label=label))

    return cache_of(request).get(data_version(session), ("chart", actor_slug, label), draw)


def months(request: Request, session: Session, actor_slug: str | None) -> list[tuple[str, int]]:
    """Incidents per month, of everyone or of one actor, counted once per data version."""
    f = IncidentFilters(actor=[actor_slug] if actor_slug else [])
    return cache_of(request).get(
        data_version(session),
        ("months", actor_slug),
        lambda: incidents_service.count_by_month(session, f),
    )
