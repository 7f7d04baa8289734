"""Writing sources: articles by content hash, their metadata and actor mentions.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Mapping
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, defer

from app.kit import near_duplicates
from app.kit.writes import assign
from app.sources.models import Mention, Source

# (actor id, start, end, text) of one mention
MentionRow = tuple[int, int, int, str]
# Told the (id, slug) of sources whose near-duplicate mark changed.
Remarked = Callable[[list[tuple[int, str]]], None]


def by_slugs(session: Session, slugs: Collection[str]) -> dict[str, Source]:
    wanted = sorted(set(slugs))
    found: dict[str, Source] = {}
    # Bounded IN lists: SQLite refuses more than 32,766 bound values in one statement.
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start : start + 10_000]
        rows = session.scalars(
            # The text is read only where the input's hash differs: a re-run over an unchanged
            # corpus does not load it.
            select(Source).where(Source.slug.in_(chunk)).options(defer(Source.text))
        )
        found.update((s.slug, s) for s in rows)
    return found


def upsert_article(
    session: Session,
    sources: dict[str, Source],
    slug: str,
    *,
    text: str,
    content_hash: str,
    input_hash: str,
    given: dict[str, str],
) -> int:
    """Create or update the article `slug` (added to `sources`); how many changes.

    A changed text or changed stated metadata marks the source stale, so the next
    extraction pass re-reads it.
    """
    changes = 0
    source = sources.get(slug)
    if source is None:
        source = Source(slug=slug, extraction_key="")
        session.add(source)
        sources[slug] = source
        changes += 1
    # An unchanged input keeps its stored text: a page is not re-extracted into a different
    # text (and different offsets) because trafilatura was upgraded.
    if source.input_hash != input_hash:
        if source.content_hash != content_hash:
            source.text = text
            source.content_hash = content_hash
            source.extraction_key = ""  # stale: re-extract
            source.signature = None  # and re-sign for the near-duplicate check
        source.input_hash = input_hash
        changes += 1
    stated = given or None
    if source.given != stated:
        source.given = stated
        source.extraction_key = ""  # stated metadata feeds extraction (dates)
        changes += 1
    return changes


def stale_ids(session: Session, extraction_key: str) -> array[int]:
    """Ids of the sources last extracted under another key (other rules or other curated
    data), in id order: 8 bytes each (every source of a new corpus is stale)."""
    return array(
        "q",
        session.scalars(
            select(Source.id)
            .where(Source.extraction_key != extraction_key)
            .order_by(Source.id)
            .execution_options(yield_per=_READ_SLICE)
        ),
    )


def by_ids(session: Session, ids: Collection[int]) -> dict[int, Source]:
    return {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids)))}


def sources_with_mentions(session: Session, ids: Collection[int]) -> set[int]:
    """Those of `ids` with at least one stored mention."""
    return set(
        session.scalars(select(Mention.source_id).where(Mention.source_id.in_(ids)).distinct())
    )


def unsigned(session: Session, ids: Collection[int]) -> set[int]:
    """Those of `ids` without a near-duplicate signature (new or changed text)."""
    return set(
        session.scalars(select(Source.id).where(Source.id.in_(ids), Source.signature.is_(None)))
    )


def set_metadata(
    source: Source,
    *,
    title: str | None,
    publisher: str | None,
    published_on: date | None,
    url: str | None,
    language: str | None,
) -> bool:
    return assign(
        source,
        {
            "title": title,
            "publisher": publisher,
            "published_on": published_on,
            "url": url,
            "language": language,
        },
    )


class MentionWriter:
    """Mention rows to insert, written in large executemany batches.

    Mentions are the most numerous rows of an ingest (dozens an article) and nothing in the
    run reads them back as objects: plain Core inserts, many sources at a time.
    """

    BATCH = 20_000

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: list[tuple[int, int, int, int, str]] = []

    def add(self, source_id: int, wanted: list[MentionRow]) -> None:
        self.rows.extend((source_id, a, s, e, t) for a, s, e, t in wanted)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            # The driver's executemany with plain tuples: SQLAlchemy's per-row parameter
            # processing cost three times the insert itself (py-spy, 44 mentions an article).
            connection.exec_driver_sql(_SQLITE_INSERT_MENTION, self.rows)
        else:
            # psycopg: SQLAlchemy batches these into multi-row INSERTs (insertmanyvalues).
            names = ("source_id", "actor_id", "start", "end", "text")
            connection.execute(
                insert(Mention), [dict(zip(names, row, strict=True)) for row in self.rows]
            )
        self.rows = []


_SQLITE_INSERT_MENTION = (
    'INSERT INTO mention (source_id, actor_id, start, "end", text) VALUES (?, ?, ?, ?, ?)'
)


def sync_mentions(
    session: Session,
    source_id: int,
    wanted: list[MentionRow],
    *,
    stored: bool = True,
    writer: MentionWriter | None = None,
) -> bool:
    """Make the source's mentions exactly `wanted`; whether anything changed.

    `stored=False` says the source has no mentions yet, which saves reading them. With a
    `writer`, the new rows are inserted when it flushes (the caller flushes it).
    """
    wanted = sorted(wanted)
    if stored:
        rows = session.execute(
            select(Mention.actor_id, Mention.start, Mention.end, Mention.text).where(
                Mention.source_id == source_id
            )
        )
        if sorted((a, s, e, t) for a, s, e, t in rows) == wanted:
            return False
        session.execute(delete(Mention).where(Mention.source_id == source_id))
    if not wanted:
        return stored
    own = writer or MentionWriter(session)
    own.add(source_id, wanted)
    if writer is None:
        own.flush()
    return True


def delete_by_ids(session: Session, ids: list[int]) -> None:
    """Delete sources by id; cascades take their statements, mentions and incident links."""
    for start in range(0, len(ids), 10_000):  # bounded IN lists
        chunk = ids[start : start + 10_000]
        session.execute(delete(Source).where(Source.id.in_(chunk)))


def mark_duplicates(session: Session, *, signed: bool, force: bool, remarked: Remarked) -> int:
    """Sign the sources still without a near-duplicate signature, then re-mark every
    source's `duplicate_of`; hand the (id, slug) of the sources whose mark changed to
    `remarked`, a slice at a time, and return how many there were.

    `signed` says this run stored signatures (new or edited texts). Nothing is re-marked when
    no source was signed and `force` is off (sources were deleted): the marks depend only on
    the set of signatures.
    """
    unsigned = _sign_unsigned(session)
    if not signed and not unsigned and not force:
        return 0
    # Every signature and its mark as stored go to a scratch database
    # (near_duplicates.SignatureFile): the whole corpus is compared at once, and memory must
    # not grow with the signatures, nor with anything kept per source.
    changed = 0
    with near_duplicates.SignatureFile() as signatures:
        rows = session.execute(
            select(Source.id, Source.signature, Source.duplicate_of)
            .where(Source.signature.is_not(None))
            .order_by(Source.id)
            .execution_options(yield_per=_READ_SLICE)
        )
        for row_id, blob, duplicate_of in rows:
            if blob is None:
                continue  # not selected: every source was signed above
            signatures.add(row_id, blob, duplicate_of)
        # Written and reported a slice at a time: a first ingest of a syndicated corpus
        # changes the mark of half its sources.
        for marks in signatures.changed_marks(slice_rows=_MARK_SLICE):
            _set_by_id(session, "duplicate_of", dict(marks))
            remarked(_with_slugs(session, [i for i, _ in marks]))
            changed += len(marks)
    return changed


def _sign_unsigned(session: Session) -> int:
    """Sign the sources without a signature (stored before signatures existed, or given by
    the prune's own writes); how many. Their texts are read a slice at a time."""
    signed = 0
    while True:
        rows = session.execute(
            select(Source.id, Source.text)
            .where(Source.signature.is_(None))
            .order_by(Source.id)
            .limit(_READ_SLICE)
        ).all()
        if not rows:
            return signed
        _set_by_id(session, "signature", {i: near_duplicates.signature(t) for i, t in rows})
        signed += len(rows)


def _with_slugs(session: Session, ids: list[int]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for start in range(0, len(ids), 10_000):  # bounded IN lists
        chunk = ids[start : start + 10_000]
        found += [
            (i, slug)
            for i, slug in session.execute(
                select(Source.id, Source.slug).where(Source.id.in_(chunk))
            )
        ]
    return sorted(found)


# Rows read per query or per fetch when walking every source.
_READ_SLICE = 2_000
# Marks written (and their slugs read) per statement.
_MARK_SLICE = 5_000


def _set_by_id(session: Session, column: str, values: Mapping[int, object]) -> None:
    """One executemany UPDATE by primary key. An UPDATE ... WHERE per row would make the
    session compare every loaded source against each statement: quadratic in the corpus."""
    if values:
        session.execute(update(Source), [{"id": i, column: v} for i, v in values.items()])
