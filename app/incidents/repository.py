from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    exists,
    func,
    intersect,
    literal_column,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from app.actors.models import Actor
from app.actors.repository import actor_ref_items
from app.db import kept_sql
from app.db.arrays import IntegerArray
from app.db.base import AnyRow, AnySelect, built_json, json_ids, json_list
from app.db.versions import KeptPerDataVersion
from app.incidents.models import (
    Incident,
    IncidentMonth,
    IncidentMonthCountry,
    IncidentParticipant,
    IncidentSource,
)
from app.incidents.schemas import IncidentFilters
from app.kit import counting, search
from app.kit.names import as_id
from app.kit.pagination import SortKey, order_by, rows_after
from app.sources.models import Source

# What a list item shows; search_text and the sources' texts stay in the database.
LIST_COLUMNS = (
    Incident.id,
    Incident.slug,
    Incident.title,
    Incident.summary,
    Incident.type,
    Incident.date_start,
    Incident.date_end,
    Incident.date_precision,
    Incident.location_country,
    Incident.location_place,
    Incident.severity,
)


# Below this many participations an actor's incidents are fetched through the actor index
# and sorted; above it, walking incidents in date order finds a page's worth sooner.
RARE_PARTICIPATIONS = 5_000
# SQLite, a page: fetching and sorting reads one table row per participation, spread over the
# whole file, so on a cold cache it costs 40-120 ms from a few hundred participations up
# (profiled at 1M). From FEW_PARTICIPATIONS to SET_WALK_PARTICIPATIONS the actor's incident ids
# are put in a set once and the (date_start, id) index is walked against it, reading the
# index alone until a page is found (1-12 ms, cold or not); past that, building the set costs
# more (0.3-0.4 s for a large state's 430,000) than probing each walked incident's participants
# (about even at 11,000), and the probe that decides reads up to that many index entries.
FEW_PARTICIPATIONS = 300
SET_WALK_PARTICIPATIONS = 10_000
# Up to how many actors (one, its officials and bodies) a page of their incidents, with no
# other filter, is read from each one's (actor_id, date_start, incident_id) index entries and
# merged: a few entries per actor, whatever the number of participations. Past it the
# statement has one branch per actor to plan. Several actors are merged only while they take
# part rarely: a large state's dense set (13 actors, 430,000 incidents at 1M) finds its page
# sooner by the date walks below, which meet 50 of its incidents in ~100 rows (`actor=Iran`,
# in process, least CPU of 15 requests: SQLite 14 ms walking, 19-22 merging; PostgreSQL 9-10
# against 12-13).
MERGED_ACTORS = 32
# A date window spanning at most this share of the data's dates has each actor's incidents
# read within it, off the (actor_id, date_start, incident_id) index (see
# `IncidentRepository._participation_window`).
NARROW_WINDOW_SHARE = 0.5
# SQLite, counting every match of a type or a country among a large state's incidents (with its
# officials): past this many participations the state's set is not built (its incident ids
# listed and sorted: 0.11-0.15 s of CPU for Iran's 430,000 at 1M) but each incident the type's
# or country's index gives is probed for the state's participants (36,000-98,000 probes of the
# primary key, 0.03-0.06 s). `actor=Iran&type=exercise&facet=year` 0.15 -> 0.08 s;
# `actor=Turkey&actor=Iran&type=arrest` from 1992, 0.15 -> 0.05 s (sqlite3 shell, profiled).
PROBED_PARTICIPATIONS = 100_000


@dataclass(frozen=True)
class ParticipationWindow:
    """The start dates an incident of a filtered list can have: from the earliest start
    overlapping date_from (`service._start_floor`) to date_to; None where open."""

    first: date | None
    last: date | None

    @property
    def bounded(self) -> bool:
        return self.first is not None or self.last is not None


# Up to which largest id the actor sets' ids are intersected as marks in an array of that
# length (one byte per id) rather than sorted.
_MARKED_IDS_LIMIT = 64_000_000


def _common_ids(listed: list[Any]) -> Any:
    """The ids found in every int64 vector of `listed`, each once, ascending
    (`counting.common_ids`)."""
    return counting.common_ids(listed, _MARKED_IDS_LIMIT)


@dataclass(frozen=True)
class PageStart:
    """Which page a list statement is for: its order on Incident.date_start, the row just
    before it (a cursor's (date_start, id)), and how many rows it takes."""

    key: SortKey
    after: tuple[date, int] | None
    rows: int


# A participant's actor as an ActorRef shows it (`schemas.actor_ref_item`), read by both the
# list page's one round trip and the relevance/export path (`participants_of`).
_ACTOR_REF_COLUMNS = (Actor.id, Actor.slug, Actor.name, Actor.kind, Actor.country)


# A page's participants (incident id, actor id, role; in curated order) and source ids
# (incident id, source id; by id), one JSON document `[participants, sources]` of flat
# arrays, built by the database in one step (see app/db/one_step.py) and parsed by
# orjson (`built_json`). The actors' ActorRef items are kept per data version
# (`actors.repository.actor_ref_items`): an actor takes part in many incidents. Built in SQL as
# nested objects per participant (json_object, an ordered subquery per incident), the same
# page cost SQLite 0.49 ms against 0.12 (type=arrest at 1M, profiled); as a row per
# participant, each fetched row waited to take the GIL back under concurrency. SQLite (no
# ORDER BY inside an aggregate before 3.44) aggregates an ordered subquery: its ORDER BY is
# kept under an aggregate other than count/min/max, and its rows reach json_group_array in
# that order. The page's ids are one JSON array parameter: 51 placeholders rendered into the
# SQL for each page cost ~0.1 ms of its CPU (profiled).
_PAGE_LINKS_SQLITE = text(
    """
    SELECT json_array(
      (SELECT json_group_array(json_array(incident_id, actor_id, role))
         FROM (SELECT incident_id, actor_id, role FROM incident_participant
                WHERE incident_id IN (SELECT value FROM json_each(:ids))
                ORDER BY incident_id, position, actor_id)),
      (SELECT json_group_array(json_array(incident_id, source_id))
         FROM (SELECT incident_id, source_id FROM incident_source
                WHERE incident_id IN (SELECT value FROM json_each(:ids))
                ORDER BY incident_id, source_id)))
    """
)
# PostgreSQL orders inside the aggregate; json_agg of no rows is NULL (no participants).
_PAGE_LINKS_POSTGRESQL = text(
    """
    SELECT json_build_array(
      (SELECT json_agg(json_build_array(incident_id, actor_id, role)
                       ORDER BY incident_id, position, actor_id)
         FROM incident_participant WHERE incident_id = ANY(:ids)),
      (SELECT json_agg(json_build_array(incident_id, source_id)
                       ORDER BY incident_id, source_id)
         FROM incident_source WHERE incident_id = ANY(:ids)))::text
    """
).bindparams(bindparam("ids", type_=IntegerArray()))


# The list statements' starts: a select is immutable (each `where` makes a new one), so one
# object serves every request instead of coercing the columns again each time.
_LIST_ROWS = select(*LIST_COLUMNS)
_COUNTED_IDS = select(Incident.id)

# A word matching at least one incident in this many is counted in a window off the vectors
# an index keeps beside the dates (`_searched_in_window`): per window entry, that index costs
# ~1.4 us, where the word's GIN and the table cost ~10 us a match (measured at 1M: `talks`, a
# third of all incidents, 90-100 against 250-300 ms in a year; `gas`, 1 in 40, 320 against
# 245 ms over a decade).
_FREQUENT_WORD_SHARE = 10
# The vectors kept in that index: those whose text form is at most this long (migration 0023;
# a B-tree entry holds at most 2,704 bytes, and a vector is at most 5/3 of its text form).
# The others, rare, are counted from the table through an index of their dates.
_INDEXED_VECTOR_TEXT = 1500


def _searched_in_window(session: Session, window: AnySelect, q: str) -> int:
    """How many incidents `window` (a date window's conditions) selects that match `q`:
    those whose vector the index keeps, from that index alone, plus the others. `IS TRUE`
    keeps the word's GIN out of both (the same rows: a vector never matches as NULL)."""
    matching = search.matches(session, Incident, q).is_(true())
    size: ColumnElement[int] = literal_column("octet_length(incident.search_fts::text)")
    bound: ColumnElement[int] = literal_column(str(_INDEXED_VECTOR_TEXT))
    parts = [window.where(size <= bound, matching), window.where(size > bound, matching)]
    counts = [select(func.count()).select_from(part.subquery()).scalar_subquery() for part in parts]
    return int(session.scalar(select(counts[0] + counts[1])) or 0)


# Filters without actors or a search -> their statement (see `IncidentRepository._where`).
_BUILT_STATEMENTS: dict[tuple[Any, ...], AnySelect] = {}
_BUILT_STATEMENTS_LIMIT = 1_000
# How many incidents actors take part in (`IncidentRepository.participations`) and the span of
# the data's start dates: they shape a list's statement, and only an ingest changes them.
_KEPT_PARTICIPATIONS: KeptPerDataVersion[int] = KeptPerDataVersion(10_000)
# One actor's first page (see `IncidentRepository.filtered_rows`) -> its statement.
_FIRST_PAGES: dict[tuple[Any, ...], AnySelect] = {}
# Filters with actors or a search -> their statement (see `IncidentRepository._where`).
_KEPT_STATEMENTS: KeptPerDataVersion[AnySelect] = KeptPerDataVersion(1_000)
_KEPT_SPANS: KeptPerDataVersion[tuple[date | None, date | None]] = KeptPerDataVersion(64)

# An incident's participants, sources and evidence, each one JSON array built by the database
# in the incident's own row: one statement instead of four (each costs a detail ~0.08 ms of
# CPU in SQLAlchemy's execution alone, profiled at 1M). Participants are the list items'
# shape (see _PAGE_LINKS_SQLITE); sources have SourceRead's columns, by id (never the text,
# which can weigh megabytes); evidence its four, in curated order. No float column is in
# them: SQLite writes a REAL in JSON with 15 digits, which need not give the same float back.
_DETAIL_PARTS = {
    "sqlite": (
        """(SELECT json_group_array(json_object(
                'actor', json_object('id', p.id, 'slug', p.slug, 'name', p.name,
                                     'kind', p.kind, 'country', p.country),
                'role', p.role))
             FROM (SELECT ip.role, a.id, a.slug, a.name, a.kind, a.country
                     FROM incident_participant ip JOIN actor a ON a.id = ip.actor_id
                    WHERE ip.incident_id = incident.id
                    ORDER BY ip.position, a.id) AS p)""",
        """(SELECT json_group_array(json_object(
                'id', s.id, 'slug', s.slug, 'title', s.title, 'publisher', s.publisher,
                'url', s.url, 'published_on', s.published_on, 'language', s.language,
                'duplicate_of', s.duplicate_of, 'content_hash', s.content_hash))
             FROM (SELECT source.* FROM incident_source
                     JOIN source ON source.id = incident_source.source_id
                    WHERE incident_source.incident_id = incident.id
                    ORDER BY source.id) AS s)""",
        """(SELECT json_group_array(json_object(
                'source_id', e.source_id, 'start', e.start, 'end', e."end", 'text', e.text))
             FROM (SELECT source_id, start, "end", text FROM incident_evidence
                    WHERE incident_id = incident.id ORDER BY position) AS e)""",
    ),
    "postgresql": (
        """(SELECT json_agg(json_build_object(
                'actor', json_build_object('id', a.id, 'slug', a.slug, 'name', a.name,
                                           'kind', a.kind, 'country', a.country),
                'role', ip.role) ORDER BY ip.position, a.id)
             FROM incident_participant ip JOIN actor a ON a.id = ip.actor_id
            WHERE ip.incident_id = incident.id)""",
        """(SELECT json_agg(json_build_object(
                'id', s.id, 'slug', s.slug, 'title', s.title, 'publisher', s.publisher,
                'url', s.url, 'published_on', s.published_on, 'language', s.language,
                'duplicate_of', s.duplicate_of, 'content_hash', s.content_hash) ORDER BY s.id)
             FROM incident_source JOIN source s ON s.id = incident_source.source_id
            WHERE incident_source.incident_id = incident.id)""",
        """(SELECT json_agg(json_build_object(
                'source_id', e.source_id, 'start', e.start, 'end', e."end", 'text', e.text)
                ORDER BY e.position)
             FROM incident_evidence e WHERE e.incident_id = incident.id)""",
    ),
}


def _detail_statements(dialect: str) -> tuple[AnySelect, AnySelect]:
    participants, sources, evidence = _DETAIL_PARTS[dialect]
    detail = select(
        *LIST_COLUMNS,
        Incident.date_source,
        literal_column(participants).label("participants_json"),
        literal_column(sources).label("sources_json"),
        literal_column(evidence).label("evidence_json"),
        # Whether the statements' query has anything to read: most incidents have none
        # (one probe of ix_statement_incident_id instead of a second statement).
        literal_column(
            "EXISTS (SELECT 1 FROM statement WHERE statement.incident_id = incident.id)"
        ).label("has_statements"),
    )
    return (
        detail.where(Incident.id == bindparam("id")),
        detail.where(Incident.slug == bindparam("slug")),
    )


# dialect -> (by id, by slug)
_DETAIL = {dialect: _detail_statements(dialect) for dialect in _DETAIL_PARTS}


@dataclass(frozen=True)
class IncidentRows:
    """One incident as plain rows (see `IncidentRepository.detail_rows`)."""

    incident: AnyRow  # LIST_COLUMNS and date_source (and the JSON the others came from)
    participants: list[dict[str, Any]]  # list items: {"actor": ActorRef's, "role"}, in order
    sources: list[dict[str, Any]]  # SourceRead's columns, by id
    evidence: list[dict[str, Any]]  # source_id, start, end, text, in curated order


def _in_window(stmt: AnySelect, f: IncidentFilters, start_floor: date | None) -> AnySelect:
    """`stmt`'s incidents in the date window of `f`: an incident overlapping the window
    counts, even if it started before it. `start_floor`, the earliest start an incident
    overlapping the window can have (`service._start_floor`), is implied by the window's
    start; it is said so that the (date_start, id) index bounds a walk: without it a window
    past the data's edge walked every incident to find none."""
    if f.date_from:
        stmt = stmt.where(Incident.date_end >= f.date_from)
    if start_floor is not None:
        stmt = stmt.where(Incident.date_start >= start_floor)
    if f.date_to:
        stmt = stmt.where(Incident.date_start <= f.date_to)
    return stmt


class IncidentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._participations: dict[tuple[frozenset[int], int, ParticipationWindow], int] = {}
        self._data_span: tuple[date | None, date | None] | None = None

    def filtered_rows(
        self,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        start_floor: date | None = None,
        *,
        window_first: bool = False,
        page: PageStart | None = None,
    ) -> AnySelect:
        """The same filters over plain columns: a list page needs no ORM identity map, and
        building ORM objects was half of a list request's time (profiled).

        `start_floor`: no incident overlapping the window starts before it (see
        `longest_span_days`); it changes no result, only how far a walk in date order goes.
        `window_first`: the date window holds fewer incidents than a search matches, so the
        search is tested on the window's rows rather than walked (see `search.matches`).
        `page`: the statement only has to give that page (paged in its order after its start,
        `page.rows` at most), not every match; without it, it selects every match.
        """
        if page is not None:
            # One actor (and its own), nothing else (see `reads_first_rows`): its page is among
            # the first rows of each one's index entries in date order. Fetching every incident
            # it takes part in and sorting them cost a row probe each (12-24 ms for 1,806 on
            # PostgreSQL at 1M, profiled); this reads `page.rows` index entries per actor.
            ids = one_actor_only(f, actor_sets)
            if ids is None:
                raise ValueError("a page of each actor's first rows needs one actor alone")
            if page.after is not None:
                return _LIST_ROWS.where(Incident.id.in_(self._first_of_each(ids, page)))
            # A first page's statement is the same for every request (its union of a branch
            # per member, built and keyed, was ~0.2 ms of an `actor=Iran` page's CPU).
            key = (frozenset(ids), page, self.session.get_bind().dialect.name)
            first_page = _FIRST_PAGES.get(key)
            if first_page is None:
                first_page = _LIST_ROWS.where(Incident.id.in_(self._first_of_each(ids, page)))
                if len(_FIRST_PAGES) >= _BUILT_STATEMENTS_LIMIT:
                    _FIRST_PAGES.clear()
                _FIRST_PAGES[key] = first_page
            return first_page
        return self._where(
            _LIST_ROWS, f, actor_sets, start_floor=start_floor, window_first=window_first
        )

    def counted(
        self,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        start_floor: date | None = None,
        *,
        window_first: bool = False,
    ) -> AnySelect:
        """The same filters, shaped for counting every match rather than finding a page."""
        counted = self._where(
            _COUNTED_IDS,
            f,
            actor_sets,
            for_count=True,
            start_floor=start_floor,
            window_first=window_first,
        )
        # One actor too: on PostgreSQL within a date window, on SQLite with or without one.
        one_listed = len(actor_sets) == 1 and (
            self.session.get_bind().dialect.name == "sqlite" or bool(f.date_from or f.date_to)
        )
        if (len(actor_sets) > 1 or one_listed) and not (f.type or f.country or f.q):
            # Several actors, perhaps a date window, nothing else: their ids are listed off the
            # participant entries and intersected in memory. SQLite's INTERSECT put each
            # actor's ids in a temporary B-tree first (`actor=Azerbaijan&actor=France` over a
            # decade, 89,671 and 21,133 entries: 72 ms in the shell, where listing them takes
            # 11 and 2, intersecting them a few). PostgreSQL hashed both sets (88,144 and
            # 65,879 entries for `actor=Turkey&actor=China`: 60-90 ms), then, misestimating
            # the common ones 14x, joined them to every incident id (1M index entries, 0.25
            # s more); listed as one string each, 15-18 ms per actor set. One actor in a date
            # window too on PostgreSQL: it hashed Brazil's 2,978 entries of 2021-2032 against
            # the window's 239,344 index entries (0.16-0.25 s); listed, 2-3 ms. On SQLite, one
            # actor in a window its entries are read within: `IN (its entries)` read each
            # incident's row for its dates (a year of Iran's 12,206 entries back from a
            # two-day window: 20 ms at 1M); listed, the window's test stays on the index.
            # One actor on SQLite without a window, or a wide one, too: `IN` looked up each
            # of its incidents (Iran's 430,942, with its officials: 0.43 s; listed, ~0.1 s).
            counted = counting.listed_by(
                counted, lambda session: self.listed_taking_part(f, actor_sets, start_floor)
            )
        if self._counts_window_off_vectors(f, actor_sets):
            window = self._where(
                _COUNTED_IDS,
                f.model_copy(update={"q": None}),
                actor_sets,
                for_count=True,
                start_floor=start_floor,
            )
            q = cast(str, f.q)
            counted = counting.counted_by(
                counted, lambda session: _searched_in_window(session, window, q)
            )
        return counted

    def _counts_window_off_vectors(self, f: IncidentFilters, actor_sets: list[set[int]]) -> bool:
        """PostgreSQL: whether a frequent word's matches in a date window, no other filter,
        are counted off the vectors an index keeps with the dates (migration 0023): the
        word's GIN and the window's dates ANDed still read each match's row (20,979 heap
        pages for `q=talks` in a year at 1M, 250-300 ms), where the window's index entries
        carry the vectors (64,000 entries, 90-100 ms, nothing read from the table). A rare
        word's matches are fewer than the window's entries: its GIN is the cheaper way."""
        if not f.q or actor_sets or f.type or f.country or not (f.date_from or f.date_to):
            return False
        if self.session.get_bind().dialect.name != "postgresql":
            return False
        searched = select(Incident.id).where(search.matches(self.session, Incident, f.q))
        matching = counting.planner_estimate(self.session, searched)
        return matching * _FREQUENT_WORD_SHARE >= counting.planner_estimate(
            self.session, _COUNTED_IDS
        )

    def listed_taking_part(
        self, f: IncidentFilters, actor_sets: list[set[int]], start_floor: date | None
    ) -> list[int]:
        """The ids of the incidents every actor set takes part in within the date window of
        `f` (`_taking_part_in`), each once, ascending: the incidents `counted` selects when
        the filters name actors and a window and nothing else."""
        took_part = IncidentParticipant
        listed = [
            counting.listed_column(
                self.session,
                select(took_part.incident_id).where(*self._taking_part_in(ids, f, start_floor)),
            )
            for ids in actor_sets
        ]
        return [int(i) for i in _common_ids(listed).tolist()]

    def listed_of_types(
        self, f: IncidentFilters, actor_sets: list[set[int]], start_floor: date | None
    ) -> list[int]:
        """SQLite: the ids of the incidents of the types of `f` in its date window that every
        actor set takes part in, each once, ascending: the incidents `counted` selects when
        the filters name actors, types, perhaps a window, and nothing else. The types' ids
        off the (type, date_start, id, date_end) index and each set's entries, intersected:
        probing the participants of each of 36,433 exercises for Israel's took 0.11 s at 1M
        (profiled), listing both sides ~20 ms."""
        typed = _in_window(select(Incident.id).where(Incident.type.in_(f.type)), f, start_floor)
        common = counting.distinct_ids(counting.listed_column(self.session, typed))
        for ids in actor_sets:
            entries = select(IncidentParticipant.incident_id).where(
                *self._taking_part_in(ids, f, start_floor)
            )
            found = counting.distinct_ids(counting.listed_column(self.session, entries))
            common = np.intersect1d(common, found, assume_unique=True)
        return [int(i) for i in common.tolist()]

    def ids_of_actors_only(
        self, f: IncidentFilters, actor_sets: list[set[int]]
    ) -> Select[Any] | None:
        """When the filters name actors and nothing else: every match's id, read off the
        participant index alone (each actor set's incidents, intersected; each id once, but
        for one actor set on SQLite). None otherwise.

        Listing a large state's incidents as `incident.id IN (its participations)` looked up
        each of 200,000 ids in the incident table (0.35 s of CPU for France at 1M, profiled),
        which holds nothing these filters need.
        """
        if not actor_sets or f.type or f.country or f.date_from or f.date_to or f.q:
            return None
        # Kept per database and data version, as the lists' statements are: a search under
        # actors compiled it for each request to key its ranking among them (~0.2 ms of
        # `q=talks&actor=Iran`, profiled at 1M on PostgreSQL).
        key = ("actors only", tuple(frozenset(ids) for ids in actor_sets))
        return _KEPT_STATEMENTS.get(self.session, key, lambda: self._ids_of_actors_only(actor_sets))

    def _ids_of_actors_only(self, actor_sets: list[set[int]]) -> Select[Any]:
        none = ParticipationWindow(None, None)
        members = [self._members(ids, none) for ids in actor_sets]
        if len(members) > 1:
            both: Any = intersect(*members)
        elif self.session.get_bind().dialect.name == "sqlite":
            # An incident with an actor and one of its own is listed twice: SQLite's readers
            # of these ids take them as a set (`search._listed_ids`, `IN`), where removing
            # the duplicates in SQL cost 60 % of listing them (see `ids_taking_part`).
            both = members[0]
        else:
            both = members[0].distinct()
        listed = both.subquery("actors_only")
        return select(listed.c.incident_id)

    def ids_taking_part(
        self, f: IncidentFilters, actor_sets: list[set[int]], start_floor: date | None
    ) -> Select[Any] | None:
        """SQLite, when the filters name actors and a date window and nothing else: every
        match's id off the participant index (each actor set's incidents within the window,
        intersected; each id once, but for one actor set). None otherwise.

        Listed as `incident.id IN (the actor's participations)` with the window tested on each
        incident, every one of the actor's incidents was read from the table for its dates:
        Israel's 102,870 since 1994, 0.35-0.43 s in the sqlite3 shell and most of
        `actor=Israel&q=corridor&sort=-date`'s 0.23 s of CPU at 1M (a search's exact total
        lists the other filters' ids); off the participants' (actor_id, date_start,
        incident_id) entries, 0.09-0.12 s (profiled). Not on PostgreSQL (see
        `incidents_taking_part`)."""
        if not actor_sets or f.type or f.country or f.q or not (f.date_from or f.date_to):
            return None
        if self.session.get_bind().dialect.name != "sqlite":
            return None
        took_part = IncidentParticipant
        each = [
            select(took_part.incident_id).where(*self._taking_part_in(ids, f, start_floor))
            for ids in actor_sets
        ]
        # One actor set: each id as often as the set takes part (an actor and one of its own
        # both in an incident), which SQLite's readers of these ids take as a set (see
        # `ids_of_actors_only`).
        listed = (each[0] if len(each) == 1 else intersect(*each)).subquery()
        return select(listed.c.incident_id)

    def window_has_fewer_than(self, f: IncidentFilters, start_floor: date | None, n: int) -> bool:
        """Whether the date window holds fewer than `n` incidents; False without one.

        Counts (date_start, id) index entries between `start_floor` and date_to, a superset of
        the window: index-only and stops after `n`, where testing date_end too read a row of
        the table per entry (0.9 s for 20,000, profiled).
        """
        if start_floor is None and f.date_to is None:
            return False
        if self.session.get_bind().dialect.name == "sqlite":
            return self._starting_between(start_floor, f.date_to, n) < n
        in_window = select(Incident.id)
        if start_floor is not None:
            in_window = in_window.where(Incident.date_start >= start_floor)
        if f.date_to:
            in_window = in_window.where(Incident.date_start <= f.date_to)
        bounded = in_window.limit(n).subquery()
        found = self.session.scalar(select(func.count()).select_from(bounded))
        return int(found or 0) < n

    def _starting_between(self, first: date | None, last: date | None, n: int) -> int:
        """How many incidents start from `first` to `last` (open where None), or at least `n`
        when that many: the kept months wholly between them (migration 0018, exact) and the
        index entries of their edge months, where counting up to 100,000 (date_start, id)
        entries took 6-20 ms of every windowed list under an actor or a search at 1M."""
        if first is not None and last is not None and first > last:
            return 0
        first_month = None if first is None else _month_of(first)
        last_month = None if last is None else _month_of(last)
        # The edge months, counted from the index: the window's own entries in them, each
        # edge as (from, before, through).
        edges: list[tuple[date | None, date | None, date | None]] = []
        if first is not None and last is not None and first_month == last_month:
            edges.append((first, None, last))
        else:
            if first is not None:
                edges.append((first, _next_month(first), None))
            if last is not None:
                edges.append((last.replace(day=1), None, last))
        counted = sum(self._starting_in(*edge, n) for edge in edges)
        if first_month != last_month or first is None or last is None:
            whole = select(func.coalesce(func.sum(IncidentMonth.incidents), 0))
            if first_month is not None:
                whole = whole.where(IncidentMonth.month > first_month)
            if last_month is not None:
                whole = whole.where(IncidentMonth.month < last_month)
            counted += int(self.session.scalar(whole) or 0)
        return counted

    def _starting_in(
        self, since: date | None, before: date | None, through: date | None, n: int
    ) -> int:
        """How many incidents start from `since`, before `before` and up to `through` (open
        where None), counted off the (date_start, id) index up to `n`."""
        in_edge = select(Incident.id)
        if since is not None:
            in_edge = in_edge.where(Incident.date_start >= since)
        if before is not None:
            in_edge = in_edge.where(Incident.date_start < before)
        if through is not None:
            in_edge = in_edge.where(Incident.date_start <= through)
        bounded = in_edge.limit(n).subquery()
        return int(self.session.scalar(select(func.count()).select_from(bounded)) or 0)

    def longest_span_days(self) -> int | None:
        """At least the most days any incident lasts (date_end - date_start); None when there
        are none. The largest bound kept per month (migration 0018): exact until an incident
        is deleted or shortened, then larger, which only widens a walk. Reading every
        incident's span took 0.16 s of CPU at 1M, once per process and data version."""
        longest = select(func.max(IncidentMonth.longest_days)).where(IncidentMonth.incidents > 0)
        value = self.session.scalar(longest)
        return None if value is None else int(value)

    def kept_totals(
        self,
        by: str,
        first: date | None,
        end: date | None,
        *,
        types: Sequence[str] = (),
        country: str | None = None,
    ) -> list[AnyRow]:
        """(value, incidents) per `by` ("month", "type" or "country": '' for none) over the
        months kept from `first`'s to before `end`'s (YYYY-MM; open where None), of `types`
        or of `country` (all when not given): migration 0018. Summed in SQL: a window over
        the data spans 50,000 (month, country) rows, 0.27 s to read into Python."""
        by_country = by == "country" or (by == "month" and country is not None)
        kept: type[IncidentMonth] | type[IncidentMonthCountry] = (
            IncidentMonthCountry if by_country else IncidentMonth
        )
        value = getattr(kept, by)
        stmt = select(value, func.sum(kept.incidents)).group_by(value)
        if first is not None:
            stmt = stmt.where(kept.month >= first.strftime("%Y-%m"))
        if end is not None:
            stmt = stmt.where(kept.month < end.strftime("%Y-%m"))
        if types:
            stmt = stmt.where(IncidentMonth.type.in_(types))
        if country is not None:
            stmt = stmt.where(IncidentMonthCountry.country == country)
        return list(self.session.execute(stmt))

    def kept_incidents_between(
        self, first: date | None, last: date | None, types: Sequence[str]
    ) -> int:
        """How many incidents (of `types`; all when empty) start in the months from
        `first`'s to `last`'s (open where None): at least those starting from `first` to
        `last`, read from the kept months (migration 0018)."""
        stmt = select(func.coalesce(func.sum(IncidentMonth.incidents), 0))
        if first is not None:
            stmt = stmt.where(IncidentMonth.month >= first.strftime("%Y-%m"))
        if last is not None:
            stmt = stmt.where(IncidentMonth.month <= last.strftime("%Y-%m"))
        if types:
            stmt = stmt.where(IncidentMonth.type.in_(types))
        return int(self.session.scalar(stmt) or 0)

    def months_counted(self, *conditions: ColumnElement[bool]) -> list[AnyRow]:
        """(month, type, country, incidents) of the incidents meeting `conditions`, counted
        from them (a window's edges: off the (date_start, id, date_end, type, country)
        index)."""
        if self.session.get_bind().dialect.name == "sqlite":
            month = func.substr(Incident.date_start, 1, 7)  # dates are YYYY-MM-DD text
        else:
            month = func.to_char(Incident.date_start, "YYYY-MM")
        country = Incident.location_country
        stmt = select(month, Incident.type, country, func.count()).where(*conditions)
        return list(self.session.execute(stmt.group_by(month, Incident.type, country)))

    def periods_taking_part(
        self,
        ids: set[int],
        bucket: ColumnElement[str],
        f: IncidentFilters,
        start_floor: date | None,
    ) -> AnySelect:
        """(period, period, incidents) of the incidents these actors take part in within the
        date window of `f`, by `bucket` (a year or month of IncidentParticipant.date_start),
        in period order: read off the (actor_id, date_start, incident_id) index alone.

        A participant carries its incident's date_start (migration 0015), so each incident
        falls in one period however many of the actors take part in it, and counting
        distinct incident ids per period counts each once. Reading each of a large state's
        171,000 incidents from the table to group its months took 0.2-0.35 s (SQLite) and
        0.42 s (PostgreSQL) at 1M; its index entries alone, 0.03-0.07 s (profiled).
        """
        took_part = IncidentParticipant
        incidents = func.count(took_part.incident_id.distinct())
        stmt = select(bucket, bucket, incidents).where(*self._taking_part_in(ids, f, start_floor))
        return stmt.group_by(bucket).order_by(bucket)

    def incidents_taking_part(
        self, ids: set[int], f: IncidentFilters, start_floor: date | None
    ) -> AnySelect:
        """The ids of the incidents these actors take part in within the date window of `f`
        (an id once per actor taking part), off the participant index alone: where the
        same incidents selected from the table read each one's row for its dates (a year
        of Iran's, 15,000: 0.1-0.35 s of CPU on SQLite at 1M, profiled). SQLite only:
        PostgreSQL's planner, given participant ids rather than incident ids, hashed them
        against a scan of every participant (0.09 -> 0.42 s, profiled)."""
        took_part = IncidentParticipant
        return select(took_part.incident_id).where(*self._taking_part_in(ids, f, start_floor))

    def _taking_part_in(
        self, ids: set[int], f: IncidentFilters, start_floor: date | None
    ) -> list[ColumnElement[bool]]:
        """The participant entries of these actors in incidents of the date window of `f`.

        Every incident starting on or after date_from ends after it (ingest refuses an end
        before the start); of those starting earlier (back to `start_floor`), only the
        ones ending inside the window.
        """
        took_part = IncidentParticipant
        conditions: list[ColumnElement[bool]] = [took_part.actor_id.in_(ids)]
        if f.date_from is not None:
            # The few that start before the window and end inside it, found on the
            # (date_start, id, date_end, ...) index: probing each entry's incident for its
            # end read a year of a large state's rows (0.1 s on PostgreSQL, profiled).
            overlapping = select(Incident.id).where(
                Incident.date_start < f.date_from, Incident.date_end >= f.date_from
            )
            if start_floor is not None:
                overlapping = overlapping.where(Incident.date_start >= start_floor)
                conditions.append(took_part.date_start >= start_floor)
            starts_inside = took_part.date_start >= f.date_from
            conditions.append(starts_inside | took_part.incident_id.in_(overlapping))
        if f.date_to is not None:
            conditions.append(took_part.date_start <= f.date_to)
        return conditions

    def participants_of(self, ids: list[int]) -> dict[int, list[AnyRow]]:
        """Participants with their actors, per incident, in curated order."""
        stmt = (
            select(
                IncidentParticipant.incident_id,
                IncidentParticipant.role,
                *_ACTOR_REF_COLUMNS,
            )
            .join(Actor, Actor.id == IncidentParticipant.actor_id)
            .where(IncidentParticipant.incident_id.in_(ids))
            .order_by(IncidentParticipant.incident_id, IncidentParticipant.position)
        )
        grouped: dict[int, list[AnyRow]] = {i: [] for i in ids}
        for row in self.session.execute(stmt):
            grouped[row.incident_id].append(row)
        return grouped

    def participant_items_and_source_ids_of(
        self, ids: list[int]
    ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[int]]]:
        """For a page of incidents, in one round trip: each one's participants as list items
        (`{"actor": ActorRef's fields, "role": ...}`, the JSON shape `schemas.incident_items`
        writes, in curated order) and its source ids (see _PAGE_LINKS_SQLITE)."""
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            listed = json_ids(ids)
            document = kept_sql.scalar(connection, _PAGE_LINKS_SQLITE, {"ids": listed})
        else:
            document = kept_sql.scalar(connection, _PAGE_LINKS_POSTGRESQL, {"ids": ids})
        taking_part, sourced = built_json(document)
        taking_part, sourced = taking_part or [], sourced or []
        refs = actor_ref_items(self.session, {actor_id for _, actor_id, _ in taking_part})
        participants: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        source_ids: dict[int, list[int]] = {i: [] for i in ids}
        for incident_id, actor_id, role in taking_part:
            participants[incident_id].append({"actor": refs[actor_id], "role": role})
        for incident_id, source_id in sourced:
            source_ids[incident_id].append(source_id)
        return participants, source_ids

    def source_ids_of(self, ids: list[int]) -> dict[int, list[int]]:
        stmt = (
            select(IncidentSource.incident_id, IncidentSource.source_id)
            .where(IncidentSource.incident_id.in_(ids))
            .order_by(IncidentSource.incident_id, IncidentSource.source_id)
        )
        grouped: dict[int, list[int]] = {i: [] for i in ids}
        for incident_id, source_id in self.session.execute(stmt):
            grouped[incident_id].append(source_id)
        return grouped

    def sources_of(self, ids: list[int]) -> dict[int, list[AnyRow]]:
        """(slug, url) of each incident's sources, by source id."""
        stmt = (
            select(IncidentSource.incident_id, Source.slug, Source.url)
            .join(Source, Source.id == IncidentSource.source_id)
            .where(IncidentSource.incident_id.in_(ids))
            .order_by(IncidentSource.incident_id, Source.id)
        )
        grouped: dict[int, list[AnyRow]] = {i: [] for i in ids}
        for row in self.session.execute(stmt):
            grouped[row.incident_id].append(row)
        return grouped

    def takes_part_rarely(self, ids: set[int], window: ParticipationWindow | None = None) -> bool:
        """Whether these actors take part in fewer than RARE_PARTICIPATIONS incidents (that
        start within `window`, when given)."""
        return self.participations(ids, RARE_PARTICIPATIONS, window) < RARE_PARTICIPATIONS

    def participations(
        self, ids: set[int], cap: int, window: ParticipationWindow | None = None
    ) -> int:
        """How many incidents these actors take part in (that start within `window`, when
        given), counted up to `cap`; reads at most that many index entries, so it costs a
        millisecond or two whatever the actor. Asked once per repository (a list asks it to
        choose the page's shape, then its walk's)."""
        window = window or ParticipationWindow(None, None)
        key = (frozenset(ids), cap, window)
        if key not in self._participations:

            def count() -> int:
                probe = self._members(ids, window).limit(cap).subquery()
                return int(self.session.scalar(select(func.count()).select_from(probe)) or 0)

            self._participations[key] = _KEPT_PARTICIPATIONS.get(self.session, key, count)
        return self._participations[key]

    def reads_first_rows(self, f: IncidentFilters, actor_sets: list[set[int]]) -> bool:
        """Whether a page of these filters is read from each actor's first rows (PageStart):
        one actor (and its own) and no other filter; one actor id, or a few that take part
        rarely."""
        ids = one_actor_only(f, actor_sets)
        if ids is None:
            return False
        if len(ids) == 1:
            return True
        # Counted as far as the walk that serves the page otherwise asks (`_takes_part`), so
        # that one count answers both.
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        cap = SET_WALK_PARTICIPATIONS if sqlite else RARE_PARTICIPATIONS
        return self.participations(ids, max(cap, RARE_PARTICIPATIONS)) < RARE_PARTICIPATIONS

    def months_of_one_actor(self, actor_id: int) -> list[tuple[str, int]]:
        """(YYYY-MM, incidents starting that month) of one actor's incidents, read from its
        (actor_id, date_start, incident_id) entries alone, one per incident: 1-2 ms for an
        official in 1,806 incidents, where finding each incident's date took 9-31 ms (1M,
        profiled). Several actors' entries would need DISTINCT over them all, slower for a
        large state than `months_taking_part` on SQLite (4 s against 1.5 s)."""
        took_part = IncidentParticipant
        if self.session.get_bind().dialect.name == "sqlite":
            month = func.substr(took_part.date_start, 1, 7)  # dates are YYYY-MM-DD text
        else:
            month = func.to_char(took_part.date_start, "YYYY-MM")
        stmt = select(month, func.count()).where(took_part.actor_id == actor_id)
        rows = self.session.execute(stmt.group_by(month).order_by(month))
        return [(str(month), int(n)) for month, n in rows]

    def months_taking_part(self, ids: set[int]) -> list[tuple[str, int]]:
        """SQLite: (YYYY-MM, incidents starting that month) of the incidents these actors
        take part in, read from the (id, date_start) index alone (migration 0011).

        Left to itself SQLite looks each id up in the table, a row read per incident; the
        planner does not weigh the narrower index, so it is named (SQLAlchemy renders no
        SQLite table hints, hence the text).
        """
        stmt = text(
            "SELECT substr(date_start, 1, 7) AS month, count(*) AS n "
            "FROM incident INDEXED BY ix_incident_id_date_start "
            "WHERE id IN (SELECT incident_id FROM incident_participant WHERE actor_id IN :ids) "
            "GROUP BY month ORDER BY month"
        ).bindparams(bindparam("ids", expanding=True))
        rows = self.session.execute(stmt, {"ids": sorted(ids)})
        return [(str(month), int(n)) for month, n in rows]

    def _first_of_each(self, ids: set[int], page: PageStart) -> Select[tuple[int]]:
        """The ids of the page's incidents: the first `page.rows` after its start, in its order,
        among each actor's own first `page.rows` (an incident the page holds has fewer than
        that many of any of its actors' incidents before it)."""
        took_part = IncidentParticipant
        key = SortKey(took_part.date_start, descending=page.key.descending)
        ordering = order_by(key, took_part.incident_id, self.session.get_bind().dialect.name)
        branches = []
        for actor_id in sorted(ids):
            branch = select(took_part.date_start, took_part.incident_id).where(
                took_part.actor_id == actor_id
            )
            if page.after is not None:
                branch = branch.where(rows_after(key, took_part.incident_id, *page.after))
            branches.append(branch.order_by(*ordering).limit(page.rows))
        if len(branches) == 1:
            return branches[0].with_only_columns(took_part.incident_id)
        # Wrapped: SQLite allows no ORDER BY or LIMIT on a member of a UNION ALL.
        merged = union_all(*(select(*b.subquery().c) for b in branches)).subquery()
        day, incident_id = merged.c.date_start, merged.c.incident_id
        in_order = [day.desc(), incident_id.desc()] if key.descending else [day, incident_id]
        # Merged here, so the table is read for `page.rows` incidents, not for every branch's.
        # DISTINCT: an incident two of the actors take part in comes once from each.
        first = select(day, incident_id).distinct().order_by(*in_order).limit(page.rows)
        return select(first.subquery().c.incident_id)

    def reads_participations_in_window(self, f: IncidentFilters, start_floor: date | None) -> bool:
        """Whether the actors' incidents are read within the list's date window."""
        return self._participation_window(f, start_floor).bounded

    def _participation_window(
        self, f: IncidentFilters, start_floor: date | None
    ) -> ParticipationWindow:
        """The window an actor's incidents are read in, off its participant entries: the
        list's date window when it spans at most NARROW_WINDOW_SHARE of the data's dates,
        else none (every entry). Over most of the data the window drops few entries, and
        read in date order the incident ids come unsorted: SQLite's set of them costs three
        times as much to build as from the (actor_id, incident_id) index, in id order
        (`actor=Turkey&actor=Iran&type=arrest` since 1992: 0.28 -> 0.82 s of CPU at 1M).
        """
        first = start_floor if f.date_from else None
        if first is None and f.date_to is None:
            return ParticipationWindow(None, None)
        oldest, newest = self.start_dates_span()
        if oldest is None or newest is None or newest <= oldest:
            return ParticipationWindow(None, None)
        start = max(first or oldest, oldest)
        end = min(f.date_to or newest, newest)
        if (end - start).days > NARROW_WINDOW_SHARE * (newest - oldest).days:
            return ParticipationWindow(None, None)
        return ParticipationWindow(first, f.date_to)

    def start_dates_span(self) -> tuple[date | None, date | None]:
        """The earliest and latest date_start of the data (None, None without incidents),
        kept per data version."""
        if self._data_span is None:
            # Two statements: SQLite reads a lone min() or max() off the index's end, but
            # both in one statement scan the whole index.
            self._data_span = _KEPT_SPANS.get(
                self.session,
                "incident dates",
                lambda: (
                    self.session.scalar(select(func.min(Incident.date_start))),
                    self.session.scalar(select(func.max(Incident.date_start))),
                ),
            )
        return self._data_span

    def _members(self, ids: set[int], window: ParticipationWindow) -> Select[Any]:
        """The incidents these actors take part in, within the window's start dates.

        A participant carries its incident's date_start (migration 0015), so the window is a
        range of the (actor_id, date_start, incident_id) index per actor: a large state's
        incidents of one decade, not all of its 430,000 (1M, profiled).
        """
        took_part = IncidentParticipant
        members = select(took_part.incident_id).where(took_part.actor_id.in_(ids))
        if window.first is not None:
            members = members.where(took_part.date_start >= window.first)
        if window.last is not None:
            members = members.where(took_part.date_start <= window.last)
        return members

    def _takes_part(
        self,
        ids: set[int],
        actor_id: ColumnElement[int],
        window: ParticipationWindow,
        *,
        for_count: bool,
        probed: bool = False,
        as_planned: bool = False,
        overlapping: date | None = None,
    ) -> ColumnElement[bool]:
        """The condition that one of `ids` takes part in the incident, shaped for the plan.

        `as_planned`: the shape whose rows PostgreSQL's planner estimates (see `_built_where`).
        `overlapping`: the window's date_from, which every incident of the list lasts into.
        """
        members = self._members(ids, window)
        if for_count and not probed:
            # Counting visits every match: SQLite does better walking the actor index
            # once per actor than probing each incident (38 ms vs 166 ms for two actors
            # in a date window at 100,000 incidents, profiled).
            return Incident.id.in_(members)
        if for_count:
            # A large state under a type or a country (`_probed_sets`).
            return exists().where(IncidentParticipant.incident_id == Incident.id, actor_id.in_(ids))
        if self.session.get_bind().dialect.name == "sqlite":
            found = self.participations(ids, SET_WALK_PARTICIPATIONS, window)
            if found < FEW_PARTICIPATIONS:
                return Incident.id.in_(members)
            if found < SET_WALK_PARTICIPATIONS:
                # `id + 0` keeps SQLite from fetching each member incident by its id: it
                # walks the date index and tests each entry against the set, built once.
                return (Incident.id + 0).in_(members)
        elif self.takes_part_rarely(ids, window):
            # An actor in a few thousand incidents: walking a million in date order to
            # find ten of them took 100 ms at 1M (profiled); fetching its incidents
            # through the actor index and sorting them takes a few.
            if window.bounded and not as_planned:
                # Within a date window, as a list of ids fetched by primary key: as `IN` the
                # planner, expecting 245 of Brazil's incidents in 2022-2032 for 2,404, walked
                # the window in date order probing each incident's participants, their rows
                # read for the window's dates (9,461 probes, 11,843 pages: 0.17-0.32 s);
                # fetched, its 2,978 incidents are read and sorted (40 ms once cached).
                if _mostly_before(window, overlapping):
                    # Only those lasting into the window, tested on the (date_start, id,
                    # date_end) index by the entry's date_start: most of a year back to the
                    # floor ended before it, and each was fetched to be dropped (China in a
                    # week of 2017: 3,093 fetched for 143, 122 -> 18 ms in psql at 1M). Not
                    # in a long window, where most do last into it and each probe is spent
                    # (Brazil 2022-2032: 40-50 -> 70-75 ms).
                    dated = aliased(Incident)
                    lasting = exists().where(
                        dated.date_start == IncidentParticipant.date_start,
                        dated.id == IncidentParticipant.incident_id,
                        dated.date_end >= overlapping,
                    )
                    members = members.where(lasting)
                return Incident.id == any_(func.array(members.scalar_subquery()))
            return Incident.id.in_(members)
        # A page stops after `limit` matches: walking incidents in date order and probing
        # their 2-5 participants finds them first.
        return exists().where(IncidentParticipant.incident_id == Incident.id, actor_id.in_(ids))

    def _probed_sets(
        self, f: IncidentFilters, actor_sets: list[set[int]], window: ParticipationWindow
    ) -> set[int]:
        """SQLite, counting: the positions of the actor sets whose incidents are probed per
        incident rather than listed (PROBED_PARTICIPATIONS): the large ones, when a type or a
        country has its own index to walk and no search drives the statement. Of several
        sets all large, the first stays listed: its ids, tested on each index entry
        before the row is read, spare the row reads a date window needs (two large states
        each probed read every row of the type since 1992 for its date_end: 0.22 s, against
        0.06-0.1 s with one listed, profiled)."""
        if not (f.type or f.country) or f.q or self.session.get_bind().dialect.name != "sqlite":
            return set()
        cap = PROBED_PARTICIPATIONS
        large = {
            i for i, ids in enumerate(actor_sets) if self.participations(ids, cap, window) >= cap
        }
        if len(actor_sets) > 1 and len(large) == len(actor_sets):
            large.discard(0)
        return large

    def _where(
        self,
        stmt: AnySelect,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        *,
        for_count: bool = False,
        start_floor: date | None = None,
        window_first: bool = False,
    ) -> AnySelect:
        # Built once per process: the same statement object again, whose SQLAlchemy cache
        # key (the compiled SQL's, and the kept total's) is kept on it. Building the select,
        # its conditions and the key again was ~15 % of a list page's CPU (profiled).
        key: tuple[Any, ...] = (
            stmt,
            for_count,
            tuple(f.type),
            f.country,
            f.date_from,
            start_floor,
            f.date_to,
        )
        if actor_sets or f.q:
            # Kept per database and data version: the actors' shape depends on how often each
            # takes part (built for each request, the three statements of an `actor=Iran` page
            # cost ~0.25 ms of its CPU, profiled at 1M), and a search's condition binds its
            # words and differs per database (built for each request, a search page's two or
            # three statements were 12 % of its GIL time, profiled at 1M, `q=pipeline`).
            key = (*key, tuple(frozenset(ids) for ids in actor_sets), window_first, f.q)
            return _KEPT_STATEMENTS.get(
                self.session,
                key,
                lambda: self._built_where(
                    stmt,
                    f,
                    actor_sets,
                    for_count=for_count,
                    start_floor=start_floor,
                    window_first=window_first,
                ),
            )
        built = _BUILT_STATEMENTS.get(key)
        if built is None:
            built = self._built_where(
                stmt, f, actor_sets, for_count=for_count, start_floor=start_floor
            )
            if len(_BUILT_STATEMENTS) >= _BUILT_STATEMENTS_LIMIT:
                _BUILT_STATEMENTS.clear()  # a flood of distinct dates
            _BUILT_STATEMENTS[key] = built
        return built

    def _where_actors(
        self,
        stmt: AnySelect,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        *,
        for_count: bool,
        start_floor: date | None,
        through_participants: bool = False,
    ) -> AnySelect:
        """`stmt` where every named actor (or one of its own) takes part.

        `through_participants`: tested on the participants even with a search on PostgreSQL
        (the shape whose rows the planner estimates, see `_built_where`).
        """
        actor_id: ColumnElement[int] = IncidentParticipant.actor_id.expression
        if actor_sets and self.session.get_bind().dialect.name == "sqlite":
            # `actor_id + 0` keeps SQLite on the primary key (incident_id) for the 2-5 rows of
            # one incident, instead of one probe per member id: 4x faster (profiled).
            actor_id = IncidentParticipant.actor_id + 0
        window = self._participation_window(f, start_floor)
        if self._actor_ids_searched(f, actor_sets) and not through_participants:
            # With a search: each named actor as a condition on the incident's own actor ids
            # (migration 0020), a GIN bitmap PostgreSQL ANDs with the word's before reading
            # the table, which it then reads for the rows matching both only. Through the
            # participants it read every row matching the word to test its actors
            # (`actor=France&q=corridor`: 50,122 rows, 0.45-0.55 s; now 2,936, 0.07-0.11 s).
            for ids in actor_sets:
                stmt = stmt.where(_ACTOR_IDS.op("&&")(_actor_array(ids)))
        elif for_count and len(actor_sets) > 1 and (window.bounded or not (f.type or f.country)):
            # Every named actor must take part: the incidents of each, intersected off the
            # index, then only those are read. As one condition per actor SQLite read the
            # incident row of each of one actor's incidents to probe the other's list
            # (`actor=Azerbaijan&actor=France` over a decade: 0.30 -> 0.12 s of CPU at 1M,
            # profiled). Not over the whole data with a type or a country: those walk their
            # own index against each actor's set more cheaply than the sets intersect
            # (`actor=Turkey&actor=Iran&type=arrest` since 1992: 0.28 s, intersected 0.32).
            both = intersect(*(self._members(ids, window) for ids in actor_sets))
            stmt = stmt.where(Incident.id.in_(both))
        else:
            probed = self._probed_sets(f, actor_sets, window) if for_count else set()
            for i, ids in enumerate(actor_sets):
                # Every named actor must take part: one condition per actor.
                condition = self._takes_part(
                    ids,
                    actor_id,
                    window,
                    for_count=for_count,
                    probed=i in probed,
                    # One actor set only: a second list of ids became a filter the planner
                    # searched per row (`actor=China&actor=Brazil&sort=date` since
                    # 2025-12-24: 3 -> 307 ms).
                    as_planned=through_participants or len(actor_sets) > 1,
                    overlapping=f.date_from,
                )
                stmt = stmt.where(condition)
        return stmt

    def _built_where(
        self,
        stmt: AnySelect,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        *,
        for_count: bool = False,
        start_floor: date | None = None,
        window_first: bool = False,
    ) -> AnySelect:
        built = self._conditions(
            stmt,
            f,
            actor_sets,
            for_count=for_count,
            start_floor=start_floor,
            window_first=window_first,
        )
        fetched = (
            len(actor_sets) == 1
            and not for_count
            and self.session.get_bind().dialect.name == "postgresql"
            and self._participation_window(f, start_floor).bounded
        )
        if not (self._actor_ids_searched(f, actor_sets) or fetched):
            return built
        # The totals PostgreSQL estimates stay those of the statement through the participants
        # (an estimated total is part of the answer): the planner estimates `actor_ids_pg &&`
        # otherwise (`actor=China&q=embassy` since 1990: 17,490 rather than 16,394 at 1M), and
        # a rare actor's incidents fetched by id within a window (`_takes_part`).
        planned = self._conditions(
            stmt,
            f,
            actor_sets,
            for_count=for_count,
            start_floor=start_floor,
            window_first=window_first,
            through_participants=True,
        )
        return counting.planned_as(built, planned)

    def _actor_ids_searched(self, f: IncidentFilters, actor_sets: list[set[int]]) -> bool:
        """Whether the actors are tested on the incident's own actor ids (see `_where_actors`)."""
        return bool(actor_sets and f.q) and self.session.get_bind().dialect.name == "postgresql"

    def _conditions(
        self,
        stmt: AnySelect,
        f: IncidentFilters,
        actor_sets: list[set[int]],
        *,
        for_count: bool,
        start_floor: date | None,
        window_first: bool,
        through_participants: bool = False,
    ) -> AnySelect:
        stmt = self._where_actors(
            stmt,
            f,
            actor_sets,
            for_count=for_count,
            start_floor=start_floor,
            through_participants=through_participants,
        )
        if f.type:
            stmt = stmt.where(Incident.type.in_(f.type))
        if f.country:
            stmt = stmt.where(Incident.location_country == f.country)
        stmt = _in_window(stmt, f, start_floor)
        if f.q:
            stmt = stmt.where(search.matches(self.session, Incident, f.q, drives=not window_first))
        return stmt

    def detail_rows(self, key: str) -> IncidentRows | None:
        """An incident by id or slug with its participants, sources and evidence, in one
        statement (see _DETAIL_PARTS), executed on the connection (no identity map, no
        selectin loads: those were a third of a detail request, profiled)."""
        connection = self.session.connection()
        by_id, by_slug = _DETAIL[connection.dialect.name]
        incident_id = as_id(key)
        stmt, params = (
            (by_id, {"id": incident_id}) if incident_id is not None else (by_slug, {"slug": key})
        )
        # On the DBAPI cursor (app/db/kept_sql.py): SQLAlchemy's execution path was ~20 us of
        # a random incident's 0.8 ms of CPU (profiled at 1M).
        rows = kept_sql.named_rows(connection, stmt, params)
        if rows is None:
            rows = list(connection.execute(stmt, params).all())
        if not rows:
            return None
        found = rows[0]
        return IncidentRows(
            found,
            json_list(found.participants_json),
            json_list(found.sources_json),
            json_list(found.evidence_json),
        )

    def ids_by_id_or_slug(self, key: str) -> list[int]:
        incident_id = as_id(key)
        match = Incident.slug == key if incident_id is None else Incident.id == incident_id
        return list(self.session.scalars(select(Incident.id).where(match)))


# Each incident's participants' actor ids, sorted (PostgreSQL only, kept by triggers:
# migration 0020), GIN-indexed.
_ACTOR_IDS = literal_column("incident.actor_ids_pg", type_=postgresql.ARRAY(Integer))


def _mostly_before(window: ParticipationWindow, date_from: date | None) -> bool:
    """Whether most of a window's start dates, from its floor to date_to, are before
    date_from: those incidents are in the list only when they last into it."""
    if date_from is None or window.first is None or window.last is None:
        return False
    return window.last - date_from < date_from - window.first


def _actor_array(ids: set[int]) -> ColumnElement[Any]:
    return bindparam("actor_ids", sorted(ids), type_=IntegerArray(), unique=True)


def one_actor_only(f: IncidentFilters, actor_sets: list[set[int]]) -> set[int] | None:
    """The actor set, when the filters name one actor (up to MERGED_ACTORS ids) and no more:
    a page of them is then read from each actor's first rows (see PageStart)."""
    if len(actor_sets) != 1 or f.type or f.country or f.date_from or f.date_to or f.q:
        return None
    ids = actor_sets[0]
    return ids if 0 < len(ids) <= MERGED_ACTORS else None


def _next_month(day: date) -> date | None:
    """The first day of the month after `day`'s; None past the calendar's end."""
    if day.month < 12:
        return date(day.year, day.month + 1, 1)
    return None if day.year == date.max.year else date(day.year + 1, 1, 1)


def _month_of(day: date) -> str:
    """`day`'s YYYY-MM, as incident_month keys it (four digits for any year)."""
    return f"{day.year:04d}-{day.month:02d}"
