from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, true
from sqlalchemy.orm import Session

from app.actors import service as actors_service
from app.actors.models import Actor
from app.db.base import AnyRow
from app.errors import InvalidParameter, NotFound
from app.incidents.repository import IncidentRepository
from app.kit import facets as facet_counts
from app.kit import search
from app.kit.counting import CountLimits
from app.kit.facets import Facet
from app.kit.pagination import SortKey, Window, stream
from app.settings import Settings
from app.sources.models import Source
from app.sources.repository import SourceRepository
from app.statements import columns as statement_columns
from app.statements.models import Statement
from app.statements.repository import StatementRepository
from app.statements.schemas import StatementFilters

SORT_KEY = SortKey(Statement.said_on, descending=True, nullable=True)


@dataclass(frozen=True)
class StatementListing:
    window: Window[Statement]
    snippets: dict[int, str] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)
    facets: dict[str, Facet] | None = None


def filtered_query(session: Session, f: StatementFilters, *, rows: bool = False) -> Select[Any]:
    """The filters as one statement; unknown names raise here, before any output is sent.
    `rows`: plain rows (StatementRepository.LIST_COLUMNS) rather than ORM objects."""
    speaker_ids = _speakers(session, f) if f.speaker else None
    source_ids = None
    if f.source is not None:
        source_ids = SourceRepository(session).ids_by_id_or_slug(f.source)
        if not source_ids:
            raise InvalidParameter("source", f"no source with id or slug {f.source!r}")
    incident_ids = None
    if f.incident is not None:
        incident_ids = IncidentRepository(session).ids_by_id_or_slug(f.incident)
        if not incident_ids:
            raise InvalidParameter("incident", f"no incident with id or slug {f.incident!r}")
    return StatementRepository(session).filtered(
        f, speaker_ids, source_ids, incident_ids, rows=rows
    )


def _window_from_columns(
    session: Session, stmt: Select[Any], f: StatementFilters
) -> Select[Any] | None:
    """SQLite, a date window without a search: the ids of `stmt`'s rows, counted and sampled
    from the statement columns (`statement_columns.other_filters`) where they can tell them
    apart, else None. Every window asked was sampled anew, a row read in SQL per probe:
    7-54 ms of `/statements?date_from=2002-11-26&date_to=2003-11-27` at 1M, most of it."""
    if f.q or (f.date_from is None and f.date_to is None):
        return None
    speakers = _speakers(session, f) if f.speaker else None
    return statement_columns.other_filters(session, stmt, f, speakers)


def _speakers(session: Session, f: StatementFilters) -> frozenset[int]:
    """The speakers `f.speaker` names: the contract says a state matches its officials'
    statements, so "Iran" has to resolve to Iran plus everyone affiliated with it (each name
    resolved once per data version)."""
    return frozenset().union(
        *(actors_service.resolve_with_members(session, s, "speaker") for s in f.speaker)
    )


def list_statements(
    session: Session, f: StatementFilters, settings: Settings, *, rows: bool = False
) -> StatementListing:
    """A page of statements; `rows`: its items plain rows (see `speakers_of`), not ORM objects."""
    stmt = filtered_query(session, f, rows=rows)
    if f.q:
        # A search's facets are counted with the statements' columns (`_facets`): their read
        # (~0.2 s at 1M, once per data version) starts with the first search, not waited for.
        # On PostgreSQL its exact total too, once they are read.
        statement_columns.ready(session, wait=0)
        speakers = _speakers(session, f) if f.speaker else None
        stmt = statement_columns.counted(session, stmt, f, speakers)

    def without_search() -> search.Unsearched[Any]:
        """A search's other filters; on SQLite told apart by id from the columns where they
        can be (the search's total tests its word's matches against them)."""
        unsearched = f.model_copy(update={"q": None})
        others = filtered_query(session, unsearched, rows=rows)
        speakers = _speakers(session, f) if f.speaker else None
        ids = statement_columns.other_filters(session, others, unsearched, speakers)
        return search.Unsearched(others, ids)

    ranked = search.paginate_listing(
        session,
        stmt,
        Statement,
        f,
        scope="statements",
        key=SORT_KEY.filtering_nulls(f.date_from is not None or f.date_to is not None),
        limits=CountLimits.of(settings),
        without_search=without_search,
        every_match=_window_from_columns(session, stmt, f),
    )
    window, scores = ranked.window, ranked.scores
    snippets = search.snippets(session, Statement, f.q, [s.id for s in window.items]) if f.q else {}
    facets = None
    if f.facet:
        facets = facet_counts.of_nothing(f.facet, window.total, window.total_accuracy)
        facets = facets or _facets(session, stmt, f, settings.facet_budget_ms)
    return StatementListing(window, snippets, scores, facets)


def speakers_of(session: Session, rows: Sequence[Any]) -> dict[int, dict[str, Any]]:
    """The speakers of a page of plain rows (`list_statements(rows=True)`) as ActorRef items,
    by id."""
    ids = {row.speaker_id for row in rows if row.speaker_id is not None}
    return StatementRepository(session).speakers_of(ids)


def iter_statements(session: Session, stmt: Select[Statement]) -> Iterator[Statement]:
    """Every statement `stmt` selects, newest first, a batch at a time."""
    return stream(session, stmt, key=SORT_KEY, id_column=Statement.id)


def _facets(
    session: Session, stmt: Select[Statement], f: StatementFilters, budget_ms: int
) -> dict[str, Facet]:
    if statement_columns.handles(session, f):
        # A search's matches are listed (and kept) for its page, a window's are every
        # statement in it: counted in memory once the columns are read.
        kept = statement_columns.ready(session)
        counted = None if kept is None else statement_columns.search_facets(session, f, kept)
        if counted is not None:
            return counted
    ids = stmt.with_only_columns(Statement.id, maintain_column_froms=True).order_by(None)
    # Without filters every statement matches: no subquery that selects them all, and the
    # counts are kept until the data changes (facet_counts.compute).
    filtered = stmt.whereclause is not None
    matching: ColumnElement[bool] = Statement.id.in_(ids) if filtered else true()
    # Years and months of filters over the statement table alone (each statement once) are
    # grouped in place: `id IN (the filters)` read each match's row twice, once to filter
    # it and once by id to group it (`speaker=China` over a decade: 0.29 s of CPU cold on
    # SQLite at 1M, profiled). Not the speaker and source facets: their joins would take
    # the filters' own correlated tables (a source's duplicate) as theirs.
    froms = stmt.get_final_froms()
    in_place = filtered and len(froms) == 1 and froms[0] is Statement.__table__
    by_period: ColumnElement[bool] = stmt.whereclause if in_place else matching  # type: ignore[assignment]
    n = func.count()
    specs: dict[str, facet_counts.FacetSpec] = {}
    for name in f.facet:
        split = None
        if name == "speaker":
            query = (
                select(Actor.slug, Actor.name, n)
                .join(Statement, Statement.speaker_id == Actor.id)
                .where(matching)
                .group_by(Actor.id, Actor.slug, Actor.name)
                .order_by(n.desc(), Actor.name)
            )
        elif name == "source":
            query = (
                select(Source.slug, func.coalesce(Source.title, Source.slug), n)
                .join(Statement, Statement.source_id == Source.id)
                .where(matching)
                .group_by(Source.id, Source.slug, Source.title)
                .order_by(n.desc(), Source.slug)
            )
        elif _by_day_on(session, f, in_place):
            query = _by_day(name, by_period)
        else:
            bucket = facet_counts.period(session, Statement.said_on, name)
            query = select(bucket, bucket, n).where(by_period).group_by(bucket).order_by(bucket)
            if name == "month" and not f.q:
                # A window from date_from: no statement of it is said earlier, nor later
                # than date_to. Not under a search: its matches are found whole for each
                # part.
                split = facet_counts.first_months(
                    session, query, Statement.said_on, f.date_from, f.date_to
                )
        specs[name] = facet_counts.FacetSpec(query, split=split)
    return facet_counts.compute(session, specs, budget_ms, whole_dataset=not filtered)


def _by_day_on(session: Session, f: StatementFilters, in_place: bool) -> bool:
    """Whether years and months are counted per day first (`_by_day`): SQLite, the filters
    over the statement table alone, none of which lists its rows in another order than the
    dates' (a speaker's: its index is read speaker by speaker)."""
    return in_place and not f.speaker and session.get_bind().dialect.name == "sqlite"


def _by_day(name: str, where: ColumnElement[bool]) -> Select[Any]:
    """SQLite: years or months of the statements `where` selects, counted per day first. The
    days come in the order of the (said_on, id, source_id) index, so each is counted as the
    scan passes it; grouped by year or month at once, every statement went through a
    temporary B-tree (`date_from=1988-06-02&facet=year`, 550,000 statements: 202 -> 62 ms in
    the shell at 1M)."""
    per_day = (
        select(Statement.said_on.label("day"), func.count().label("n"))
        .where(where)
        .group_by(Statement.said_on)
        .subquery("per_day")
    )
    prefix: ColumnElement[int] = literal_column("4" if name == "year" else "7")
    bucket = func.substr(per_day.c.day, literal_column("1"), prefix)
    return select(bucket, bucket, func.sum(per_day.c.n)).group_by(bucket).order_by(bucket)


def get_statement(session: Session, statement_id: int) -> Statement:
    statement = StatementRepository(session).by_id(statement_id)
    if statement is None:
        raise NotFound("statement", statement_id)
    return statement


def source_text(session: Session, statement: Statement) -> tuple[str, str]:
    """The text and content hash of the source a statement quotes."""
    return SourceRepository(session).text_and_hash(statement.source_id)


def for_incident(session: Session, incident_id: int) -> list[AnyRow]:
    """An incident's statements as plain rows (see StatementRepository.rows_for_incident)."""
    return StatementRepository(session).rows_for_incident(incident_id)


def for_source(session: Session, source_id: int) -> list[AnyRow]:
    """A source's statements as plain rows (see StatementRepository.rows_for_incident)."""
    return StatementRepository(session).rows_for_source(source_id)
