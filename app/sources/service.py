from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.orm import Session

from app.actors import service as actors_service
from app.actors.repository import actor_ref_items
from app.db.base import json_list
from app.errors import NotFound
from app.incidents import evidence as incident_evidence
from app.kit import search
from app.kit.counting import CountLimits
from app.kit.pagination import SortKey, Window, stream
from app.settings import Settings
from app.sources.models import Source
from app.sources.repository import SourceRepository, prepare_dates
from app.sources.schemas import SourceFilters, SourceView, Verification
from app.statements import provenance
from app.statements import service as statements_service

SORT_KEY = SortKey(Source.published_on, descending=True, nullable=True)


@dataclass(frozen=True)
class SourceListing:
    window: Window[Any]  # plain rows (SourceRepository.LIST_COLUMNS)
    snippets: dict[int, str] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)


def filtered_query(session: Session, f: SourceFilters) -> Select[Source]:
    """The filters as one statement; unknown actors raise here, before any output is sent."""
    actor_sets = [actors_service.resolve_with_members(session, a, "actor") for a in f.actor]
    return SourceRepository(session).filtered(f, actor_sets)


# Up to how many sources a date window holds for its sources' mentions to be probed when
# counting, rather than every source of each named actor read by id (a large state is named
# in tens of thousands; a year holds about 7,500 sources at 1M incidents).
_SMALL_WINDOW = 20_000


def prepare(engine: Engine) -> None:
    """SQLite: every source's date read in the background as the service starts
    (`SourceRepository.published_days`)."""
    prepare_dates(engine)


def list_sources(session: Session, f: SourceFilters, settings: Settings) -> SourceListing:
    actor_sets = [actors_service.resolve_with_members(session, a, "actor") for a in f.actor]
    repo = SourceRepository(session)
    window_first = bool(actor_sets) and repo.probes_window(f, actor_sets, _SMALL_WINDOW)
    unsearched = f.model_copy(update={"q": None})
    ranked = search.paginate_listing(
        session,
        repo.filtered(f, actor_sets, rows=True),
        Source,
        f,
        scope="sources",
        key=SORT_KEY.filtering_nulls(f.date_from is not None or f.date_to is not None),
        limits=CountLimits.of(settings),
        count_stmt=repo.counted(f, actor_sets, window_first=window_first),
        without_search=lambda: search.Unsearched(
            repo.filtered(unsearched, actor_sets, rows=True),
            repo.counted(unsearched, actor_sets, window_first=window_first),
        ),
    )
    window, scores = ranked.window, ranked.scores
    snippets = search.snippets(session, Source, f.q, [s.id for s in window.items]) if f.q else {}
    return SourceListing(window, snippets, scores)


def iter_sources(session: Session, stmt: Select[Source]) -> Iterator[Source]:
    """Every source `stmt` selects, newest first, a batch at a time."""
    return stream(session, stmt, key=SORT_KEY, id_column=Source.id)


def get_source(session: Session, key: str) -> SourceView:
    """A source by id or slug, with everything its detail shows, as plain rows and items:
    through the ORM (the source, each statement and speaker, each mentioned actor an object)
    a detail cost ~1.5 ms of CPU above its SQL (profiled at 1M)."""
    repo = SourceRepository(session)
    source = repo.detail_row(key)
    if source is None:
        raise NotFound("source", key)
    spans: dict[int, list[tuple[int, int]]] = {}
    for actor_id, start, end in json_list(source.mentions_json):
        spans.setdefault(actor_id, []).append((start, end))
    actors = actor_ref_items(session, spans)
    by_frequency = sorted(spans.items(), key=lambda m: (-len(m[1]), actors[m[0]]["name"]))
    mentions = [
        {"actor": actors[actor_id], "count": len(found), "spans": found}
        for actor_id, found in by_frequency
    ]
    statements = statements_service.for_source(session, source.id) if source.has_statements else []
    return SourceView(source, statements, mentions)


def verify(session: Session, source: Source) -> Verification:
    repo = SourceRepository(session)
    quotes = repo.quotes(source.id)
    attribution_evidence = repo.attribution_evidence(source.id)
    # Curated incidents quote sources too: their offsets must hold as the statements' do.
    evidence = incident_evidence.in_source(session, source.id)
    return Verification(
        source,
        provenance.sha256(source.text) == source.content_hash,
        len(quotes),
        provenance.drifted(source.text, quotes)
        + provenance.drifted_evidence(source.text, attribution_evidence),
        sum(len(spans) for _, spans in attribution_evidence),
        len(evidence),
        incident_evidence.drifted(source.text, evidence),
    )


def verify_source(session: Session, key: str) -> Verification:
    source = SourceRepository(session).by_id_or_slug(key)
    if source is None:
        raise NotFound("source", key)
    return verify(session, source)


def verify_all(session: Session) -> Iterator[Verification]:
    """Every source's verification, in id order (for `incidentdb verify`)."""
    for source in SourceRepository(session).all_in_order():
        yield verify(session, source)
        session.expunge(source)
