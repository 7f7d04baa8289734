"""The pages: each parses its address, calls the domain services the JSON API calls, and
renders a template. Every page links to its JSON twin."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from app.actors import schemas as actors_schemas
from app.actors import service as actors_service
from app.actors.schemas import ActorFilters
from app.api.keys import KEY_LENGTH, NO_NUL
from app.api.links import html_url
from app.db.session import SessionDep
from app.db.versions import data_version
from app.incidents import schemas as incidents_schemas
from app.incidents import service as incidents_service
from app.incidents.schemas import IncidentFilters
from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit import highlights
from app.sources import schemas as sources_schemas
from app.sources import service as sources_service
from app.sources.schemas import SourceFilters
from app.statements import schemas as statements_schemas
from app.statements import service as statements_service
from app.statements.schemas import StatementFilters
from app.web import errors, highlight, links
from app.web.aggregates import (
    FACET_BUDGET_MS,
    FACETS,
    incident_items,
    months,
    timeline_chart,
    whole_dataset_facets,
)
from app.web.cache import VersionedCache
from app.web.query import filters, filters_for
from app.web.rendering import HEADERS, HERE, cache_of, page, settings_of, templates

INCIDENT_PARAMS = {"actor", "type", "country", "date_from", "date_to", "q", "sort", "cursor"}
MULTI = {"actor", "type"}

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Mount the pages, their stylesheet and their HTML error pages on `app`."""
    app.state.web_cache = VersionedCache()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    errors.install(app, templates, HEADERS)


# -- pages --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    latest = incidents_service.list_incidents(
        session, IncidentFilters(limit=8), settings_of(request)
    )
    facets = whole_dataset_facets(request, session)
    chart = timeline_chart(request, session, None, "Incidents per month")
    top = facets.get("actor")
    return page(
        request,
        "home.html",
        "/incidents",
        latest=incident_items(latest, None),
        total=latest.window.total,
        total_accuracy=latest.window.total_accuracy.value,
        chart=chart,
        top_actors=top.values[:15] if top else [],
    )


def _highlighted(q: str, found: Any, read: Callable[[Any, Any], Any]) -> tuple[list[Any], Any]:
    """A search page section: `found`'s items read with their highlighted hit, and its window."""
    hits = highlights.hits(q, found.snippets, found.scores)
    items = [read(item, hits.get(item.id, highlights.NO_HIT)) for item in found.window.items]
    return items, found.window


@router.get("/browse")
def browse() -> RedirectResponse:
    return RedirectResponse("/browse/incidents", status_code=308)


@router.get("/browse/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()
    if set(request.query_params) - {"q"}:
        filters(request, IncidentFilters, {"q"}, set())  # names the unknown parameter
    results: dict[str, Any] = {}
    if q:
        found = incidents_service.list_incidents(
            session,
            filters(request, IncidentFilters, {"q"}, set()).model_copy(update={"limit": 10}),
            settings_of(request),
        )
        results["incidents"] = (incident_items(found, q), found.window)
        statements = statements_service.list_statements(
            session, StatementFilters(q=q, limit=10), settings_of(request)
        )
        results["statements"] = _highlighted(q, statements, statements_schemas.statement_read)
        sources = sources_service.list_sources(
            session, SourceFilters(q=q, limit=10), settings_of(request)
        )
        results["sources"] = _highlighted(q, sources, sources_schemas.source_read)
        actors = actors_service.list_actors(
            session, ActorFilters(q=q, limit=10), settings_of(request)
        )
        results["actors"] = ([actors_schemas.actor_read(a) for a in actors.items], actors)
    return page(request, "search.html", links.url("/incidents", [("q", q)]), q=q, results=results)


@router.get("/browse/incidents", response_class=HTMLResponse)
def list_incidents(request: Request, session: SessionDep) -> HTMLResponse:
    f: IncidentFilters = filters(request, IncidentFilters, INCIDENT_PARAMS, MULTI)
    params = [(k, v.strip()) for k, v in request.query_params.multi_items() if v.strip()]
    listing = incidents_service.list_incidents(session, f, settings_of(request))
    window = listing.window
    filtered = bool(f.actor or f.type or f.country or f.date_from or f.date_to or f.q)
    facets: dict[str, Any] | None
    if not filtered:
        facets = whole_dataset_facets(request, session)
    elif window.total_accuracy.value == "exact":
        counted = f.model_copy(update={"facet": FACETS, "cursor": None})
        # Kept per filter set: the next pages of the same list show the same counts.
        facets = cache_of(request).get(
            data_version(session),
            ("facets", counted.model_dump_json()),
            lambda: incidents_service.count_facets(session, counted, FACET_BUDGET_MS),
            keep=lambda found: not any(f.truncated for f in found.values()),
        )
    else:
        facets = None
    query = links.without(params, "cursor")
    return page(
        request,
        "incidents.html",
        links.url("/incidents", params),
        f=f,
        params=params,
        incidents=incident_items(listing, f.q),
        window=window,
        facets=facets,
        links=links,
        exports={
            "JSON": links.url("/incidents", query),
            "CSV": links.url("/incidents", [*query, ("format", "csv")]),
            "NDJSON": links.url("/incidents", [*query, ("format", "ndjson")]),
            "Events (CSV)": links.url("/incidents", [*query, ("format", "events")]),
        },
        next_url=(
            links.url("/browse/incidents", [*query, ("cursor", window.next_cursor)])
            if window.next_cursor
            else None
        ),
        first_url=links.url("/browse/incidents", query) if f.cursor else None,
    )


Key = Annotated[str, PathParam(max_length=KEY_LENGTH), NO_NUL]


@router.get("/browse/incidents/{key}", response_class=HTMLResponse)
def incident(request: Request, session: SessionDep, key: Key) -> HTMLResponse:
    found = incidents_service.get_incident(session, key)
    detail = incidents_schemas.incident_detail(
        found, html_url=html_url(request, "incidents", found.incident.slug)
    )
    return page(
        request,
        "incident.html",
        f"/incidents/{detail.slug}",
        incident=detail,
        kind=INCIDENT_TYPES[detail.type],
        sources={s.id: s for s in detail.sources},
    )


def _evidence(statement: Any) -> tuple[Any, list[tuple[int, int, str]]]:
    """A statement's attribution and its evidence spans [(start, end, text)], when it has them."""
    attribution = getattr(statement, "attribution", None)
    if attribution is None:
        return None, []
    evidence = _field(attribution, "evidence") or []
    spans = [
        (int(_field(e, "start")), int(_field(e, "end")), str(_field(e, "text") or ""))
        for e in evidence
    ]
    return attribution, spans


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _source_text(text: str, statements: list[Any]) -> Any:
    spans = []
    for s in statements:
        badge = templates.get_template("_badge.html").render(statement=s)
        spans.append(
            highlight.Span(
                s.start,
                s.end,
                Markup('<mark class="quote" id="statement-{0}" data-statement-id="{0}">').format(
                    s.id
                ),
                Markup("</mark>"),
                after=Markup(badge),
            )
        )
        for start, end, _ in _evidence(s)[1]:
            spans.append(
                highlight.Span(
                    start,
                    end,
                    Markup('<mark class="evidence" data-evidence-for="{0}">').format(s.id),
                    Markup("</mark>"),
                    depth=1,
                )
            )
    return highlight.render(text, spans)


@router.get("/browse/sources/{key}", response_class=HTMLResponse)
def source(request: Request, session: SessionDep, key: Key) -> HTMLResponse:
    view = sources_service.get_source(session, key)
    detail = sources_schemas.SourceDetail.model_validate(
        sources_schemas.source_detail_fields(
            view, html_url=html_url(request, "sources", view.source.slug)
        )
    )
    return page(
        request,
        "source.html",
        f"/sources/{detail.slug}",
        source=detail,
        body=_source_text(detail.text, detail.statements),
        evidence={s.id: _evidence(s)[0] for s in detail.statements},
    )


@router.get("/browse/actors/{key}", response_class=HTMLResponse)
def actor(request: Request, session: SessionDep, key: Key) -> HTMLResponse:
    found = actors_service.get_actor(session, key)
    detail = actors_schemas.actor_detail(found, html_url=html_url(request, "actors", found.slug))
    cursors = {name: request.query_params.get(name) or None for name in ("incidents", "statements")}
    if set(request.query_params) - set(cursors):
        filters(request, IncidentFilters, set(cursors), set())  # names the unknown parameter
    # count=none: counting an actor's matches cost more than the rest of the page at 1M
    # (a sampled estimate, then an exact count for rarer actors); the timeline, counted once
    # per data version, already knows how many incidents there are.
    f_incidents = filters_for(
        IncidentFilters, actor=[detail.slug], limit=10, cursor=cursors["incidents"], count="none"
    )
    took_part = incidents_service.list_incidents(session, f_incidents, settings_of(request))
    f_statements = filters_for(
        StatementFilters,
        speaker=[detail.slug],
        limit=10,
        cursor=cursors["statements"],
        count="none",
    )
    said = statements_service.list_statements(session, f_statements, settings_of(request))
    chart = timeline_chart(request, session, detail.slug, f"Incidents per month with {detail.name}")

    def more(name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        kept = [(k, v) for k, v in cursors.items() if k != name and v]
        return links.url(f"/browse/actors/{detail.slug}", [*kept, (name, cursor)]) + f"#{name}"

    return page(
        request,
        "actor.html",
        f"/actors/{detail.slug}",
        actor=detail,
        chain=[
            actors_schemas.actor_ref(a) for a in actors_service.affiliation_chain(session, found)
        ],
        incidents=incident_items(took_part, None),
        incidents_total=sum(n for _, n in months(request, session, detail.slug)),
        statements=[statements_schemas.statement_read(s) for s in said.window.items],
        statements_window=said.window,
        chart=chart,
        more_incidents=more("incidents", took_part.window.next_cursor),
        more_statements=more("statements", said.window.next_cursor),
        json_incidents=links.url("/incidents", [("actor", detail.slug)]),
        json_statements=links.url("/statements", [("speaker", detail.slug)]),
    )


@router.get("/browse/statements/{statement_id}", response_class=HTMLResponse)
def statement(
    request: Request,
    session: SessionDep,
    statement_id: Annotated[int, PathParam(ge=1, le=2**62)],
) -> HTMLResponse:
    found = statements_service.get_statement(session, statement_id)
    text, content_hash = statements_service.source_text(session, found)
    # The JSON twin's own object: the sentence, its offsets, the hashes and the check.
    detail = statements_schemas.statement_detail(
        found, text, content_hash, html_url=html_url(request, "statements", found.id)
    )
    attribution, evidence = _evidence(detail)
    offset = detail.sentence_start
    in_sentence = [
        highlight.Span(
            detail.start - offset,
            detail.end - offset,
            Markup('<mark class="quote" data-statement-id="{0}">').format(detail.id),
            Markup("</mark>"),
        ),
        *(
            highlight.Span(
                start - offset,
                end - offset,
                Markup('<mark class="evidence">'),
                Markup("</mark>"),
                depth=1,
            )
            for start, end, _ in evidence
        ),
    ]
    source_view = sources_service.get_source(session, str(detail.source_id))
    incident = None
    if detail.incident_id is not None:
        incident = incidents_service.get_incident(session, str(detail.incident_id)).incident
    return page(
        request,
        "statement.html",
        f"/statements/{detail.id}",
        statement=detail,
        sentence=highlight.render(detail.sentence, in_sentence),
        source=sources_schemas.SourceRead.model_validate(
            sources_schemas.source_item(source_view.source)
        ),
        incident=incident,
        attribution=attribution,
        evidence=evidence,
    )
