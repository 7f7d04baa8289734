"""The ingest unit of work: curated records and articles in, one transaction, nothing half-done."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, exists, func, select, text
from sqlalchemy.orm import Session, selectinload

from app import extraction
from app.actors.models import Actor, ActorAlias, ActorKind, ActorOrigin, AliasKind
from app.db.meta import DatasetMeta
from app.errors import InputError, Problem
from app.incidents.models import Incident, IncidentParticipant, IncidentSource
from app.ingest import loader
from app.ingest.loader import Batch, Located
from app.ingest.records import ActorRecord, IncidentRecord
from app.kit.names import match_key
from app.sources.models import Mention, Source
from app.statements.models import Statement

# Bump when the extraction rules change, so the next ingest re-extracts every source.
EXTRACTOR_VERSION = "4"

Progress = Callable[[int, int], None]


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
    seconds: float = 0.0
    data_version: int = 0

    def summary(self) -> str:
        state = f"{self.changes} changes" if self.changes else "no changes"
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
    progress: Progress | None = None,
) -> IngestReport:
    """Load `paths` in one transaction; on bad input raise InputError, having written nothing."""
    started = time.perf_counter()
    batch = loader.load(paths, max_article_bytes=max_article_bytes)  # fails before any write
    with Session(engine, expire_on_commit=False) as session, session.begin():
        # One transaction for the whole run: a bad record anywhere leaves the database exactly
        # as it was, and readers never see half an ingest.
        _take_ingest_lock(session)
        report = _Apply(session, batch, progress).apply()
    report.seconds = time.perf_counter() - started
    return report


def _take_ingest_lock(session: Session) -> None:
    # SQLite writers already hold the database lock from BEGIN IMMEDIATE; on PostgreSQL a
    # second ingest waits here instead of interleaving its upserts with ours.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(8731246)"))


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the attributes that differ; report whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@dataclass
class _Apply:
    session: Session
    batch: Batch
    progress: Progress | None
    problems: list[Problem] = field(default_factory=list)
    report: IngestReport = field(default_factory=IngestReport)
    actors: dict[str, Actor] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    extracted_source_ids: set[int] = field(default_factory=set)

    def apply(self) -> IngestReport:
        self.actors = {
            a.slug: a
            for a in self.session.scalars(
                select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.affiliation))
            )
        }
        self._upsert_actors()
        self._check_affiliations()
        self._upsert_sources()
        self._upsert_incidents()
        if self.problems:
            raise InputError(self.problems)
        self.session.flush()
        meta = self._meta()
        curated_key = self._curated_key(meta)
        self._extract(curated_key)
        self._collect_orphan_actors()
        self._refresh_search_text()
        if self.report.changes:
            meta.data_version += 1
            meta.updated_at = datetime.now(UTC)
        self.session.flush()
        self._count(meta)
        return self.report

    # -- curated actors -------------------------------------------------------------------

    def _upsert_actors(self) -> None:
        for located in self.batch.actors:
            record = located.record
            actor = self.actors.get(record.slug)
            if actor is None:
                actor = Actor(slug=record.slug, aliases=[], affiliation=None)
                self.session.add(actor)
                self.actors[record.slug] = actor
                self.report.changes += 1
            values = {
                "name": record.name,
                "kind": record.kind,
                "country": record.country,
                "title": record.title,
                "origin": ActorOrigin.curated,
            }
            self.report.changes += _assign(actor, values)
            self.report.changes += self._sync_aliases(actor, record)

    def _sync_aliases(self, actor: Actor, record: ActorRecord) -> bool:
        wanted: dict[tuple[AliasKind, str], str] = {}
        for kind, names in (
            (AliasKind.name, [record.name]),
            (AliasKind.alias, record.aliases),
            (AliasKind.demonym, record.demonyms),
            (AliasKind.metonym, record.metonyms),
        ):
            for name in names:
                wanted.setdefault((kind, name), match_key(name))
        have = {(a.kind, a.alias): a for a in actor.aliases}
        if set(have) == set(wanted):
            return False
        for kind_and_name, alias in have.items():
            if kind_and_name not in wanted:
                actor.aliases.remove(alias)
        for (kind, name), key in wanted.items():
            if (kind, name) not in have:
                actor.aliases.append(ActorAlias(kind=kind, alias=name, key=key))
        return True

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
            if record.affiliation is not None and record.affiliation not in self.actors:
                where = located.where("affiliation")
                reason = f"affiliation: unknown actor {record.affiliation!r}"
                self.problems.append(Problem(*where, reason))
                continue
            valid[record.slug] = located
        for slug, located in valid.items():
            seen = [slug]
            parent = parents.get(slug)
            while parent is not None and parent not in seen:
                seen.append(parent)
                parent = parents.get(parent)
            if parent is not None:
                cycle = " -> ".join([*seen[seen.index(parent) :], parent])
                where = located.where("affiliation")
                self.problems.append(Problem(*where, f"affiliation: cycle {cycle}"))
        if self.problems:
            return  # nothing is assigned: a cycle could not even be flushed
        for slug, located in valid.items():
            actor = self.actors[slug]
            parent_actor = (
                self.actors[located.record.affiliation] if located.record.affiliation else None
            )
            if actor.affiliation is not parent_actor:
                actor.affiliation = parent_actor
                self.report.changes += 1
        self.session.flush()

    # -- sources ----------------------------------------------------------------------------

    def _upsert_sources(self) -> None:
        slugs = [a.slug for a in self.batch.articles]
        slugs += [s for located in self.batch.incidents for s in located.record.sources]
        if slugs:
            for source in self.session.scalars(select(Source).where(Source.slug.in_(set(slugs)))):
                self.sources[source.slug] = source
        for article in self.batch.articles:
            existing = self.sources.get(article.slug)
            if existing is not None:
                source = existing
            else:
                source = Source(slug=article.slug, extraction_key="")
                self.session.add(source)
                self.sources[article.slug] = source
                self.report.changes += 1
            if source.content_hash != article.content_hash:
                source.text = article.text
                source.content_hash = article.content_hash
                source.extraction_key = ""  # stale: re-extract below
                self.report.changes += 1

    # -- incidents --------------------------------------------------------------------------

    def _upsert_incidents(self) -> None:
        if not self.batch.incidents:
            return
        slugs = [located.record.slug for located in self.batch.incidents]
        existing = {
            i.slug: i
            for i in self.session.scalars(
                select(Incident)
                .where(Incident.slug.in_(slugs))
                .options(selectinload(Incident.participants), selectinload(Incident.sources))
            )
        }
        for located in self.batch.incidents:
            incident = existing.get(located.record.slug)
            if incident is None:
                incident = Incident(slug=located.record.slug, participants=[], sources=[])
                self.session.add(incident)
                existing[incident.slug] = incident
                self.report.changes += 1
            self._apply_incident(incident, located)

    def _apply_incident(self, incident: Incident, located: Located[IncidentRecord]) -> None:
        record = located.record
        self.report.changes += _assign(
            incident,
            {
                "title": record.title,
                "summary": record.summary,
                "type": record.type,
                "date_start": record.date_start,
                "date_end": record.date_end or record.date_start,
                "date_precision": record.date_precision,
                "location_country": record.location.country,
                "location_place": record.location.place,
                "severity": record.severity,
            },
        )
        wanted: list[tuple[Actor, str]] = []
        for index, participant in enumerate(record.participants):
            actor = self.actors.get(participant.actor)
            if actor is None:
                where = located.where("participants", index, "actor")
                self.problems.append(Problem(*where, f"unknown actor {participant.actor!r}"))
                continue
            wanted.append((actor, participant.role))
        have = [(p.actor_id, p.role, p.position) for p in incident.participants]
        if have != [(a.id, role, i) for i, (a, role) in enumerate(wanted)]:
            incident.participants.clear()
            self.session.flush()
            incident.participants.extend(
                IncidentParticipant(actor=a, role=role, position=i)
                for i, (a, role) in enumerate(wanted)
            )
            self.report.changes += 1
        sources: list[Source] = []
        for index, slug in enumerate(record.sources):
            source = self.sources.get(slug)
            if source is None:
                where = located.where("sources", index)
                self.problems.append(Problem(*where, f"unknown source {slug!r}"))
                continue
            sources.append(source)
        # The API lists an incident's sources by id, so their order in the YAML is not data.
        if {s.slug for s in incident.sources} != {s.slug for s in sources}:
            incident.sources[:] = sources
            self.report.changes += 1

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
        curated_changed = self.report.changes and (self.batch.actors or self.batch.incidents)
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
        return f"{EXTRACTOR_VERSION}:{meta.curated_key}"[:64]

    def _extract(self, curated_key: str) -> None:
        stale = list(
            self.session.scalars(
                select(Source).where(Source.extraction_key != curated_key).order_by(Source.id)
            )
        )
        if not stale:
            return
        gazetteer = extraction.Gazetteer.build(self._known_actors())
        for done, source in enumerate(stale, start=1):
            self._extract_source(source, gazetteer)
            self.extracted_source_ids.add(source.id)
            source.extraction_key = curated_key
            if self.progress is not None:
                self.progress(done, len(stale))
        self.report.re_extracted = len(stale)

    def _known_actors(self) -> list[extraction.KnownActor]:
        curated = [a for a in self.actors.values() if a.origin is ActorOrigin.curated]
        known = []
        for actor in curated:
            by_kind: dict[AliasKind, list[str]] = {k: [] for k in AliasKind}
            for alias in actor.aliases:
                by_kind[alias.kind].append(alias.alias)
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

    def _incidents_reported_by(
        self, source: Source
    ) -> tuple[list[extraction.KnownIncident], dict[str, Incident]]:
        incidents = list(
            self.session.scalars(
                select(Incident)
                .join(IncidentSource, IncidentSource.incident_id == Incident.id)
                .where(IncidentSource.source_id == source.id)
                .options(
                    selectinload(Incident.participants).selectinload(IncidentParticipant.actor),
                    selectinload(Incident.sources),
                )
            )
        )
        known = [
            extraction.KnownIncident(
                slug=i.slug,
                date_start=i.date_start,
                date_end=i.date_end,
                participants=tuple(p.actor.slug for p in i.participants),
                sources=tuple(s.slug for s in i.sources),
            )
            for i in incidents
        ]
        return known, {i.slug: i for i in incidents}

    def _extract_source(self, source: Source, gazetteer: extraction.Gazetteer) -> None:
        known_incidents, incidents = self._incidents_reported_by(source)
        result = extraction.extract_article(
            source.text, gazetteer, incidents=known_incidents, source_slug=source.slug
        )
        self.report.changes += _assign(
            source,
            {
                "title": result.title,
                "publisher": result.publisher,
                "published_on": result.published_on,
            },
        )
        for new in result.new_actors:
            self._upsert_extracted_actor(new)
        self._sync_statements(source, result, incidents)
        self._sync_mentions(source, result)

    def _upsert_extracted_actor(self, new: extraction.NewActor) -> None:
        actor = self.actors.get(new.slug)
        if actor is not None and actor.origin is ActorOrigin.curated:
            return  # the curated record always wins
        if actor is None:
            # affiliation set (even to None) so a later article naming the same new speaker
            # can compare it after the flush instead of tripping lazy="raise".
            actor = Actor(slug=new.slug, origin=ActorOrigin.extracted, aliases=[], affiliation=None)
            self.session.add(actor)
            self.actors[new.slug] = actor
            self.report.changes += 1
        self.report.changes += _assign(
            actor,
            {
                "name": new.name,
                "kind": ActorKind(new.kind),
                "country": new.country,
                "title": new.title,
                "affiliation": self.actors.get(new.affiliation) if new.affiliation else None,
            },
        )
        if not actor.aliases:
            actor.aliases.append(
                ActorAlias(kind=AliasKind.name, alias=new.name, key=match_key(new.name))
            )
        self.session.flush()

    def _sync_statements(
        self, source: Source, result: extraction.ArticleExtraction, incidents: dict[str, Incident]
    ) -> None:
        existing = {
            (s.start, s.end, s.text): s
            for s in self.session.scalars(select(Statement).where(Statement.source_id == source.id))
        }
        kept: set[tuple[int, int, str]] = set()
        for found in result.statements:
            key = (found.start, found.end, found.text)
            speaker = self.actors.get(found.speaker) if found.speaker else None
            incident = incidents.get(found.incident) if found.incident else None
            values = {
                "speaker_text": found.speaker_text,
                "speaker_id": speaker.id if speaker else None,
                "said_on": found.said_on,
                "incident_id": incident.id if incident else None,
            }
            statement = existing.get(key)
            if statement is None:
                # Unchanged quotes keep their ids across re-ingests, so citations stay valid.
                statement = Statement(
                    source_id=source.id, start=found.start, end=found.end, text=found.text
                )
                self.session.add(statement)
                self.report.changes += 1
            kept.add(key)
            self.report.changes += _assign(statement, values)
        for key, statement in existing.items():
            if key not in kept:
                self.session.delete(statement)
                self.report.changes += 1

    def _sync_mentions(self, source: Source, result: extraction.ArticleExtraction) -> None:
        wanted = sorted(
            (self.actors[m.actor].id, m.start, m.end, m.text)
            for m in result.mentions
            if m.actor in self.actors
        )
        rows = self.session.execute(
            select(Mention.actor_id, Mention.start, Mention.end, Mention.text).where(
                Mention.source_id == source.id
            )
        )
        have = sorted((a, s, e, t) for a, s, e, t in rows)
        if have == wanted:
            return
        self.session.execute(delete(Mention).where(Mention.source_id == source.id))
        self.session.add_all(
            Mention(source_id=source.id, actor_id=a, start=s, end=e, text=t)
            for a, s, e, t in wanted
        )
        self.report.changes += 1

    def _collect_orphan_actors(self) -> None:
        """Drop extracted actors nothing refers to any more (their quotes were re-attributed)."""
        self.session.flush()
        orphans = select(Actor.id).where(
            Actor.origin == ActorOrigin.extracted,
            ~exists().where(Statement.speaker_id == Actor.id),
            ~exists().where(Mention.actor_id == Actor.id),
            ~exists().where(IncidentParticipant.actor_id == Actor.id),
        )
        parents = set(
            self.session.scalars(
                select(Actor.affiliation_id).where(Actor.affiliation_id.is_not(None))
            )
        )
        ids = [i for i in self.session.scalars(orphans) if i not in parents]
        if ids:
            self.session.execute(delete(Actor).where(Actor.id.in_(ids)))
            for slug in [s for s, a in self.actors.items() if a.id in ids]:
                del self.actors[slug]
            self.report.changes += len(ids)

    # -- search ----------------------------------------------------------------------------

    def _refresh_search_text(self) -> None:
        """Recompute what `q=` searches for every row this run may have changed."""
        self.session.flush()
        actor_slugs = {r.record.slug for r in self.batch.actors}
        for actor in self.actors.values():
            if actor.slug in actor_slugs or not actor.search_text:
                names = [actor.name, *(a.alias for a in actor.aliases if a.alias != actor.name)]
                _assign(actor, {"search_text": " ".join(names)})
        touched_actors = [a.id for a in self.actors.values() if a.slug in actor_slugs]
        incident_slugs = [r.record.slug for r in self.batch.incidents]
        incidents = self.session.scalars(
            select(Incident)
            .where(
                Incident.slug.in_(incident_slugs)
                | Incident.id.in_(
                    select(IncidentParticipant.incident_id).where(
                        IncidentParticipant.actor_id.in_(touched_actors)
                    )
                )
            )
            .options(
                selectinload(Incident.participants)
                .selectinload(IncidentParticipant.actor)
                .selectinload(Actor.aliases)
            )
        )
        for incident in incidents:
            names = [alias.alias for p in incident.participants for alias in p.actor.aliases]
            _assign(incident, {"search_text": " ".join([incident.title, incident.summary, *names])})
        statements = self.session.scalars(
            select(Statement)
            .where(
                Statement.source_id.in_(self.extracted_source_ids)
                | Statement.speaker_id.in_(touched_actors)
            )
            .options(selectinload(Statement.speaker))
        )
        for statement in statements:
            parts = [statement.text, statement.speaker_text or ""]
            if statement.speaker is not None:
                parts.append(statement.speaker.name)
            _assign(statement, {"search_text": " ".join(p for p in parts if p)})

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
