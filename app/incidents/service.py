from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select, true
from sqlalchemy.orm import Session

from app.actors import service as actors_service
from app.actors.models import Actor
from app.db.base import AnyRow, AnySelect
from app.db.versions import data_version
from app.errors import NotFound
from app.incidents import columns as incident_columns
from app.incidents.models import Incident, IncidentParticipant
from app.incidents.repository import IncidentRepository, PageStart
from app.incidents.schemas import IncidentFilters, IncidentView
from app.kit import counting, pagination, search
from app.kit import facets as facet_counts
from app.kit.counting import CountLimits
from app.kit.facets import Facet, FacetValue
from app.kit.pagination import SortKey, Window, cursor_position, stream_batches
from app.settings import Settings
from app.statements import service as statements_service


@dataclass(frozen=True)
class IncidentListing:
    window: Window[AnyRow]  # plain rows of LIST_COLUMNS
    # Each incident's participants as list items (see `schemas.incident_items`).
    participants: dict[int, list[dict[str, Any]]]
    source_ids: dict[int, list[int]]
    snippets: dict[int, str] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)
    facets: dict[str, Facet] | None = None


class _ColumnMatches:
    """The incidents the filters match, from the incident columns
    (`app/incidents/columns.py`): worked out once, for the list's total, the ids its page
    is cut from, and its facets. With a search, its matches are listed in memory (SQLite)
    and placed among the columns."""

    def __init__(
        self,
        columns: incident_columns.IncidentColumns,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        searched: Callable[[], Any] | None,
    ) -> None:
        self.columns = columns
        self._f = f
        self._actor_sets = actor_sets
        self._searched = searched
        self._mask: Any = None

    @classmethod
    def of(
        cls, session: Session, f: IncidentFilters, actor_sets: list[set[int]], *, enabled: bool
    ) -> "_ColumnMatches | None":
        """None when the columns are off or not read yet, and on PostgreSQL with a search
        whose matches its term's postings do not list (its GIN index lists them only by
        reading each match's row: 0.4 s for 25,000 at 1M), or that neither filters nor
        facets (a search alone counts its own matches)."""
        if not enabled:
            return None
        columns = incident_columns.ready(session)
        if columns is None:
            return None
        q = f.q
        if not q:
            return cls(columns, f, actor_sets, None)
        if session.get_bind().dialect.name == "sqlite":
            return cls(columns, f, actor_sets, lambda: _listed_matches(session, q))
        matches = cls(columns, f, actor_sets, None)
        if not (matches.filtered or f.facet):
            return None
        listed = search.listed_matches(session, Incident, q)
        if listed is None:
            return None
        return cls(columns, f, actor_sets, lambda: listed)

    @property
    def mask(self) -> Any:
        """Which incidents match: read-only, kept by the columns for the same filters."""
        if self._mask is None:
            f, searched = self._f, self._searched
            key = (
                tuple(sorted(f.type)),
                f.country,
                f.date_from,
                f.date_to,
                tuple(frozenset(ids) for ids in self._actor_sets),
                None if searched is None else f.q,
            )

            def matching() -> Any:
                mask = self.columns.matching(
                    types=f.type,
                    country=f.country,
                    date_from=f.date_from,
                    date_to=f.date_to,
                    actor_sets=self._actor_sets,
                )
                if searched is not None:
                    mask &= self.columns.among(("q", f.q), searched)
                return mask

            self._mask = self.columns.kept_filters(key, matching)
        return self._mask

    @property
    def filtered(self) -> bool:
        f = self._f
        return bool(self._actor_sets or f.type or f.country or f.date_from or f.date_to)

    def counting(self, counted: AnySelect) -> AnySelect:
        """`counted` (the list's count-shaped statement), its exact total and the ids a page
        is cut from listed from the columns: the same ids as the statement's
        (`bench.same_answers`), where an exact pass over a large state's incidents read each
        one's entries (`actor=Iran&count=exact`: ~0.1 s at 1M). And where an actor and
        other filters are walked in date order, the page's ids found among them: a sparse
        combination's page probed every row it passed (`actor=Brazil&actor=Israel` since
        2010: 30 -> 5 ms of CPU at 1M). Not for the lists an index walks (no actor, or one
        alone): marking a million incidents costs more than their walk (the list's first
        page: 1.4 -> 18 ms).

        With a search, every page is found among the matches in date order, and its exact
        total is counted from them: SQL listed the filters' rows and ordered the page's
        candidates by date (`date_from=1991-04-17&q=border&country=IRN&sort=date`: 26 + 30
        ms of 87 at 1M), or counted a window's matches (`date_from=1990-03-29&q=corridor&
        count=exact`: ~0.3 s). Whether a total is exact or estimated is decided as before,
        from the statement."""
        f, actor_sets = self._f, self._actor_sets
        if not self.filtered:
            # Every incident: SQLite counts the table, PostgreSQL estimates; and a statement
            # made anew for each request was keyed anew by its SQL (the list's first page:
            # 1.2 -> 2.1 ms of CPU in process at 1M). A search alone counts its matches,
            # and keeps them in date order for its pages.
            return counted
        if f.q:
            counted = counting.counted_by(counted, lambda _: self.columns.count_of(self.mask))
            counted = counting.listed_by(counted, self.listed, self.size)
            return pagination.paged_by(counted, self.first)
        counted = counting.listed_by(counted, self.listed, self.size)
        # A sample for the estimate is taken in memory too (a thousand rows read by id were
        # 320-350 ms of `date_from=1999-11-29&date_to=1999-12-30` read from disk at 1M).
        counted = counting.tested_by(counted, self.tested)
        counted = pagination.listed_paged_by(counted, self.first)
        if len(actor_sets) > 1 or (
            actor_sets and (f.type or f.country or f.date_from or f.date_to)
        ):
            counted = pagination.paged_by(counted, self.first)
        return counted

    def listed(self, _session: Session) -> list[int]:
        return self.columns.listed(self.mask)

    def size(self) -> int:
        """How many match (`counting.listed_by`)."""
        return self.columns.count_of(self.mask)

    def tested(self, _session: Session, ids: Any) -> Any:
        """Which of `ids` match (`counting.tested_by`)."""
        return self.columns.holding(self.mask, ids)

    def first(
        self, descending: bool, after: tuple[Any, int] | None, wanted: int
    ) -> list[int] | None:
        """A page's ids in date order (`pagination.paged_by`)."""
        return self.columns.first_in_date_order(
            self.mask, descending=descending, after=after, wanted=wanted, starts_by=self._f.date_to
        )

    def walk(
        self, descending: bool, after: tuple[Any, int] | None, wanted: int
    ) -> list[tuple[int, date]] | None:
        """The next matches in date order, each with its date (`pagination.walked_by`)."""
        return self.columns.first_with_dates(
            self.mask, descending=descending, after=after, wanted=wanted, starts_by=self._f.date_to
        )


def _listed_matches(session: Session, q: str) -> Any:
    listed = search.listed_matches(session, Incident, q)
    assert listed is not None, "SQLite lists every search's matches"
    return listed


def _other_filters(
    session: Session, f: IncidentFilters, actor_sets: list[set[int]], *, enabled: bool
) -> "_ColumnMatches | None":
    """The matches of a search's other filters in the incident columns, when they are read
    and the other filters filter (without any, a search counts and walks its own matches)."""
    if not (enabled and f.q):
        return None
    columns = incident_columns.ready(session)
    if columns is None:
        return None
    others = _ColumnMatches(columns, f.model_copy(update={"q": None}), actor_sets, None)
    return others if others.filtered else None


def _listed_from(session: Session, ids: AnySelect, others: _ColumnMatches | None) -> AnySelect:
    """`ids` (a search's other filters'), listed and walked in date order from the columns'
    `others`: a search tests their rows against its matches. Listed: 68 ms off the indexes
    for `actor=China&actor=Russia&type=agreement` at 1M on SQLite, 26 ms for `date_from=
    1991-04-17&country=IRN`; on PostgreSQL a relevance page tested the start of a word's
    ranking against the filters in SQL, batch by batch. Walked in date order: PostgreSQL
    walked China's participations since 1990 in date order for `q=embassy&sort=-date`, 144
    ms."""
    if others is None:
        return ids
    ids = counting.listed_by(ids, others.listed, others.size)
    ids = counting.tested_by(ids, others.tested)
    return pagination.walked_by(ids, others.walk)


def _sort_key(f: IncidentFilters) -> SortKey:
    return SortKey(Incident.date_start, descending=f.effective_sort != "date")


# (database, data version) -> the longest incident in days, read once per ingest.
_longest_spans: dict[tuple[str, int], int | None] = {}


def _start_floor(session: Session, f: IncidentFilters) -> date | None:
    """The earliest date_start an incident overlapping `date_from` can have.

    An incident overlaps the window when it ends on or after date_from; none lasts longer than
    the longest one, so none that overlaps starts earlier than date_from minus that span.
    """
    if f.date_from is None:
        return None
    version = data_version(session)
    key = (str(session.get_bind().engine.url), version if version is not None else -1)
    if version is None or key not in _longest_spans:
        # A pass over the table (seconds at a million incidents), once per data version.
        _longest_spans[key] = IncidentRepository(session).longest_span_days()
    span = _longest_spans[key]
    if span is None:
        return None
    try:
        return f.date_from - timedelta(days=span)
    except OverflowError:
        return None


def _page_start(f: IncidentFilters) -> PageStart | None:
    """The page `f` asks for, in date order; None for a page by relevance."""
    if f.effective_sort == "relevance":
        return None
    key = _sort_key(f)
    after = None
    if f.cursor:
        after = cursor_position(key, f.cursor, f"incidents:{f.effective_sort}")
    return PageStart(key, after, f.limit + 1)  # paginate reads one more: is there a next page


# Up to how many incidents a date window holds for it to be walked rather than each actor's
# incidents. Each costs about the same to visit (a probe of the incident's participants, or a
# read of the incident's dates): a large state takes part in 430,000 (0.5 s to count in a
# two-day window), a year holds 25,000 (profiled at 1M).
_SMALL_WINDOW = 100_000


def _small_window(
    session: Session,
    f: IncidentFilters,
    floor: date | None,
    actor_sets: list[set[int]],
    settings: Settings,
) -> bool:
    """Whether the filters name actors or search, and their date window holds fewer than
    _SMALL_WINDOW incidents (counted from `floor` to date_to: see `window_has_fewer_than`).
    From the incident columns when they are read: PostgreSQL counted up to 100,000 index
    entries for it (27-35 ms of every such list with a window of decades at 1M)."""
    if not (actor_sets or f.q) or (floor is None and f.date_to is None):
        return False
    columns = incident_columns.ready(session) if settings.incident_columns else None
    if columns is not None:
        return columns.starting_between(floor, f.date_to) < _SMALL_WINDOW
    return IncidentRepository(session).window_has_fewer_than(f, floor, _SMALL_WINDOW)


def list_incidents(session: Session, f: IncidentFilters, settings: Settings) -> IncidentListing:
    repo = IncidentRepository(session)
    actor_sets = [actors_service.resolve_with_members(session, name, "actor") for name in f.actor]
    floor = _start_floor(session, f)
    # A window of fewer incidents than the walks the other filters imply is walked instead.
    small_window = _small_window(session, f, floor, actor_sets, settings)
    search_window = bool(f.q) and small_window
    # One actor alone: the page's statement selects only the rows it needs (see PageStart),
    # so totals are estimated over every match, and the page is never cut from a list of ids.
    page = _page_start(f) if repo.reads_first_rows(f, actor_sets) else None
    stmt = repo.filtered_rows(f, actor_sets, floor, window_first=search_window, page=page)
    every_match = repo.filtered_rows(f, actor_sets, floor, window_first=search_window)

    def counted_shape(f: IncidentFilters) -> AnySelect:
        if (
            actor_sets
            and small_window
            and not repo.reads_participations_in_window(f, floor)
            and not any(map(repo.takes_part_rarely, actor_sets))
        ):
            # Counting walks each actor's incidents (hundreds of thousands for a large state)
            # and then tests the window: 1 s for `actor=Russia&date_from=2030-01-01`, which
            # matches nothing. When the window itself holds few incidents, walk it instead
            # and probe their participants: the page's shape.
            return repo.filtered_rows(
                f, actor_sets, floor, window_first=search_window
            ).with_only_columns(Incident.id)
        return repo.counted(f, actor_sets, floor, window_first=search_window)

    def unsearched_ids(f: IncidentFilters) -> AnySelect:
        actors_only = repo.ids_of_actors_only(f, actor_sets)
        if actors_only is None:
            actors_only = repo.ids_taking_part(f, actor_sets, floor)
        sqlite = session.get_bind().dialect.name == "sqlite"
        if actors_only is not None and len(actor_sets) > 1 and sqlite:
            # Several actors' common incidents, listed off the participant index and
            # intersected in memory (as `counted` does): SQLite's INTERSECT put each actor's
            # ids in a temporary B-tree first (`actor=Azerbaijan&actor=China&q=sanctions`:
            # 0.42 s of a 1.2 s request at 1M, profiled).
            return counting.listed_by(
                actors_only, lambda _: repo.listed_taking_part(f, actor_sets, floor)
            )
        if actors_only is not None:
            return actors_only
        shape = counted_shape(f)
        if actor_sets and f.type and not (f.country or f.q) and sqlite:
            # A search's total lists these ids (`search._listed_ids`): listed off the
            # indexes and intersected in memory (`listed_of_types`).
            shape = counting.listed_by(shape, lambda _: repo.listed_of_types(f, actor_sets, floor))
        return shape

    counted = counted_shape(f)
    matches = _ColumnMatches.of(session, f, actor_sets, enabled=settings.incident_columns)
    if matches is not None:
        counted = matches.counting(counted)
    unsearched = f.model_copy(update={"q": None})
    others = _other_filters(session, f, actor_sets, enabled=settings.incident_columns)

    ranked = search.paginate_listing(
        session,
        stmt,
        Incident,
        f,
        scope="incidents",
        key=_sort_key(f),
        limits=CountLimits.of(settings),
        count_stmt=counted,
        without_search=lambda: search.Unsearched(
            repo.filtered_rows(unsearched, actor_sets, floor),
            _listed_from(session, unsearched_ids(unsearched), others),
        ),
        every_match=every_match,
        cut_from_ids=page is None,
    )
    window = ranked.window
    ids = [row.id for row in window.items]
    snippets = search.snippets(session, Incident, f.q, ids) if f.q else {}
    facets = None
    if f.facet:
        facets = facet_counts.of_nothing(f.facet, window.total, window.total_accuracy)
        facets = facets or _facets(
            session,
            f,
            floor,
            counted,
            settings.facet_budget_ms,
            actor_sets=actor_sets,
            matches=matches,
        )
    participants, source_ids = repo.participant_items_and_source_ids_of(ids) if ids else ({}, {})
    return IncidentListing(
        window,
        participants,
        source_ids,
        snippets,
        ranked.scores,
        facets,
    )


@dataclass(frozen=True)
class IncidentBatch:
    rows: list[AnyRow]  # plain rows of LIST_COLUMNS
    participants: dict[int, list[AnyRow]]
    source_ids: dict[int, list[int]]
    sources: dict[int, list[AnyRow]]  # (slug, url) for event-data exports


def export_query(session: Session, f: IncidentFilters) -> AnySelect:
    """The filters as plain rows; unknown actors raise here, before any output is sent."""
    actor_sets = [actors_service.resolve_with_members(session, name, "actor") for name in f.actor]
    return IncidentRepository(session).filtered_rows(f, actor_sets, _start_floor(session, f))


def iter_incident_batches(
    session: Session, stmt: AnySelect, f: IncidentFilters, *, with_sources: bool = False
) -> Iterator[IncidentBatch]:
    """Every incident `stmt` selects, in the list's date order, a thousand at a time."""
    repo = IncidentRepository(session)
    for rows in stream_batches(session, stmt, key=_sort_key(f), id_column=Incident.id):
        ids = [row.id for row in rows]
        yield IncidentBatch(
            rows,
            repo.participants_of(ids),
            repo.source_ids_of(ids),
            repo.sources_of(ids) if with_sources else {},
        )


# The facets a window (and types, or a country) can take from the months kept (migration 0018).
_KEPT_FACETS = ("year", "month", "type", "country")


def _first_whole_month(day: date) -> date | None:
    """The first day of the first month that starts on or after `day`; None past the
    calendar's end."""
    if day.day == 1:
        return day
    if day.month < 12:
        return date(day.year, day.month + 1, 1)
    return date(day.year + 1, 1, 1) if day.year < date.max.year else None


def _whole_months(f: IncidentFilters) -> tuple[date | None, date | None] | None:
    """From the first month wholly inside the window to the first month after it ends
    (open where the window is); None when the window holds no whole month.

    Every incident starting in those months matches the window: it starts on or after
    date_from (so it ends after it) and no later than date_to.
    """
    first = end = None
    if f.date_from is not None:
        first = _first_whole_month(f.date_from)
        if first is None:
            return None
    if f.date_to is not None:
        try:
            after = f.date_to + timedelta(days=1)
        except OverflowError:
            return None
        end = date(after.year, after.month, 1)
    if first is not None and end is not None and first >= end:
        return None
    return first, end


def _kept_facets(
    session: Session, f: IncidentFilters, floor: date | None, names: Sequence[str]
) -> dict[str, Facet]:
    """The year, month, type and country facets among `names`, when the filters are a date
    window and types, or a date window and a country, at most: the months wholly inside the
    window added up from incident_month (types) or incident_month_country (countries)
    (migration 0018, exact after every write: triggers keep them), the rest counted from
    the incidents. Empty when the filters need more, or the window holds no whole month; a
    type facet under a country, or a country facet under types, is grouped as before.

    Grouping every incident of a window from 1991 on by year read a million index entries
    (0.3 s of CPU at 1M, profiled); this reads a few thousand kept rows and the incidents
    of the edges: the partial months and those starting before `date_from` that still
    overlap it (back to `floor`).
    """
    wanted = [
        name
        for name in names
        if name in _KEPT_FACETS
        and not (name == "type" and f.country)
        and not (name == "country" and f.type)
    ]
    whole = _whole_months(f)
    if not wanted or f.actor or f.q or whole is None or (f.type and f.country):
        return {}
    first, end = whole
    repo = IncidentRepository(session)
    counts: dict[str, Counter[str | None]] = {name: Counter() for name in _KEPT_FACETS}
    if any(name in ("year", "month") for name in wanted):
        # From the table of what the filters name: a country's months, or types'.
        for month, n in repo.kept_totals("month", first, end, types=f.type, country=f.country):
            counts["year"][month[:4]] += n
            counts["month"][month] += n
    if "type" in wanted:
        counts["type"].update(dict(repo.kept_totals("type", first, end, types=f.type)))
    if "country" in wanted:
        for country, n in repo.kept_totals("country", first, end, country=f.country):
            counts["country"][country or None] += n
    for month, incident_type, country, n in _edges(repo, f, floor, first, end):
        counts["year"][month[:4]] += n
        counts["month"][month] += n
        counts["type"][incident_type] += n
        counts["country"][country] += n
    nulls_first = session.get_bind().dialect.name == "sqlite"
    return {name: _counted_facet(name, counts[name], nulls_first=nulls_first) for name in wanted}


def _edges(
    repo: IncidentRepository,
    f: IncidentFilters,
    floor: date | None,
    first: date | None,
    end: date | None,
) -> list[AnyRow]:
    """(month, type, country, incidents) of the window's incidents outside its whole months
    `first` to `end`: those starting before `first` that overlap it (back to `floor`), and
    those starting from `end` to date_to. Counted from the incidents."""
    narrowed: list[ColumnElement[bool]] = [Incident.type.in_(f.type)] if f.type else []
    if f.country:
        narrowed.append(Incident.location_country == f.country)
    edges = []
    if f.date_from is not None and first is not None:
        before = [Incident.date_start < first, Incident.date_end >= f.date_from, *narrowed]
        if floor is not None:
            before.append(Incident.date_start >= floor)
        edges += repo.months_counted(*before)
    if f.date_to is not None and end is not None:
        edges += repo.months_counted(
            Incident.date_start >= end, Incident.date_start <= f.date_to, *narrowed
        )
    return edges


def _counted_facet(name: str, counts: Counter[str | None], *, nulls_first: bool) -> Facet:
    """A facet from its counts, as the grouping statements give it: dates in order, types
    and countries most frequent first (ties by value: a missing country first on SQLite,
    last on PostgreSQL, as each orders NULL), at most MAX_VALUES."""
    present = [value for value in counts if counts[value] > 0]
    if name in ("year", "month"):
        order = sorted(present, key=lambda value: value or "")
    else:
        order = sorted(
            present,
            key=lambda value: (
                -counts[value],
                (value is not None) if nulls_first else (value is None),
                value or "",
            ),
        )
    return Facet(
        values=[
            FacetValue(
                value=value,
                label=facet_counts.country_label(value) if name == "country" else str(value),
                count=counts[value],
            )
            for value in order[: facet_counts.MAX_VALUES]
        ]
    )


# Up to how many incidents a window's range of the date index is grouped (SQLite) rather
# than the whole type or country index walked in its order: grouping out of order costs
# about three times as much per entry (a window of 900,000 incidents: 0.15 s walking the
# country index, 0.48 s grouping the range; a year's 32,000: 0.08 s against 0.01 s; 1M,
# profiled).
_GROUPED_RANGE = 200_000


def _groups_window_range(session: Session, f: IncidentFilters, floor: date | None) -> bool:
    """SQLite: whether a date window is narrow enough for its range of the date index to be
    grouped (see _GROUPED_RANGE), sized from the kept months (migration 0018) it spans."""
    if session.get_bind().dialect.name != "sqlite" or not (f.date_from or f.date_to):
        return False
    first = floor if f.date_from else None
    spanned = IncidentRepository(session).kept_incidents_between(first, f.date_to, f.type)
    return spanned < _GROUPED_RANGE


def _periods_of_one_actor(f: IncidentFilters, actor_sets: list[set[int]]) -> set[int] | None:
    """The actor set whose incidents are read off its participant entries for the year,
    month and actor facets (`IncidentRepository.periods_taking_part`,
    `incidents_taking_part`): when the filters are one actor (with its officials and
    bodies) and a date window at most. None otherwise."""
    if len(actor_sets) != 1 or f.q or f.type or f.country:
        return None
    return actor_sets[0]


def _period_spec(
    session: Session,
    name: str,
    f: IncidentFilters,
    floor: date | None,
    actor_sets: list[set[int]],
    matching: ColumnElement[bool],
) -> facet_counts.FacetSpec:
    """The year or month facet: off one actor's participant entries when the filters allow
    (`_periods_of_one_actor`), else grouped from the incidents `matching` selects."""
    actors = _periods_of_one_actor(f, actor_sets)
    repo = IncidentRepository(session)
    column: Any = IncidentParticipant.date_start if actors else Incident.date_start
    bucket = facet_counts.period(session, column, name)
    if actors:
        query = repo.periods_taking_part(actors, bucket, f, floor)
    else:
        n = func.count()
        query = select(bucket, bucket, n).where(matching).group_by(bucket).order_by(bucket)
    split = None
    if name == "month" and actors and session.get_bind().dialect.name == "postgresql":
        # Split at a month: the rows before it are a range of the actors' (actor_id,
        # date_start, incident_id) entries. Not under other filters: the first part grouped
        # as many rows as the whole (`actor=China&type=attack` since 1992, 40 -> 50-75 ms
        # at 1M). Every incident starts from the data's first date to its last (and
        # date_to); in a window from date_from, most from date_from (those starting before
        # it, back to `floor`, are only those lasting into it).
        oldest, newest = repo.start_dates_span()
        lowest = max(f.date_from, oldest) if f.date_from and oldest else oldest
        highest = min(f.date_to, newest) if f.date_to and newest else newest
        split = facet_counts.first_months(session, query, column, lowest, highest)
    return facet_counts.FacetSpec(query, split=split)


def _actor_spec(
    session: Session,
    f: IncidentFilters,
    floor: date | None,
    actor_sets: list[set[int]],
    ids: AnySelect | None,
) -> facet_counts.FacetSpec:
    """The actor facet over the incidents `ids` selects (every incident when None); on
    SQLite, one actor's incidents of a window are read off its participant entries instead
    (`IncidentRepository.incidents_taking_part`)."""
    n = func.count()
    # One participant row per (incident, actor): counting rows counts incidents. The top
    # actors are found on the participant index first, then named.
    per_actor = select(IncidentParticipant.actor_id, n.label("n"))
    actors = _periods_of_one_actor(f, actor_sets)
    if actors and session.get_bind().dialect.name == "sqlite":
        taking_part = IncidentRepository(session).incidents_taking_part(actors, f, floor)
        per_actor = per_actor.where(IncidentParticipant.incident_id.in_(taking_part))
    elif ids is not None:
        per_actor = per_actor.where(IncidentParticipant.incident_id.in_(ids))
    # Ties cut by id: by count alone, which of the actors tied at the fiftieth place made
    # the list depended on the plan (it changed with a query shape, and could between the
    # backends).
    top = (
        per_actor.group_by(IncidentParticipant.actor_id)
        .order_by(n.desc(), IncidentParticipant.actor_id)
        .limit(facet_counts.MAX_VALUES)
        .subquery()
    )
    query = (
        select(Actor.slug, Actor.name, top.c.n)
        .join(top, top.c.actor_id == Actor.id)
        .order_by(top.c.n.desc(), Actor.name)
    )
    return facet_counts.FacetSpec(query)


def _facets(
    session: Session,
    f: IncidentFilters,
    floor: date | None,
    counted: AnySelect,
    budget_ms: int,
    *,
    actor_sets: list[set[int]],
    matches: _ColumnMatches | None,
) -> dict[str, Facet]:
    """Facet counts over the rows `counted` (the count-shaped filters) selects: from the
    incident columns' `matches` when there are (no search, the columns read for this data
    version), grouped in SQL otherwise."""
    if matches is not None:
        return _facets_of_columns(session, matches, f)
    kept = _kept_facets(session, f, floor, f.facet)
    names = [name for name in f.facet if name not in kept]
    if not names:
        return {name: kept[name] for name in f.facet}
    filtered = counted.whereclause is not None
    ids = counted.with_only_columns(Incident.id, maintain_column_froms=True).order_by(None)
    # Without filters every incident matches: group the tables directly instead of testing
    # each row against a subquery that selects them all. Filters over the incident table
    # alone (each incident once) are grouped in place too: `id IN (the filters)` read every
    # match's row by id, where a window's dates are on an index (0.3 s for `facet=year`
    # over a year at 1M, profiled; index-only in place).
    froms = counted.get_final_froms()
    in_place = len(froms) == 1 and froms[0] is Incident.__table__
    matching: ColumnElement[bool] = true()
    if filtered:
        matching = counted.whereclause if in_place else Incident.id.in_(ids)  # type: ignore[assignment]
    incident_type: ColumnElement[str] = Incident.type.expression
    country: ColumnElement[str | None] = Incident.location_country.expression
    if in_place and _groups_window_range(session, f, floor):
        # Grouped by the column itself, SQLite walked the whole type (country) index for
        # groups in order instead of the window's range of the date index (0.08 s of CPU
        # for a year's countries at 1M, 0.01 s in the range, profiled). The same values
        # grouped as `column || ''` leave the index nothing to offer but the range.
        incident_type = Incident.type.concat(literal_column("''"))
        country = Incident.location_country.concat(literal_column("''"))
    specs: dict[str, facet_counts.FacetSpec] = {}
    n = func.count()
    for name in names:
        if name == "type":
            by_type = select(incident_type, incident_type, n).where(matching)
            by_type = by_type.group_by(incident_type).order_by(n.desc(), incident_type)
            specs[name] = facet_counts.FacetSpec(by_type)
        elif name == "country":
            by_country = select(country, country, n).where(matching).group_by(country)
            specs[name] = facet_counts.FacetSpec(
                by_country.order_by(n.desc(), country), relabel=facet_counts.country_label
            )
        elif name == "actor":
            specs[name] = _actor_spec(session, f, floor, actor_sets, ids if filtered else None)
        elif name in ("year", "month"):
            specs[name] = _period_spec(session, name, f, floor, actor_sets, matching)
    computed = facet_counts.compute(session, specs, budget_ms, whole_dataset=not filtered)
    return {name: kept[name] if name in kept else computed[name] for name in f.facet}


def _facets_of_columns(
    session: Session, matches: _ColumnMatches, f: IncidentFilters
) -> dict[str, Facet]:
    """The facets `f.facet` names, counted from the incident columns: the same values,
    counts and order as grouped in SQL."""
    columns, matching = matches.columns, matches.mask
    nulls_first = session.get_bind().dialect.name == "sqlite"
    facets: dict[str, Facet] = {}
    for name in f.facet:
        if name == "actor":
            facets[name] = _actor_facet(
                session, columns.top_actors(matching, facet_counts.MAX_VALUES)
            )
        else:
            counts = columns.counted(name, matching)
            facets[name] = _counted_facet(name, counts, nulls_first=nulls_first)
    return facets


def _actor_facet(session: Session, top: list[tuple[int, int]]) -> Facet:
    """The actor facet of the top actors' (id, count), named and ordered as the SQL facet
    orders them: most first, ties by name."""
    if not top:
        return Facet(values=[])
    named = {
        row.id: row
        for row in session.execute(
            select(Actor.id, Actor.slug, Actor.name).where(Actor.id.in_([i for i, _ in top]))
        )
    }
    ordered = sorted(
        ((named[actor_id], n) for actor_id, n in top if actor_id in named),
        key=lambda pair: (-pair[1], pair[0].name),
    )
    return Facet(
        values=[FacetValue(value=row.slug, label=str(row.name), count=n) for row, n in ordered]
    )


def get_incident(session: Session, key: str) -> IncidentView:
    """An incident by id or slug, with everything its detail shows."""
    rows = IncidentRepository(session).detail_rows(key)
    if rows is None:
        raise NotFound("incident", key)
    found = rows.incident
    statements = statements_service.for_incident(session, found.id) if found.has_statements else []
    return IncidentView(rows.incident, rows.participants, rows.sources, rows.evidence, statements)


def count_by_month(session: Session, f: IncidentFilters) -> list[tuple[str, int]]:
    """(YYYY-MM, incidents starting that month) over the filtered set, every month, in order.

    The `month` facet stops at 50 values; a timeline needs them all.
    """
    actor_sets = [actors_service.resolve_with_members(session, name, "actor") for name in f.actor]
    repo = IncidentRepository(session)
    only_actor = not (f.type or f.country or f.q or f.date_from or f.date_to)
    if len(actor_sets) == 1 and len(actor_sets[0]) == 1 and only_actor:
        # One actor's timeline (its page), with no officials or bodies of its own.
        return repo.months_of_one_actor(next(iter(actor_sets[0])))
    if session.get_bind().dialect.name == "sqlite" and len(actor_sets) == 1 and only_actor:
        # An actor's timeline (its page): from an index that carries the dates.
        return repo.months_taking_part(actor_sets[0])
    counted = repo.counted(f, actor_sets)
    bucket = facet_counts.period(session, Incident.date_start, "month")
    if session.get_bind().dialect.name == "sqlite":
        # SQLite stores a date as YYYY-MM-DD text: its first seven characters are the month,
        # at a third of strftime's cost over a million rows (profiled).
        bucket = func.substr(Incident.date_start, 1, 7)
    query = counted.with_only_columns(bucket, func.count(), maintain_column_froms=True)
    rows = session.execute(query.group_by(bucket).order_by(bucket))
    return [(str(month), int(n)) for month, n in rows]


def count_facets(session: Session, f: IncidentFilters, budget_ms: int) -> dict[str, Facet]:
    """The facets `f.facet` names over the filtered set, each within `budget_ms`, no page.

    For counts computed once and kept (the web pages' whole-dataset facets), where the
    configured per-request budget would cut them short.
    """
    actor_sets = [actors_service.resolve_with_members(session, name, "actor") for name in f.actor]
    floor = _start_floor(session, f)
    counted = IncidentRepository(session).counted(f, actor_sets, floor)
    matches = _ColumnMatches.of(session, f, actor_sets, enabled=True)
    return _facets(session, f, floor, counted, budget_ms, actor_sets=actor_sets, matches=matches)
