"""Which rows an ingest created, updated or deleted: the change feed's write side."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from app.actors.models import Actor, ActorAlias
from app.changes.models import Change, ChangeOp, DataVersion
from app.incidents.models import Incident, IncidentParticipant
from app.sources.models import Mention, Source
from app.statements.models import Statement

KINDS: dict[type[Any], str] = {
    Actor: "actor",
    Incident: "incident",
    Source: "source",
    Statement: "statement",
}

Key = tuple[str, int]

# Bookkeeping columns no API response shows: changing them alone is not a change to mirror
# (re-extraction rewrites extraction_key on every source).
_INVISIBLE = frozenset({"extraction_key", "input_hash", "given", "search_text"})


def _visibly_modified(obj: object) -> bool:
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in _INVISIBLE)


# Where the slugs of compactly recorded rows are read back when the feed is written.
_SLUGGED: dict[str, Any] = {"actor": Actor, "incident": Incident, "source": Source}
# Change rows per INSERT batch.
_WRITE_BATCH = 20_000


class IdRuns:
    """Ascending ids as runs of consecutive ids: a run's first id and the id after its last.

    What a run creates gets consecutive ids (one sequence per table), so the hundreds of
    thousands of rows of a large ingest fit in a few runs: memory does not grow with them.
    """

    def __init__(self) -> None:
        self._starts = array("q")
        self._ends = array("q")
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def last(self) -> int | None:
        return self._ends[-1] - 1 if self._ends else None

    def append(self, row_id: int) -> None:
        """Add an id greater than every id held."""
        assert self.last is None or row_id > self.last, "ids are appended in ascending order"
        if self._ends and self._ends[-1] == row_id:
            self._ends[-1] = row_id + 1
        else:
            self._starts.append(row_id)
            self._ends.append(row_id + 1)
        self._count += 1

    def __contains__(self, row_id: object) -> bool:
        if not isinstance(row_id, int):
            return False
        at = bisect_right(self._starts, row_id) - 1
        return at >= 0 and row_id < self._ends[at]

    def chunks(self, size: int) -> Iterator[list[int]]:
        """Every id, in ascending order, `size` at a time."""
        chunk: list[int] = []
        for start, end in zip(self._starts, self._ends, strict=True):
            row_id = start
            while row_id < end:
                upto = min(end, row_id + size - len(chunk))
                chunk += range(row_id, upto)
                row_id = upto
                if len(chunk) == size:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk


@dataclass
class ChangeRecorder:
    """Listens to one session's flushes; Core deletes are reported to it by their callers."""

    ops: dict[Key, tuple[ChangeOp, str | None]] = field(default_factory=dict)
    # Rows created by this run (every source and statement of a new corpus), as runs of
    # ascending ids per kind: a few runs for any number of rows instead of a dict entry of
    # tuples (about 250 bytes) a row. Created then updated is still created; the slug is read
    # back when the feed is written.
    created_ids: dict[str, IdRuns] = field(default_factory=dict)
    # Of those, the ones deleted again within the run: nobody saw them.
    _gone: set[Key] = field(default_factory=set)

    def listen(self, session: Session) -> None:
        event.listen(session, "after_flush", self._after_flush)

    def stop(self, session: Session) -> None:
        event.remove(session, "after_flush", self._after_flush)

    def __bool__(self) -> bool:
        compact = sum(len(ids) for ids in self.created_ids.values())
        return bool(self.ops) or compact > len(self._gone)

    def record(self, kind: str, row_id: int, slug: str | None, op: ChangeOp) -> None:
        key = (kind, row_id)
        before = self.ops.get(key)
        if before is None and self._compactly_created(key):
            if op is ChangeOp.deleted:
                self._gone.add(key)  # born and gone within one version
            return
        if before is None:
            self.ops[key] = (op, slug)
            return
        earlier = before[0]
        if earlier is ChangeOp.created and op is ChangeOp.deleted:
            del self.ops[key]  # born and gone within one version: nobody saw it
        elif earlier is ChangeOp.created:
            self.ops[key] = (ChangeOp.created, slug or before[1])
        elif op is ChangeOp.deleted or earlier is ChangeOp.deleted:
            self.ops[key] = (op if op is ChangeOp.deleted else ChangeOp.updated, slug or before[1])
        else:
            self.ops[key] = (ChangeOp.updated, slug or before[1])

    def deleted(self, kind: str, rows: Iterable[tuple[int, str | None]]) -> None:
        for row_id, slug in rows:
            self.record(kind, row_id, slug, ChangeOp.deleted)

    def created(self, kind: str, rows: Iterable[tuple[int, str | None]]) -> None:
        """Rows inserted (with Core, which no flush event sees, or seen at a flush)."""
        for row_id, slug in rows:
            last = ids.last if (ids := self.created_ids.get(kind)) is not None else None
            if (kind, row_id) not in self.ops and (last is None or last < row_id):
                self.created_ids.setdefault(kind, IdRuns()).append(row_id)
            else:
                self.record(kind, row_id, slug, ChangeOp.created)

    def _compactly_created(self, key: Key) -> bool:
        ids = self.created_ids.get(key[0])
        return ids is not None and key not in self._gone and key[1] in ids

    def updated(self, kind: str, rows: Iterable[tuple[int, str | None]]) -> None:
        for row_id, slug in rows:
            self.record(kind, row_id, slug, ChangeOp.updated)

    def write(self, session: Session, version: int) -> DataVersion:
        """The version row and one change row per touched row, oldest kind first."""
        counts = {kind: {op.value: 0 for op in ChangeOp} for kind in sorted(set(KINDS.values()))}
        for (kind, _), (op, _) in self.ops.items():
            counts[kind][op.value] += 1
        for kind, ids in self.created_ids.items():
            gone = sum(1 for k, _ in self._gone if k == kind)
            counts[kind][ChangeOp.created.value] += len(ids) - gone
        self._fill_slugs(session)
        data_version = DataVersion(number=version, created_at=datetime.now(UTC), counts=counts)
        session.add(data_version)
        session.flush()
        # Core executemany, a batch at a time: an ingest of many articles records hundreds of
        # thousands of rows, never all built at once.
        batch: list[dict[str, Any]] = []
        for kind, row_id, op, slug in self._in_order(session):
            batch.append(
                {"version": version, "kind": kind, "row_id": row_id, "slug": slug, "op": op}
            )
            if len(batch) >= _WRITE_BATCH:
                session.execute(insert(Change), batch)
                batch = []
        if batch:
            session.execute(insert(Change), batch)
        return data_version

    def _in_order(self, session: Session) -> Iterator[tuple[str, int, ChangeOp, str | None]]:
        """Every recorded row by kind then id: `ops` merged with the compact created ids."""
        recorded = sorted(self.ops.items())
        at = 0
        for kind in sorted({k for k, _ in self.ops} | set(self.created_ids)):
            for row_id, slug in self._compact_rows(session, kind):
                while at < len(recorded) and recorded[at][0] < (kind, row_id):
                    (k, i), (op, recorded_slug) = recorded[at]
                    yield k, i, op, recorded_slug
                    at += 1
                yield kind, row_id, ChangeOp.created, slug
            while at < len(recorded) and recorded[at][0][0] == kind:
                (k, i), (op, slug) = recorded[at]
                yield k, i, op, slug
                at += 1

    def _compact_rows(self, session: Session, kind: str) -> Iterator[tuple[int, str | None]]:
        """The kind's compactly recorded rows still there, with their slugs, in id order."""
        ids = self.created_ids.get(kind, IdRuns())
        model = _SLUGGED.get(kind)
        for created in ids.chunks(10_000):  # bounded IN lists
            chunk = [i for i in created if (kind, i) not in self._gone]
            slugs: dict[int, str] = {}
            if model is not None:
                query = select(model.id, model.slug).where(model.id.in_(chunk))
                slugs = {row_id: slug for row_id, slug in session.execute(query)}
            for row_id in chunk:
                yield row_id, slugs.get(row_id)

    def _fill_slugs(self, session: Session) -> None:
        # A parent seen only through a child row (an alias, a participant) has no slug yet.
        for model, kind in ((Actor, "actor"), (Incident, "incident"), (Source, "source")):
            missing = [i for (k, i), (_, slug) in self.ops.items() if k == kind and slug is None]
            for start in range(0, len(missing), 10_000):
                chunk = missing[start : start + 10_000]
                rows = session.execute(select(model.id, model.slug).where(model.id.in_(chunk)))
                for row_id, slug in rows:
                    op, _ = self.ops[(kind, row_id)]
                    self.ops[(kind, row_id)] = (op, slug)

    def _after_flush(self, session: Session, _flush: UOWTransaction) -> None:
        for obj in session.new:
            self._seen(obj, ChangeOp.created)
        for obj in session.dirty:
            if _visibly_modified(obj):
                self._seen(obj, ChangeOp.updated)
        for obj in session.deleted:
            self._seen(obj, ChangeOp.deleted)

    def _seen(self, obj: object, op: ChangeOp) -> None:
        kind = KINDS.get(type(obj))
        if kind is not None:
            row_id: int = obj.id  # type: ignore[attr-defined]
            if op is ChangeOp.created:
                self.created(kind, [(row_id, None)])  # the slug is read back at the write
            else:
                self.record(kind, row_id, getattr(obj, "slug", None), op)
            return
        # A child row changes what its parent's detail shows: the parent is updated.
        if isinstance(obj, ActorAlias):
            self.record("actor", obj.actor_id, None, ChangeOp.updated)
        elif isinstance(obj, IncidentParticipant):
            self.record("incident", obj.incident_id, None, ChangeOp.updated)
        elif isinstance(obj, Mention):
            self.record("source", obj.source_id, None, ChangeOp.updated)
