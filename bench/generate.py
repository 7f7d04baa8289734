"""python -m bench.generate --incidents N --db URL [--seed S]: a synthetic corpus at any scale.

The schema comes from Alembic (app.db.migrate.upgrade), exactly as `incidentdb ingest` builds
it. Rows then go in through bulk inserts (sqlite3 executemany; COPY on PostgreSQL) with the
secondary indexes and the FTS triggers set aside, and come back at the end from their own
stored definitions, so the finished database equals what the migrations produce.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.db import migrate
from bench.corpus import Cast, Generator, Tables

COLUMNS: dict[str, tuple[str, ...]] = {
    "actor": (
        "id",
        "slug",
        "name",
        "kind",
        "country",
        "title",
        "origin",
        "affiliation_id",
        "search_text",
    ),
    "actor_alias": ("id", "actor_id", "kind", "alias", "key"),
    "incident": (
        "id",
        "slug",
        "title",
        "summary",
        "type",
        "date_start",
        "date_end",
        "date_precision",
        "location_country",
        "location_place",
        "severity",
        "search_text",
    ),
    "incident_participant": ("incident_id", "actor_id", "role", "position", "date_start"),
    "incident_source": ("incident_id", "source_id"),
    "source": (
        "id",
        "slug",
        "title",
        "publisher",
        "url",
        "published_on",
        "text",
        "content_hash",
        "extraction_key",
    ),
    "statement": (
        "id",
        "text",
        "speaker_text",
        "start",
        "end",
        "said_on",
        "source_id",
        "speaker_id",
        "incident_id",
        "search_text",
    ),
    "mention": ("id", "source_id", "actor_id", "start", "end", "text"),
    "dataset_meta": ("id", "data_version", "curated_key", "updated_at"),
}
CHUNK = 20_000


@dataclass
class Report:
    incidents: int
    rows: int
    load_seconds: float  # generating and inserting rows
    index_seconds: float  # rebuilding indexes and full-text search
    backend: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds else 0.0

    def summary(self) -> str:
        total = self.load_seconds + self.index_seconds
        return (
            f"generated {self.incidents:,} incidents ({self.rows:,} rows) on {self.backend}: "
            f"load {self.load_seconds:.1f}s ({self.rows_per_second:,.0f} rows/s), "
            f"indexes+search {self.index_seconds:.1f}s, "
            f"total {total:.1f}s ({self.rows / total:,.0f} rows/s end to end)"
        )


def _placeholders(table: str, style: str) -> str:
    cols = COLUMNS[table]
    quoted = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join(["?"] * len(cols)) if style == "qmark" else ""
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'


def _kept_months(month: str, days: str) -> list[str]:
    """Statements that count the incidents per month kept by migration 0018's triggers, which
    a bulk load sets aside (SQLite: dropped with the others; PostgreSQL: not fired in
    replica mode): the migration's backfill, run once the rows are in."""
    country = "coalesce(location_country, '')"
    return [
        "DELETE FROM incident_month",
        "INSERT INTO incident_month (month, type, incidents, longest_days) "
        f"SELECT {month}, type, count(*), max({days}) FROM incident GROUP BY {month}, type",
        "DELETE FROM incident_month_country",
        "INSERT INTO incident_month_country (month, country, incidents) "
        f"SELECT {month}, {country}, count(*) FROM incident GROUP BY {month}, {country}",
    ]


_SQLITE_KEPT_MONTHS = _kept_months(
    "substr(date_start, 1, 7)", "CAST(julianday(date_end) - julianday(date_start) AS INTEGER)"
)
_POSTGRES_KEPT_MONTHS = _kept_months("to_char(date_start, 'YYYY-MM')", "date_end - date_start")

# migrations/versions/..._0020_postgresql_incident_actor_ids.py's FILL.
_POSTGRES_ACTOR_IDS = (
    "UPDATE incident SET actor_ids_pg = p.ids FROM ("
    "SELECT incident_id, array_agg(DISTINCT actor_id ORDER BY actor_id) AS ids "
    "FROM incident_participant GROUP BY incident_id"
    ") p WHERE p.incident_id = incident.id"
)


class SqliteWriter:
    backend = "sqlite"

    def __init__(self, url: str) -> None:
        path = make_url(url).database
        assert path, "a SQLite URL names a file: sqlite:///path/to.db"
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.saved: list[str] = []

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT count(*) FROM incident").fetchone()[0] == 0

    def begin_bulk(self) -> None:
        c = self.conn
        # Durability does not matter while building a file from scratch: a crash means rerun.
        c.execute("PRAGMA journal_mode=OFF")
        c.execute("PRAGMA synchronous=OFF")
        c.execute("PRAGMA cache_size=-1000000")
        c.execute("PRAGMA temp_store=MEMORY")
        # Secondary indexes and the FTS triggers are rebuilt once at the end from their stored
        # definitions (faster than maintaining them row by row).
        self.saved = [
            sql
            for (sql,) in c.execute(
                "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND sql IS NOT NULL ORDER BY type, name"
            )
        ]
        for kind, name in c.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ).fetchall():
            c.execute(f'DROP {kind.upper()} "{name}"')
        c.execute("BEGIN")

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.executemany(_placeholders(table, "qmark"), rows)

    def end_bulk(self) -> None:
        c = self.conn
        c.execute("COMMIT")
        for sql in self.saved:
            c.execute(sql)
        for sql in _SQLITE_KEPT_MONTHS:
            c.execute(sql)
        # The same statement the migration ends with: FTS5 reads the content tables afresh.
        for (name,) in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        ).fetchall():
            c.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
        # The app opens the file in WAL mode; set it now so its first reader needn't.
        c.execute("PRAGMA journal_mode=WAL")
        c.close()


def connect_psycopg(url: str, *, autocommit: bool = False) -> Any:
    """A bare psycopg connection to a database URL (SQLAlchemy's form)."""
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=autocommit,
    )


class PostgresWriter:
    backend = "postgresql"

    def __init__(self, url: str) -> None:
        self.conn = connect_psycopg(url, autocommit=True)
        self.saved: list[str] = []

    def is_empty(self) -> bool:
        row = self.conn.execute("SELECT count(*) FROM incident").fetchone()
        return row is not None and row[0] == 0

    def begin_bulk(self) -> None:
        c = self.conn
        # Indexes that back no constraint (secondary and GIN full-text) are rebuilt at the end.
        self.saved = [
            sql
            for (name, sql) in c.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"
            ).fetchall()
        ]
        for (name,) in c.execute(
            "SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"
        ).fetchall():
            c.execute(f'DROP INDEX "{name}"')
        # Rows are consistent by construction; skip per-row foreign-key triggers (superuser).
        try:
            c.execute("SET session_replication_role = replica")
        except psycopg.Error:
            pass

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in COLUMNS[table])
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def end_bulk(self) -> None:
        c = self.conn
        c.execute("SET session_replication_role = DEFAULT")
        for sql in _POSTGRES_KEPT_MONTHS:
            c.execute(sql)
        # Each incident's actor ids (migration 0020), which the participants' triggers keep:
        # they did not fire during the load. Before the indexes, so none is maintained row by row.
        c.execute(_POSTGRES_ACTOR_IDS)
        c.execute("SET maintenance_work_mem = '2GB'")
        for sql in self.saved:
            c.execute(sql)
        for table in COLUMNS:
            # Explicit ids were inserted: move each sequence past them, as inserts would have.
            if "id" in COLUMNS[table]:
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
                )
        c.execute("VACUUM ANALYZE")
        c.close()


def writer_for(url: str) -> SqliteWriter | PostgresWriter:
    if make_url(url).get_backend_name() == "sqlite":
        return SqliteWriter(url)
    return PostgresWriter(url)


def generate(
    url: str, incidents: int, seed: int = 1, progress: bool = False, postings: bool = True
) -> Report:
    """Build the schema at `url` and fill it with a corpus of `incidents` incidents.

    `postings=False` leaves out the relevance postings (most of the time of a small corpus on
    PostgreSQL) for a test that never ranks a search.
    """
    migrate.upgrade(url)
    writer = writer_for(url)
    if not writer.is_empty():
        raise SystemExit(f"{url}: the database already holds incidents; use an empty one")
    started = time.perf_counter()
    gen = Generator(seed, extraction_key=f"bench-{seed}")
    writer.begin_bulk()
    rows = _write_actors(writer, gen.cast)
    writer.insert(
        "dataset_meta",
        [(1, 1, f"bench-{seed}", datetime(2026, 1, 1, tzinfo=UTC))],
    )
    rows += 1
    done = 0
    for tables in gen.chunks(incidents, CHUNK):
        _write_chunk(writer, tables)
        rows += tables.rows()
        done += len(tables.incident)
        if progress:
            elapsed = time.perf_counter() - started
            print(
                f"\r{done:,}/{incidents:,} incidents, {rows / elapsed:,.0f} rows/s",
                end="",
                file=sys.stderr,
                flush=True,
            )
    if progress:
        print(file=sys.stderr)
    loaded = time.perf_counter()
    writer.end_bulk()
    if postings:
        _build_postings(url)
    finished = time.perf_counter()
    return Report(incidents, rows, loaded - started, finished - loaded, writer.backend)


def _build_postings(url: str) -> None:
    """The relevance postings of the generated rows (what an ingest keeps up to date): the
    bulk load ran without the triggers that list written rows."""
    from sqlalchemy import create_engine

    from app.kit import postings
    from app.settings import get_settings

    settings = get_settings()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            postings.rebuild_all(
                connection,
                min_matches=settings.search_postings_min_matches,
                depth=settings.search_postings_depth,
            )
    finally:
        engine.dispose()


def _write_actors(writer: SqliteWriter | PostgresWriter, cast: Cast) -> int:
    from app.kit.names import match_key

    actors = [
        (
            a.id,
            a.slug,
            a.name,
            a.kind,
            a.country,
            a.title,
            "curated",
            a.affiliation_id,
            a.search_text,
        )
        for a in cast.actors
    ]
    aliases = []
    for a in cast.actors:
        for kind, alias in a.aliases:
            aliases.append((len(aliases) + 1, a.id, kind, alias, match_key(alias)))
    writer.insert("actor", actors)
    writer.insert("actor_alias", aliases)
    return len(actors) + len(aliases)


def _write_chunk(writer: SqliteWriter | PostgresWriter, t: Tables) -> None:
    # Parents before children, so foreign keys hold at every step.
    writer.insert("source", t.source)
    writer.insert("incident", t.incident)
    writer.insert("incident_participant", t.incident_participant)
    writer.insert("incident_source", t.incident_source)
    writer.insert("statement", t.statement)
    writer.insert("mention", t.mention)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--incidents", type=int, required=True, help="How many incidents.")
    parser.add_argument(
        "--db",
        required=True,
        help="SQLAlchemy URL of an empty database (sqlite:///path or postgresql+psycopg://...).",
    )
    parser.add_argument("--seed", type=int, default=1, help="Same seed, same corpus.")
    parser.add_argument(
        "--replace", action="store_true", help="Delete the SQLite file first if it exists."
    )
    args = parser.parse_args(argv)
    if args.replace and make_url(args.db).get_backend_name() == "sqlite":
        path = Path(make_url(args.db).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    try:
        report = generate(args.db, args.incidents, args.seed, progress=sys.stderr.isatty())
    except OperationalError as error:
        # The usual cause is a PostgreSQL database not created yet: say so in one line.
        reason = str(error.orig).strip().splitlines()[-1]
        raise SystemExit(
            f"{args.db}: cannot open the database ({reason}); create it first"
        ) from None
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
