"""The pages: each parses its address, calls the domain services the JSON API calls, and
renders a template. Every page links to its JSON twin."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from pydantic import BaseModel, ValidationError

from app.actors import service as actors_service
from app.actors.models import Actor
from app.actors.schemas import ActorFilters
from app.api.pagination import Facet, FacetValue
from app.db.session import SessionDep
from app.incidents import service as incidents_service
from app.incidents.schemas import IncidentFilters
from app.incidents.vocabulary import INCIDENT_TYPES
from app.sources import service as sources_service
from app.sources.schemas import SourceFilters
from app.statements import provenance
from app.statements import service as statements_service
from app.statements.schemas import StatementFilters
from app.web import errors, highlight, items, links, timeline
from app.web.cache import VersionedCache, data_version

HERE = Path(__file__).parent
PAGE_SIZE = 25
# Facet counts are shown while the filtered set is counted exactly (SQLite counts up to 5,000
# matches exactly, PostgreSQL 10,000): counting the facets of 400,000 matches takes longer
# than a page may. Over that, the type links are still offered, without counts.
FACETS = ["type", "country", "actor", "year"]
FACET_BUDGET_MS = 15
# Whole-dataset counts are made once per data version, so they may take their time.
WHOLE_DATASET_BUDGET_MS = 60_000
INCIDENT_PARAMS = {"actor", "type", "country", "date_from", "date_to", "q", "sort", "cursor"}
MULTI = {"actor", "type"}

# The pages run no script at all: a stored string that slipped through unescaped still could
# not execute, and nothing is loaded from anywhere but this server.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every stored string is text, never markup
        undefined=StrictUndefined,  # a misspelt field fails in tests instead of printing ""
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(url=links.url, month_label=timeline.month_label, types=INCIDENT_TYPES)
    env.filters.update(number=lambda n: f"{n:,}")
    return env


templates = Jinja2Templates(env=_environment())
CHART = templates.env.from_string(
    '{% from "_macros.html" import timeline_chart %}{{ timeline_chart(chart, label) }}'
)


def install(app: FastAPI) -> None:
    """Mount the pages, their stylesheet and their HTML error pages on `app`."""
    app.state.web_cache = VersionedCache()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    errors.install(app, templates, HEADERS)


def _page(request: Request, template: str, json_url: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"json_url": json_url, **context}, headers=HEADERS
    )


def _cache(request: Request) -> VersionedCache:
    cache: VersionedCache = request.app.state.web_cache
    return cache


def _filters(request: Request, model: type[BaseModel], allowed: set[str], multi: set[str]) -> Any:
    """The query string as `model`; empty form fields are absent, unknown names are a 422."""
    data: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise RequestValidationError(
                [{"loc": ("query", name), "msg": "unknown parameter", "type": "extra_forbidden"}]
            )
        value = value.strip()
        if not value:
            continue
        if name in multi:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value
    try:
        return model.model_validate({"limit": PAGE_SIZE, **data})
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None


def _whole_dataset_facets(request: Request, session: SessionDep) -> dict[str, Facet]:
    """Facets of every incident, counted once per data version (a second or two at 1M).

    Years are added up from the monthly timeline instead of counted a second time.
    """

    def count() -> dict[str, Facet]:
        f = IncidentFilters(facet=["type", "country", "actor"])
        facets = incidents_service.count_facets(session, f, WHOLE_DATASET_BUDGET_MS)
        years: dict[str, int] = {}
        for month, n in _months(request, session, None):
            years[month[:4]] = years.get(month[:4], 0) + n
        values = [FacetValue(value=y, label=y, count=n) for y, n in sorted(years.items())]
        return {**facets, "year": Facet(values=values)}

    return _cache(request).get(
        data_version(session),
        "whole-dataset-facets",
        count,
        keep=lambda facets: not any(f.truncated for f in facets.values()),
    )


def _incident_items(listing: incidents_service.IncidentListing, q: str | None) -> list[Any]:
    hits = items.hits(q, listing.snippets, listing.scores)
    return [
        items.incident_from_row(
            row,
            listing.participants[row.id],
            listing.source_ids[row.id],
            hits.get(row.id, items.NO_HIT),
        )
        for row in listing.window.items
    ]


# -- pages --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    latest = incidents_service.list_incidents(session, IncidentFilters(limit=8))
    facets = _whole_dataset_facets(request, session)
    chart = _chart(request, session, None, "Incidents per month")
    top = facets.get("actor")
    return _page(
        request,
        "home.html",
        "/incidents",
        latest=_incident_items(latest, None),
        total=latest.window.total,
        total_accuracy=latest.window.total_accuracy.value,
        chart=chart,
        top_actors=top.values[:15] if top else [],
    )


@router.get("/browse")
def browse() -> RedirectResponse:
    return RedirectResponse("/browse/incidents", status_code=308)


@router.get("/browse/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()
    if set(request.query_params) - {"q"}:
        _filters(request, IncidentFilters, {"q"}, set())  # names the unknown parameter
    results: dict[str, Any] = {}
    if q:
        found = incidents_service.list_incidents(
            session,
            _filters(request, IncidentFilters, {"q"}, set()).model_copy(update={"limit": 10}),
        )
        results["incidents"] = (_incident_items(found, q), found.window)
        statements = statements_service.list_statements(
            session,
            StatementFilters(q=q, limit=10),
        )
        s_hits = items.hits(q, statements.snippets, statements.scores)
        results["statements"] = (
            [items.statement(s, s_hits.get(s.id, items.NO_HIT)) for s in statements.window.items],
            statements.window,
        )
        sources = sources_service.list_sources(session, SourceFilters(q=q, limit=10))
        src_hits = items.hits(q, sources.snippets, sources.scores)
        results["sources"] = (
            [items.source(s, src_hits.get(s.id, items.NO_HIT)) for s in sources.window.items],
            sources.window,
        )
        actors = actors_service.list_actors(session, ActorFilters(q=q, limit=10))
        results["actors"] = ([items.actor(a) for a in actors.items], actors)
    return _page(request, "search.html", links.url("/incidents", [("q", q)]), q=q, results=results)


@router.get("/browse/incidents", response_class=HTMLResponse)
def list_incidents(request: Request, session: SessionDep) -> HTMLResponse:
    f: IncidentFilters = _filters(request, IncidentFilters, INCIDENT_PARAMS, MULTI)
    params = [(k, v.strip()) for k, v in request.query_params.multi_items() if v.strip()]
    listing = incidents_service.list_incidents(session, f)
    window = listing.window
    filtered = bool(f.actor or f.type or f.country or f.date_from or f.date_to or f.q)
    facets: dict[str, Any] | None
    if not filtered:
        facets = _whole_dataset_facets(request, session)
    elif window.total_accuracy.value == "exact":
        counted = f.model_copy(update={"facet": FACETS, "cursor": None})
        # Kept per filter set: the next pages of the same list show the same counts.
        facets = _cache(request).get(
            data_version(session),
            ("facets", counted.model_dump_json()),
            lambda: incidents_service.count_facets(session, counted, FACET_BUDGET_MS),
            keep=lambda found: not any(f.truncated for f in found.values()),
        )
    else:
        facets = None
    query = links.without(params, "cursor")
    return _page(
        request,
        "incidents.html",
        links.url("/incidents", params),
        f=f,
        params=params,
        incidents=_incident_items(listing, f.q),
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


Key = Annotated[str, PathParam(max_length=200)]


@router.get("/browse/incidents/{key}", response_class=HTMLResponse)
def incident(request: Request, session: SessionDep, key: Key) -> HTMLResponse:
    found, statements = incidents_service.get_incident(session, key)
    detail = items.incident_detail(found, statements)
    return _page(
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
    detail = items.source_detail(sources_service.get_source(session, key))
    return _page(
        request,
        "source.html",
        f"/sources/{detail.slug}",
        source=detail,
        body=_source_text(detail.text, detail.statements),
        evidence={s.id: _evidence(s)[0] for s in detail.statements},
    )


def _affiliation_chain(session: SessionDep, actor: Actor) -> list[Actor]:
    chain: list[Actor] = []
    seen = {actor.id}
    current = actor
    while current.affiliation is not None and current.affiliation.id not in seen:
        current = actors_service.get_actor(session, current.affiliation.slug)
        seen.add(current.id)
        chain.append(current)
    return chain


@router.get("/browse/actors/{key}", response_class=HTMLResponse)
def actor(request: Request, session: SessionDep, key: Key) -> HTMLResponse:
    found = actors_service.get_actor(session, key)
    detail = items.actor_detail(found)
    cursors = {name: request.query_params.get(name) or None for name in ("incidents", "statements")}
    if set(request.query_params) - set(cursors):
        _filters(request, IncidentFilters, set(cursors), set())  # names the unknown parameter
    # count=none: counting an actor's matches cost more than the rest of the page at 1M
    # (a sampled estimate, then an exact count for rarer actors); the timeline, counted once
    # per data version, already knows how many incidents there are.
    f_incidents = _filters_for(
        IncidentFilters, actor=[detail.slug], limit=10, cursor=cursors["incidents"], count="none"
    )
    took_part = incidents_service.list_incidents(session, f_incidents)
    f_statements = _filters_for(
        StatementFilters,
        speaker=[detail.slug],
        limit=10,
        cursor=cursors["statements"],
        count="none",
    )
    said = statements_service.list_statements(session, f_statements)
    chart = _chart(request, session, detail.slug, f"Incidents per month with {detail.name}")

    def more(name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        kept = [(k, v) for k, v in cursors.items() if k != name and v]
        return links.url(f"/browse/actors/{detail.slug}", [*kept, (name, cursor)]) + f"#{name}"

    return _page(
        request,
        "actor.html",
        f"/actors/{detail.slug}",
        actor=detail,
        chain=[items.actor(a) for a in _affiliation_chain(session, found)],
        incidents=_incident_items(took_part, None),
        incidents_total=sum(n for _, n in _months(request, session, detail.slug)),
        statements=[items.statement(s) for s in said.window.items],
        statements_window=said.window,
        chart=chart,
        more_incidents=more("incidents", took_part.window.next_cursor),
        more_statements=more("statements", said.window.next_cursor),
        json_incidents=links.url("/incidents", [("actor", detail.slug)]),
        json_statements=links.url("/statements", [("speaker", detail.slug)]),
    )


def _filters_for(model: type[BaseModel], **values: Any) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None


def _chart(request: Request, session: SessionDep, actor_slug: str | None, label: str) -> Markup:
    """The monthly timeline as SVG markup, drawn once per data version (hundreds of bars)."""

    def draw() -> Markup:
        chart = timeline.monthly(_months(request, session, actor_slug))
        if chart is None:
            return Markup("")
        return Markup(CHART.render(chart=chart, label=label))

    return _cache(request).get(data_version(session), ("chart", actor_slug, label), draw)


def _months(request: Request, session: SessionDep, actor_slug: str | None) -> list[tuple[str, int]]:
    """Incidents per month, of everyone or of one actor, counted once per data version."""
    f = IncidentFilters(actor=[actor_slug] if actor_slug else [])
    return _cache(request).get(
        data_version(session),
        ("months", actor_slug),
        lambda: incidents_service.count_by_month(session, f),
    )


@router.get("/browse/statements/{statement_id}", response_class=HTMLResponse)
def statement(
    request: Request,
    session: SessionDep,
    statement_id: Annotated[int, PathParam(ge=1, le=2**62)],
) -> HTMLResponse:
    found = statements_service.get_statement(session, statement_id)
    text, content_hash = statements_service.source_text(session, found)
    item = items.statement(found)
    sentence = provenance.sentence_around(text, found.start, found.end)
    attribution, evidence = _evidence(item)
    in_sentence = [
        highlight.Span(
            found.start - sentence.start,
            found.end - sentence.start,
            Markup('<mark class="quote" data-statement-id="{0}">').format(found.id),
            Markup("</mark>"),
        ),
        *(
            highlight.Span(
                start - sentence.start,
                end - sentence.start,
                Markup('<mark class="evidence">'),
                Markup("</mark>"),
                depth=1,
            )
            for start, end, _ in evidence
        ),
    ]
    source_view = sources_service.get_source(session, str(found.source_id))
    incident_item = None
    if found.incident_id is not None:
        incident_found, _ = incidents_service.get_incident(session, str(found.incident_id))
        incident_item = incident_found
    return _page(
        request,
        "statement.html",
        f"/statements/{found.id}",
        statement=item,
        sentence=highlight.render(sentence.text, in_sentence),
        source=items.source(source_view.source),
        incident=incident_item,
        attribution=attribution,
        evidence=evidence,
        verified=text[found.start : found.end] == found.text,
        text_sha256=provenance.sha256(found.text),
        source_sha256=content_hash,
    )
