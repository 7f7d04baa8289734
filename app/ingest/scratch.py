"""What one ingest must know of every article, kept in the database instead of the writer's memory.

A corpus of 100,000 articles needs, for the run's length, the names of a folder's files in
order and where each slug was first read (for the duplicate-slug check and for `--prune`).
Held in Python, both grew with the corpus (about 260 bytes an article); here they are two
temporary tables of the ingest's own connection, created inside its one transaction: a
rollback or a SIGKILL takes them with everything else, and the commit drops them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import (
    Column,
    ColumnElement,
    ColumnExpressionArgument,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    exists,
    insert,
    select,
)
from sqlalchemy.orm import Session

# Rows written per statement, and file names read back per query.
_WRITE_SLICE = 5_000
_READ_SLICE = 1_000
# Bounded IN lists (SQLite refuses more than 32,766 bound values in one statement).
_LOOKUP_SLICE = 10_000

_metadata = MetaData()

# A folder's article files, one row a name. Names are stored as their UTF-8 bytes with
# surrogates passed through: a file name that is not valid UTF-8 (os.scandir gives its bytes
# as lone surrogates) survives the round trip, and byte order is code point order, so the
# database sorts them exactly as `sorted()` sorts the strings.
listing = Table(
    "ingest_listing",
    _metadata,
    Column("stream", Integer, primary_key=True),
    Column("name", LargeBinary, primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)

# Where each article slug of the inputs was first read: its path (the stream's folder and the
# file's name) and its line.
places = Table(
    "ingest_article_place",
    _metadata,
    Column("slug", String, primary_key=True),
    Column("stream", Integer, nullable=False),
    Column("name", LargeBinary, nullable=False),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


@dataclass(frozen=True)
class Place:
    """Where an article was read: the index of the path given to the ingest, the file's
    name in that path's folder (or the path itself), and the line."""

    stream: int
    name: str
    line: int


def _encode(name: str) -> bytes:
    return name.encode("utf-8", "surrogatepass")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")


class Scratch:
    """The run's temporary tables, on the session's connection, inside its transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        connection = session.connection()
        for table in (listing, places):
            table.create(connection)

    def drop(self) -> None:
        """Before the commit (PostgreSQL drops them at the commit anyway; SQLite would keep
        them on the pooled connection)."""
        connection = self.session.connection()
        for table in (places, listing):
            table.drop(connection)

    # -- a folder's files, in name order -------------------------------------------------------

    def list_files(self, stream: int, names: Iterable[str]) -> None:
        rows = ({"stream": stream, "name": _encode(name)} for name in names)
        while chunk := list(islice(rows, _WRITE_SLICE)):
            self.session.execute(insert(listing), chunk)

    def files(self, stream: int) -> Iterator[str]:
        """The names `list_files` stored for `stream`, sorted as `sorted()` sorts them, read
        a slice at a time."""
        after: bytes | None = None
        while True:
            query = select(listing.c.name).where(listing.c.stream == stream)
            if after is not None:
                query = query.where(listing.c.name > after)
            names = list(self.session.scalars(query.order_by(listing.c.name).limit(_READ_SLICE)))
            yield from (_decode(name) for name in names)
            if len(names) < _READ_SLICE:
                return
            after = names[-1]

    # -- article slugs -------------------------------------------------------------------------

    def places_of(self, slugs: Sequence[str]) -> dict[str, Place]:
        """Where each of `slugs` that an earlier `claim` recorded was first read."""
        found: dict[str, Place] = {}
        wanted = sorted(set(slugs))
        for start in range(0, len(wanted), _LOOKUP_SLICE):
            rows = self.session.execute(
                select(places.c.slug, places.c.stream, places.c.name, places.c.line).where(
                    places.c.slug.in_(wanted[start : start + _LOOKUP_SLICE])
                )
            )
            found.update(
                (slug, Place(stream, _decode(name), line)) for slug, stream, name, line in rows
            )
        return found

    def holds_slug(self, slug: ColumnExpressionArgument[str]) -> ColumnElement[bool]:
        """Whether the inputs hold an article with the slug `slug` (a column of the query
        this is used in); after every article was read."""
        return exists().where(places.c.slug == slug)

    def claim(self, first: Iterable[tuple[str, Place]]) -> None:
        """Record slugs read for the first time (none of them recorded before)."""
        rows = (
            {"slug": slug, "stream": p.stream, "name": _encode(p.name), "line": p.line}
            for slug, p in first
        )
        while chunk := list(islice(rows, _WRITE_SLICE)):
            self.session.execute(insert(places), chunk)


@contextmanager
def private() -> Iterator[Scratch]:
    """A scratch outside the database being ingested into: in a private temporary SQLite file
    (an empty file name; deleted when closed, and already unlinked on disk while open), for
    reading inputs known to be bad without taking the ingest's lock."""
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(""))
    try:
        with Session(engine) as session:  # closed without a commit: rolled back
            yield Scratch(session)
    finally:
        engine.dispose()
