"""Which rows an ingest created, updated or deleted: the change feed's write side."""

from __future__ import annotations

from array import array
from bisect import bisect_left
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


@dataclass
class ChangeRecorder:
    """Listens to one session's flushes; Core deletes are reported to it by their callers."""

    ops: dict[Key, tuple[ChangeOp, str | None]] = field(default_factory=dict)
    # Rows created by this run (every source and statement of a new corpus), as ascending ids
    # per kind: 8 bytes a row instead of a dict entry of tuples (about 250). Created then
    # updated is still created; the slug is read back when the feed is written.
    created_ids: dict[str, array[int]] = field(default_factory=dict)
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
            ids = self.created_ids.get(kind)
            if (kind, row_id) not in self.ops and (not ids or ids[-1] < row_id):
                self.created_ids.setdefault(kind, array("q")).append(row_id)
            else:
                self.record(kind, row_id, slug, ChangeOp.created)

    def _compactly_created(self, key: Key) -> bool:
        ids = self.created_ids.get(key[0])
        if not ids or key in self._gone:
            return False
        at = bisect_left(ids, key[1])
        return at < len(ids) and ids[at] == key[1]

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
        ids = self.created_ids.get(kind, array("q"))
        model = _SLUGGED.get(kind)
        for start in range(0, len(ids), 10_000):  # bounded IN lists
            chunk = [i for i in ids[start : start + 10_000] if (kind, i) not in self._gone]
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
