"""`ingest --prune`: what the inputs no longer hold, deleted in the ingest's own transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.actors import writes as actors_writes
from app.actors.models import Actor, ActorOrigin
from app.changes.recording import ChangeRecorder
from app.errors import IncidentDBError
from app.incidents import writes as incidents_writes
from app.incidents.models import Incident
from app.ingest.loader import Batch
from app.ingest.scratch import Scratch
from app.sources import writes as sources_writes
from app.sources.models import Mention, Source
from app.statements.models import Statement

# A prune that would delete more than this share of any table asks for --yes: a path left
# off the command line would otherwise empty the database.
MAX_SHARE_WITHOUT_YES = 0.25
SHOWN_PER_KIND = 20


@dataclass(frozen=True)
class Doomed:
    kind: str  # "source", "incident", "actor", "statement", "mention"
    total: int
    rows: dict[int, str | None]  # id -> slug (None for rows without one)
    counted: str = ""  # what `total` counts when it is not the whole table ("curated actor")

    @property
    def noun(self) -> str:
        return self.counted or self.kind

    @property
    def share(self) -> float:
        return len(self.rows) / self.total if self.total else 0.0


@dataclass(frozen=True)
class PrunePlan:
    kinds: list[Doomed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(d.rows for d in self.kinds)

    def of(self, kind: str) -> Doomed:
        return next(d for d in self.kinds if d.kind == kind)

    @property
    def deleted(self) -> int:
        """Rows deleted directly (their statements and mentions go by cascade)."""
        return sum(len(d.rows) for d in self.kinds if d.kind in ("source", "incident", "actor"))

    def too_large(self) -> list[Doomed]:
        return [d for d in self.kinds if d.share > MAX_SHARE_WITHOUT_YES]

    def lines(self) -> list[str]:
        """The plan as printed before anything is deleted."""
        if self.empty:
            return ["prune: nothing to delete"]
        counts = ", ".join(
            f"{len(d.rows):,} of {d.total:,} {d.noun}s ({d.share:.0%})" for d in self.kinds
        )
        lines = [f"prune: delete {counts}"]
        for d in self.kinds:
            slugs = sorted(s for s in d.rows.values() if s is not None)
            for slug in slugs[:SHOWN_PER_KIND]:
                lines.append(f"  {d.kind} {slug}")
            if len(slugs) > SHOWN_PER_KIND:
                lines.append(f"  … and {len(slugs) - SHOWN_PER_KIND:,} more {d.kind}s")
        return lines


class PruneRefused(IncidentDBError):
    """The prune would delete more than a quarter of a table and --yes was not given."""

    def __init__(self, plan: PrunePlan) -> None:
        worst = ", ".join(
            f"{d.share:.0%} of the {d.noun}s ({len(d.rows):,} of {d.total:,})"
            for d in plan.too_large()
        )
        super().__init__(
            f"prune refused: it would delete {worst}, more than a quarter; check the paths "
            "(every file to keep must be named), or run again with --yes"
        )
        self.plan = plan


def plan(
    session: Session, batch: Batch, scratch: Scratch, *, created_sources: int = 0
) -> PrunePlan:
    """What is in the database and not in `batch`: curated actors, incidents and sources
    (the batch's article slugs are in `scratch`, read whole by then).

    `created_sources` were written by this run before the plan: they are not counted in
    the share of sources deleted (which is of the sources there were).
    """
    keep_incidents = {located.record.slug for located in batch.incidents}
    keep_actors = {located.record.slug for located in batch.actors}
    # Compared in the database: the inputs' slugs are not held in memory.
    unread = ~scratch.holds_slug(Source.slug)
    sources: dict[int, str | None] = {
        source_id: slug
        for source_id, slug in session.execute(select(Source.id, Source.slug).where(unread))
    }
    incidents = _missing(session.execute(select(Incident.id, Incident.slug)), keep_incidents)
    actors = _missing(
        session.execute(select(Actor.id, Actor.slug).where(Actor.origin == ActorOrigin.curated)),
        keep_actors,
    )
    statements: dict[int, str | None] = {
        i: None
        for i in session.scalars(select(Statement.id).where(Statement.source_id.in_(list(sources))))
    }
    mentions: dict[int, str | None] = {
        i: None
        for i in session.scalars(
            select(Mention.id).where(
                Mention.source_id.in_(list(sources)) | Mention.actor_id.in_(list(actors))
            )
        )
    }
    return PrunePlan(
        [
            Doomed("source", _count(session, Source) - created_sources, sources),
            Doomed("incident", _count(session, Incident), incidents),
            # Out of the curated actors only, the ones the inputs hold: extracted speakers and
            # built-in states (stored for any state a corpus names) would otherwise dilute the
            # share, and a forgotten actors.yaml would pass under the quarter.
            Doomed(
                "actor",
                _count(session, Actor, Actor.origin == ActorOrigin.curated),
                actors,
                counted="curated actor",
            ),
            Doomed("statement", _count(session, Statement), statements),
            Doomed("mention", _count(session, Mention), mentions),
        ]
    )


def execute(session: Session, plan: PrunePlan, recorder: ChangeRecorder) -> None:
    """Delete the plan's rows; the database's cascades take their statements and mentions."""
    for kind in ("source", "incident", "actor", "statement"):
        recorder.deleted(kind, plan.of(kind).rows.items())
    # Rows the cascades change without deleting them (SET NULL) are updates in the feed.
    incidents, actors = list(plan.of("incident").rows), list(plan.of("actor").rows)
    doomed_statements = set(plan.of("statement").rows)
    touched = session.scalars(
        select(Statement.id).where(
            Statement.incident_id.in_(incidents) | Statement.speaker_id.in_(actors)
        )
    )
    recorder.updated("statement", [(i, None) for i in touched if i not in doomed_statements])
    members = session.execute(select(Actor.id, Actor.slug).where(Actor.affiliation_id.in_(actors)))
    recorder.updated("actor", [(i, s) for i, s in members if i not in plan.of("actor").rows])
    mentioning = session.execute(
        select(Source.id, Source.slug).where(
            Source.id.in_(select(Mention.source_id).where(Mention.actor_id.in_(actors)))
        )
    )
    recorder.updated("source", [(i, s) for i, s in mentioning if i not in plan.of("source").rows])
    # Copies of a deleted source lose their `duplicate_of` to the cascade (SET NULL), before
    # the near-duplicate pass re-marks them: a change a mirror must see even if the pass
    # leaves them originals.
    doomed_sources = list(plan.of("source").rows)
    for start in range(0, len(doomed_sources), 10_000):  # bounded IN lists
        copies = session.execute(
            select(Source.id, Source.slug).where(
                Source.duplicate_of.in_(doomed_sources[start : start + 10_000])
            )
        )
        recorder.updated("source", [(i, s) for i, s in copies if i not in plan.of("source").rows])
    incidents_writes.delete_by_ids(session, list(plan.of("incident").rows))
    sources_writes.delete_by_ids(session, list(plan.of("source").rows))
    actors_writes.delete_by_ids(session, list(plan.of("actor").rows))


def _missing(rows: Iterable[tuple[int, str]], keep: Collection[str]) -> dict[int, str | None]:
    return {row_id: slug for row_id, slug in rows if slug not in keep}


def _count(
    session: Session,
    model: type[Source | Incident | Actor | Statement | Mention],
    *where: ColumnElement[bool],
) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
