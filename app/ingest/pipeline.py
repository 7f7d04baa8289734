"""The ingest unit of work: curated records and articles in, one transaction, nothing half-done."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app import extraction
from app.actors import builtin as builtin_states
from app.actors import writes as actors_writes
from app.actors.models import Actor, ActorKind, ActorOrigin, AliasKind
from app.changes.recording import ChangeRecorder
from app.db.meta import DatasetMeta
from app.errors import InputError, Problem
from app.incidents import evidence as incident_evidence
from app.incidents import writes as incidents_writes
from app.incidents.models import Incident
from app.ingest import identity, loader, parallel
from app.ingest import prune as pruning
from app.ingest import scratch as scratch_tables
from app.ingest.loader import Batch, Located
from app.ingest.records import ActorRecord, IncidentRecord
from app.kit import postings
from app.kit.names import match_key
from app.settings import get_settings
from app.sources import writes as sources_writes
from app.sources.models import Mention, Source
from app.statements import writes as statements_writes
from app.statements.models import Statement

# Bump when the extraction rules change, so the next ingest re-extracts every source.
EXTRACTOR_VERSION = "6"  # 6: statements store their attribution; 5: ş/ç fold as sh/ch

Progress = Callable[[int, int], None]
# Stale sources loaded per query while feeding the extraction pool.
_LOAD_SLICE = 500
# Sources whose extraction is written between two flushes.
_FLUSH_EVERY = 500
Announce = Callable[[str], None]


@dataclass
class IngestReport:
    sources: int = 0
    actors: int = 0
    incidents: int = 0
    statements: int = 0
    mentions: int = 0
    new_actors: int = 0
    changes: int = 0
    re_extracted: int = 0
    deleted: int = 0
    seconds: float = 0.0
    data_version: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        state = f"{self.changes} changes" if self.changes else "no changes"
        if self.deleted:
            state += f", {self.deleted} rows deleted by the prune"
        if self.dry_run:
            state += "; dry run: nothing written"
        return (
            f"ingested {self.sources} sources, {self.actors} actors, {self.incidents} incidents, "
            f"{self.statements} statements, {self.mentions} mentions "
            f"({self.new_actors} actors found by extraction, "
            f"{self.re_extracted} sources extracted, "
            f"{state}) in {self.seconds:.2f}s"
        )


def run(
    paths: Sequence[Path],
    engine: Engine,
    *,
    max_article_bytes: int,
    encoding: str | None = None,
    progress: Progress | None = None,
    prune: bool = False,
    yes: bool = False,
    dry_run: bool = False,
    announce: Announce | None = None,
    workers: int | None = 1,
) -> IngestReport:
    """Load `paths` in one transaction; on bad input raise InputError, having written nothing.

    With `prune`, rows the inputs no longer hold are deleted too (PruneRefused above a
    quarter of a table unless `yes`); with `dry_run`, everything is rolled back. Articles
    are extracted by `workers` processes (None: as many as CPUs when there are enough
    articles to repay starting them); what is stored does not depend on how many.
    """
    started = time.perf_counter()
    # Curated YAML is read here; the articles are read while they are written, so that the
    # corpus is never held in memory whole.
    batch = loader.load(paths, max_article_bytes=max_article_bytes, encoding=encoding)
    if batch.problem_count:
        # Known to be bad before anything is written: the articles are read for their problems
        # too, without opening the database (nothing waits for another ingest's lock).
        with scratch_tables.private() as scratch:
            for _ in batch.articles(scratch):
                pass
        batch.check()
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            # One transaction for the whole run: a bad record anywhere leaves the database
            # exactly as it was, and readers never see half an ingest.
            _take_ingest_lock(session)
            # What the run must know of every article (where each slug was read, a folder's
            # file names) goes to temporary tables, not to memory.
            scratch = scratch_tables.Scratch(session)
            recorder = ChangeRecorder()
            recorder.listen(session)
            applying = _Apply(session, batch, progress, recorder, workers=workers)
            created_sources = applying.store_articles(scratch)
            # A bad article anywhere (even the last) raises here: the rollback undoes the
            # sources written so far.
            batch.check()
            plan = (
                _plan_prune(session, batch, scratch, announce, created_sources) if prune else None
            )
            scratch.drop()
            if plan is not None:
                pruning.execute(session, plan, recorder)
            applying.pruned = plan.deleted if plan else 0
            report = applying.apply()
            # Refused only now, so that bad input is reported first: it is the likelier mistake.
            if plan is not None and plan.too_large() and not yes:
                raise pruning.PruneRefused(plan)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        report = rolled_back.report
        report.dry_run = True
    report.seconds = time.perf_counter() - started
    return report


class _DryRun(Exception):
    """Leaves the transaction by rollback, carrying what the run would have done."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report


def _plan_prune(
    session: Session,
    batch: Batch,
    scratch: scratch_tables.Scratch,
    announce: Announce | None,
    created_sources: int,
) -> pruning.PrunePlan:
    plan = pruning.plan(session, batch, scratch, created_sources=created_sources)
    for line in plan.lines():
        if announce is not None:
            announce(line)
    return plan


def _take_ingest_lock(session: Session) -> None:
    # SQLite writers already hold the database lock from BEGIN IMMEDIATE; on PostgreSQL a
    # second ingest waits here instead of interleaving its upserts with ours.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(8731246)"))


# Articles below which extraction is not spread over the CPUs unless asked: each worker
# imports the extractor and builds its gazetteer (1-1.5 s of CPU), which two cores took
# back only past ~700 articles (ingest alone / with two workers: 400 articles 6.7 / 8.8 s,
# 1,000 articles 14.3 / 11.5 s).
AUTO_WORKERS_FROM = 1_000


def _workers_for(articles: int, asked: int | None) -> int:
    """Extraction processes for `articles` stale articles: `asked`, or (None) the CPUs."""
    if asked is None:
        asked = (os.cpu_count() or 1) if articles >= AUTO_WORKERS_FROM else 1
    # Asked for, a pool is used as soon as each worker has a task to start with.
    return asked if articles > asked * parallel.CHUNK else 1


@dataclass
class _Apply:
    """One run: checks what only the database can tell (unknown actors and sources,
    affiliation cycles), then has each domain write its rows."""

    session: Session
    batch: Batch
    progress: Progress | None
    # Rows this run creates, updates and deletes, for the change feed (GET /changes).
    recorder: ChangeRecorder
    # Rows the prune deleted before this run's upserts (sources, incidents, curated actors).
    pruned: int = 0
    problems: list[Problem] = field(default_factory=list)
    report: IngestReport = field(default_factory=IngestReport)
    actors: dict[str, Actor] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    # Sources whose statements were synced as ORM objects (they had some stored): their
    # search text is refreshed at the end. New sources' statements are written complete.
    synced_source_ids: set[int] = field(default_factory=set)
    # Extracted actors renamed during the run ("Renard", later "Paul Renard"): the search
    # text of statements already written for them names them by the old name.
    renamed_actor_ids: set[int] = field(default_factory=set)
    people: identity.People | None = None
    builtin: dict[str, builtin_states.BuiltinState] = field(default_factory=dict)
    # Whether a near-duplicate signature was stored (computed alongside extraction).
    signed: bool = False
    workers: int | None = 1
    mention_writer: sources_writes.MentionWriter | None = None
    statement_writer: statements_writes.StatementWriter | None = None
    _name_keys: dict[str, set[str]] | None = None

    def apply(self) -> IngestReport:
        self.report.deleted = self.pruned
        self.report.changes += self.pruned
        self.actors = actors_writes.all_by_slug(self.session)
        self._upsert_actors()
        self._refresh_builtin_states()
        self._check_affiliations()
        self._upsert_incidents()
        if self.problems:
            raise InputError(self.problems)
        self.session.flush()
        # Only the incidents' sources were loaded (for their evidence): let their texts go.
        # Extraction reloads the stale sources a slice at a time.
        self.sources.clear()
        meta = self._meta()
        curated_key = self._curated_key(meta)
        self._extract(curated_key)
        self.session.flush()
        self.report.changes += sources_writes.mark_duplicates(
            self.session,
            signed=self.signed,
            force=bool(self.pruned),
            remarked=lambda rows: self.recorder.updated("source", rows),
        )
        orphans = actors_writes.delete_orphans(self.session, self.actors)
        self.recorder.deleted("actor", orphans)
        self.report.changes += len(orphans)
        self._refresh_search_text()
        self.session.flush()
        # The rows this run wrote get their relevance postings in the same transaction.
        settings = get_settings()
        postings.refresh(
            self.session.connection(),
            min_matches=settings.search_postings_min_matches,
            depth=settings.search_postings_depth,
        )
        if self.report.changes or self.recorder:
            # One number for the ETag and the change feed.
            meta.data_version += 1
            meta.updated_at = datetime.now(UTC)
            self.recorder.write(self.session, meta.data_version)
        self.session.flush()
        self._count(meta)
        return self.report

    # -- curated actors -------------------------------------------------------------------

    def _upsert_actors(self) -> None:
        for located in self.batch.actors:
            record = located.record
            values = {
                "name": record.name,
                "kind": record.kind,
                "country": record.country,
                "title": record.title,
            }
            self.report.changes += actors_writes.upsert_curated(
                self.session, self.actors, record.slug, values, _names(record)
            )

    def _refresh_builtin_states(self) -> None:
        # After the curated actors, so that a curated state (same slug or ISO code) wins.
        # Stored built-in states follow the data file; the others are stored when first
        # referred to (`_actor`), and go again once nothing refers to them (delete_orphans).
        self.builtin = builtin_states.uncurated(self.actors.values())
        for actor in list(self.actors.values()):
            state = self.builtin.get(actor.slug)
            if actor.origin is ActorOrigin.builtin and state is not None:
                self.report.changes += builtin_states.upsert_state(self.session, self.actors, state)

    def _actor(self, slug: str) -> Actor | None:
        """The actor `slug`, storing a built-in state on its first use."""
        actor = self.actors.get(slug)
        if actor is None and slug in self.builtin:
            state = self.builtin[slug]
            self.report.changes += builtin_states.upsert_state(self.session, self.actors, state)
            actor = self.actors[slug]
            self.session.flush()  # mentions and statements refer to it by id
        return actor

    def _check_affiliations(self) -> None:
        # Affiliations as they will be after this run: the database's, overridden by the batch.
        parents = {
            slug: a.affiliation.slug if a.affiliation else None
            for slug, a in self.actors.items()
            if a.id is not None
        }
        valid: dict[str, Located[ActorRecord]] = {}
        for located in self.batch.actors:
            record = located.record
            parents[record.slug] = record.affiliation
            if record.affiliation is not None and self._actor(record.affiliation) is None:
                where = located.where("affiliation")
                reason = f"affiliation: unknown actor {record.affiliation!r}"
                self.problems.append(Problem(*where, reason))
                continue
            valid[record.slug] = located
        for slug, located in valid.items():
            cycle = _cycle_from(slug, parents)
            if cycle is not None:
                where = located.where("affiliation")
                self.problems.append(Problem(*where, f"affiliation: cycle {cycle}"))
        if self.problems:
            return  # nothing is assigned: a cycle could not even be flushed
        for slug, located in valid.items():
            parent = located.record.affiliation
            parent_actor = self.actors[parent] if parent else None
            self.report.changes += actors_writes.set_affiliation(self.actors[slug], parent_actor)
        self.session.flush()

    # -- sources ----------------------------------------------------------------------------

    def store_articles(self, scratch: scratch_tables.Scratch) -> int:
        """Read the articles and write them, a slice at a time; how many sources are new.

        Once an input problem is found nothing more is written (the run will be rolled
        back), but every article is still read, so that every problem is reported.
        """
        created = 0
        pending: list[loader.Article] = []
        for article in self.batch.articles(scratch):
            if self.batch.problem_count:
                pending.clear()
                continue
            pending.append(article)
            if len(pending) >= _LOAD_SLICE:
                created += self._upsert_sources(pending)
                pending.clear()
        if pending and not self.batch.problem_count:
            created += self._upsert_sources(pending)
        return created

    def _upsert_sources(self, articles: list[loader.Article]) -> int:
        stored = sources_writes.by_slugs(self.session, [a.slug for a in articles])
        created = 0
        for article in articles:
            created += article.slug not in stored
            self.report.changes += sources_writes.upsert_article(
                self.session,
                stored,
                article.slug,
                text=article.text,
                content_hash=article.content_hash,
                input_hash=article.input_hash,
                given=article.given,
            )
        # Written now, and only weakly held by the session from here: the slice's texts go.
        self.session.flush()
        return created

    # -- incidents --------------------------------------------------------------------------

    def _upsert_incidents(self) -> None:
        if not self.batch.incidents:
            return
        cited = [s for located in self.batch.incidents for s in located.record.sources]
        self.sources = sources_writes.by_slugs(self.session, cited)
        slugs = [located.record.slug for located in self.batch.incidents]
        existing = incidents_writes.by_slugs(self.session, slugs)
        for located in self.batch.incidents:
            incident = existing.get(located.record.slug)
            if incident is None:
                incident = incidents_writes.create(self.session, located.record.slug)
                existing[incident.slug] = incident
                self.report.changes += 1
            self._apply_incident(incident, located)

    def _apply_incident(self, incident: Incident, located: Located[IncidentRecord]) -> None:
        record = located.record
        self.report.changes += incidents_writes.set_fields(
            incident,
            {
                "title": record.title,
                "summary": record.summary,
                "type": record.type,
                "date_start": record.date_start,
                "date_end": record.date_end or record.date_start,
                "date_precision": record.date_precision,
                "date_source": record.date_source,
                "location_country": record.location.country,
                "location_place": record.location.place,
                "severity": record.severity,
            },
        )
        wanted = []
        for index, participant in enumerate(record.participants):
            actor = self._actor(participant.actor)
            if actor is None:
                where = located.where("participants", index, "actor")
                self.problems.append(Problem(*where, f"unknown actor {participant.actor!r}"))
                continue
            wanted.append((actor, participant.role))
        self.report.changes += incidents_writes.set_participants(self.session, incident, wanted)
        sources: list[Source] = []
        for index, slug in enumerate(record.sources):
            source = self.sources.get(slug)
            if source is None:
                where = located.where("sources", index)
                self.problems.append(Problem(*where, f"unknown source {slug!r}"))
                continue
            sources.append(source)
        self.report.changes += incidents_writes.set_sources(incident, sources)
        self._sync_evidence(incident, located)

    def _sync_evidence(self, incident: Incident, located: Located[IncidentRecord]) -> None:
        """Place the incident's quotes in their sources; refuse what they do not support."""
        record = located.record
        if not record.evidence:
            return  # optional in the schema; the curated seeds always give it (tests check)
        quotes = [incident_evidence.Quote(e.source, e.quote, e.occurrence) for e in record.evidence]
        texts = {slug: self.sources[slug].text for slug in record.sources if slug in self.sources}
        spans, findings = incident_evidence.place_quotes(quotes, record.sources, texts)
        findings += incident_evidence.unnamed_participants(
            [p.actor for p in record.participants],
            [q.text for q in quotes],
            self._names(),
            {
                slug: a.affiliation.slug if a.affiliation else None
                for slug, a in self.actors.items()
            },
        )
        for finding in findings:
            self.problems.append(Problem(*located.where(*finding.loc), finding.reason))
        if findings:
            return
        wanted = [(self.sources[s.source], s.start, s.end, s.text) for s in spans]
        self.report.changes += incidents_writes.set_evidence(self.session, incident, wanted)

    def _names(self) -> dict[str, set[str]]:
        """Every actor's name keys, each built once per run; a built-in state's as soon as an
        incident stores it (an actor missing here would escape the evidence check)."""
        if self._name_keys is None:
            self._name_keys = {}
        for slug, actor in self.actors.items():
            if slug not in self._name_keys:
                self._name_keys[slug] = incident_evidence.name_keys(
                    actor.name,
                    [a.alias for a in actor.aliases],
                    person=actor.kind is ActorKind.person,
                )
        return self._name_keys

    # -- extraction -------------------------------------------------------------------------

    def _meta(self) -> DatasetMeta:
        meta = self.session.get(DatasetMeta, 1)
        if meta is None:
            meta = DatasetMeta(id=1, data_version=0, curated_key="")
            self.session.add(meta)
        return meta

    def _curated_key(self, meta: DatasetMeta) -> str:
        # Statements depend on the curated actors (attribution) and incidents (links): when
        # this run changed any of them, every stored extraction is stale.
        curated_changed = self.pruned or (
            self.report.changes and (self.batch.actors or self.batch.incidents)
        )
        if curated_changed or not meta.curated_key:
            payload = json.dumps(
                [
                    EXTRACTOR_VERSION,
                    meta.curated_key,
                    [r.record.model_dump(mode="json") for r in self.batch.actors],
                    [r.record.model_dump(mode="json") for r in self.batch.incidents],
                ],
                sort_keys=True,
            )
            meta.curated_key = hashlib.sha256(payload.encode()).hexdigest()
        # The built-in states' digest too: new data (another country, a demonym) re-extracts.
        return f"{EXTRACTOR_VERSION}:{builtin_states.digest()}:{meta.curated_key}"[:64]

    def _extract(self, curated_key: str) -> None:
        stale_ids = sources_writes.stale_ids(self.session, curated_key)
        if not stale_ids:
            return
        workers = _workers_for(len(stale_ids), self.workers)
        pending: dict[int, _Pending] = {}
        jobs = self._jobs(stale_ids, pending)
        self.mention_writer = sources_writes.MentionWriter(self.session)
        self.statement_writer = statements_writes.StatementWriter(self.session)
        done_sources = 0
        for done in parallel.extract_in_order(jobs, self._known_actors(), workers):
            job = pending.pop(done.source_id)
            self._store_extraction(job, done)
            job.source.extraction_key = curated_key
            if job.unsigned:
                # Stored with the source's other columns at the next flush: not held here.
                job.source.signature = done.signature
                self.signed = True
            done_sources += 1
            if done_sources % _FLUSH_EVERY == 0:
                # Bounded pending rows; flushed objects are only weakly held by the session.
                self.session.flush()
            if self.progress is not None:
                self.progress(done_sources, len(stale_ids))
        self.mention_writer.flush()
        self.mention_writer = None
        self._created_statements(self.statement_writer.flush())
        self.statement_writer = None
        self.report.re_extracted = len(stale_ids)

    def _jobs(
        self, stale_ids: Sequence[int], pending: dict[int, _Pending]
    ) -> Iterator[parallel.Job]:
        """The stale sources as extraction jobs, loaded a slice at a time (lazily, so only
        the pool's window of sources is in memory)."""
        for offset in range(0, len(stale_ids), _LOAD_SLICE):
            ids = list(stale_ids[offset : offset + _LOAD_SLICE])
            self.session.flush()  # what the previous slice wrote, before asking what is stored
            sources = sources_writes.by_ids(self.session, ids)
            reported = incidents_writes.reported_by_sources(self.session, ids)
            stored = statements_writes.sources_with_statements(self.session, ids)
            mentioned = sources_writes.sources_with_mentions(self.session, ids)
            unsigned = sources_writes.unsigned(self.session, ids)
            for source_id in ids:
                source = sources[source_id]
                incidents = reported.get(source_id, [])
                given = source.given or {}
                stated_date = given.get("published_on")
                pending[source_id] = _Pending(
                    source=source,
                    incidents=incidents,
                    has_statements=source_id in stored,
                    has_mentions=source_id in mentioned,
                    unsigned=source_id in unsigned,
                )
                yield parallel.Job(
                    source_id=source_id,
                    text=source.text,
                    slug=source.slug,
                    published_on=date.fromisoformat(stated_date) if stated_date else None,
                    incidents=tuple(_known_incident(i) for i in incidents),
                )

    def _known_actors(self) -> list[extraction.KnownActor]:
        curated = [a for a in self.actors.values() if a.origin is ActorOrigin.curated]
        # A built-in name that a curated actor also uses ("Jerusalem", a curated metonym) is
        # left to the curated actor: two owners would make the gazetteer match neither.
        curated_keys = frozenset(alias.key for actor in curated for alias in actor.aliases)
        known = [_known_state(state, curated_keys) for state in self.builtin.values()]
        for actor in curated:
            by_kind = actors_writes.names_by_kind(actor)
            known.append(
                extraction.KnownActor(
                    slug=actor.slug,
                    name=actor.name,
                    kind=actor.kind.value,
                    country=actor.country,
                    title=actor.title,
                    aliases=tuple(by_kind[AliasKind.alias]),
                    demonyms=tuple(by_kind[AliasKind.demonym]),
                    metonyms=tuple(by_kind[AliasKind.metonym]),
                    affiliation=actor.affiliation.slug if actor.affiliation else None,
                )
            )
        return known

    def _store_extraction(self, job: _Pending, done: parallel.Done) -> None:
        source, incidents, result = job.source, job.incidents, done.result
        given = source.given or {}
        # Metadata the input states wins; cues in the text are the fallback.
        self.report.changes += sources_writes.set_metadata(
            source,
            title=given.get("title") or result.title,
            publisher=given.get("publisher") or result.publisher,
            published_on=result.published_on,
            url=given.get("url"),
            language=given.get("language"),
        )
        stored_as = {new.slug: self._store_new_actor(new) for new in result.new_actors}
        by_slug = {i.slug: i for i in incidents}
        found = [self._found(statement, by_slug, stored_as) for statement in result.statements]
        if job.has_statements:
            self.synced_source_ids.add(source.id)
            self.report.changes += statements_writes.sync_for_source(self.session, source.id, found)
        elif found:
            assert self.statement_writer is not None, "set by _extract"
            self._created_statements(self.statement_writer.add(source.id, found))
            self.report.changes += 2 * len(found)  # as sync_for_source counts a new row
        mentions = [
            (actor.id, start, end, text)
            for slug, start, end, text in done.mentions
            if (actor := self._actor(stored_as.get(slug, slug))) is not None
        ]
        if sources_writes.sync_mentions(
            self.session, source.id, mentions, stored=job.has_mentions, writer=self.mention_writer
        ):
            # A source's detail lists its mentions: a mirror must fetch it again.
            self.recorder.updated("source", [(source.id, source.slug)])
            self.report.changes += 1

    def _created_statements(self, ids: list[int]) -> None:
        self.recorder.created("statement", ((i, None) for i in ids))

    def _store_new_actor(self, new: extraction.NewActor) -> str:
        """Store a speaker the article described as the actor it is (one per person); its slug."""
        if self.people is None:
            self.people = identity.People.of(self.actors.values(), self._state_words())
        person = self.people.identify(new)
        actor = person.existing
        if new.affiliation is not None:
            self._actor(new.affiliation)  # a built-in state is stored before it is linked to
        if actor is None:
            same_slug = self.actors.get(person.slug)
            named = same_slug.name if same_slug is not None else None
            self.report.changes += actors_writes.upsert_extracted(
                self.session,
                self.actors,
                person.slug,
                name=person.name,
                kind=new.kind,
                country=new.country,
                title=person.title,
                affiliation=new.affiliation,
            )
            self.people.add(self.actors[person.slug])
            if same_slug is not None and same_slug.name != named:
                self.renamed_actor_ids.add(same_slug.id)
            return person.slug
        if actor.origin is ActorOrigin.extracted:
            named = actor.name
            self.report.changes += actors_writes.complete_extracted(
                self.actors,
                actor,
                name=person.name,
                slug=person.slug,
                country=new.country,
                title=person.title,
                affiliation=new.affiliation,
            )
            self.people.add(actor)
            if actor.name != named:
                self.renamed_actor_ids.add(actor.id)
        return actor.slug

    def _state_words(self) -> set[str]:
        words: set[str] = set()
        for actor in self.actors.values():
            if actor.kind is ActorKind.state:
                for alias in actor.aliases:
                    if alias.kind in (AliasKind.name, AliasKind.demonym):
                        words.update(alias.key.split())
        return words

    def _found(
        self,
        found: extraction.ExtractedStatement,
        incidents: dict[str, Incident],
        stored_as: dict[str, str],
    ) -> statements_writes.Found:
        slug = stored_as.get(found.speaker, found.speaker) if found.speaker else None
        speaker = self._actor(slug) if slug else None
        incident = incidents.get(found.incident) if found.incident else None
        return statements_writes.Found(
            start=found.start,
            end=found.end,
            text=found.text,
            speaker_text=found.speaker_text,
            speaker_id=speaker.id if speaker else None,
            speaker_name=speaker.name if speaker else None,
            said_on=found.said_on,
            incident_id=incident.id if incident else None,
            attribution_method=found.attribution.method,
            attribution_confidence=found.attribution.confidence,
            attribution_evidence=tuple(
                {"start": e.start, "end": e.end, "text": e.text} for e in found.attribution.evidence
            ),
        )

    # -- search ----------------------------------------------------------------------------

    def _refresh_search_text(self) -> None:
        """Recompute what `q=` searches for every row this run may have changed."""
        self.session.flush()
        actor_slugs = {r.record.slug for r in self.batch.actors}
        actors_writes.refresh_search_text(self.actors.values(), actor_slugs)
        touched_actors = [a.id for a in self.actors.values() if a.slug in actor_slugs]
        incident_slugs = [r.record.slug for r in self.batch.incidents]
        incidents_writes.refresh_search_text(self.session, incident_slugs, touched_actors)
        statements_writes.refresh_search_text(
            self.session, self.synced_source_ids, {*touched_actors, *self.renamed_actor_ids}
        )

    def _count(self, meta: DatasetMeta) -> None:
        def count(model: Any) -> int:
            return int(self.session.scalar(select(func.count()).select_from(model)) or 0)

        self.report.sources = count(Source)
        self.report.actors = count(Actor)
        self.report.incidents = count(Incident)
        self.report.statements = count(Statement)
        self.report.mentions = count(Mention)
        self.report.new_actors = int(
            self.session.scalar(
                select(func.count()).select_from(Actor).where(Actor.origin == ActorOrigin.extracted)
            )
            or 0
        )
        self.report.data_version = meta.data_version


@dataclass
class _Pending:
    """A source sent to extraction, and what its result is written against."""

    source: Source
    incidents: list[Incident]
    # Whether the source has rows stored already: a new source needs no comparison.
    has_statements: bool
    has_mentions: bool
    # Whether its near-duplicate signature is missing (new or changed text).
    unsigned: bool


def _known_incident(incident: Incident) -> extraction.KnownIncident:
    return extraction.KnownIncident(
        slug=incident.slug,
        date_start=incident.date_start,
        date_end=incident.date_end,
        participants=tuple(p.actor.slug for p in incident.participants),
        sources=tuple(s.slug for s in incident.sources),
    )


def _names(record: ActorRecord) -> actors_writes.Names:
    return {
        AliasKind.name: [record.name],
        AliasKind.alias: record.aliases,
        AliasKind.demonym: record.demonyms,
        AliasKind.metonym: record.metonyms,
    }


def _cycle_from(slug: str, parents: dict[str, str | None]) -> str | None:
    """The affiliation cycle reached by following `slug`'s parents, as `a -> b -> a`."""
    seen = [slug]
    parent = parents.get(slug)
    while parent is not None and parent not in seen:
        seen.append(parent)
        parent = parents.get(parent)
    if parent is None:
        return None
    return " -> ".join([*seen[seen.index(parent) :], parent])


def _known_state(
    state: builtin_states.BuiltinState, taken: frozenset[str]
) -> extraction.KnownActor:
    def free(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(n for n in names if match_key(n) not in taken)

    return extraction.KnownActor(
        slug=state.slug,
        name=state.name,
        kind="state",
        country=state.country,
        title=None,
        aliases=free(state.aliases),
        demonyms=free(state.demonyms),
        metonyms=free(state.metonyms),
    )
