"""source_fts: a source is indexed once it is extracted, not at insert and again at its title

An ingest inserts each new source (its text tokenized into source_fts), then, after
extraction, sets its title, which re-indexed the whole text: the old row tokenized to delete
it and the new one again, three passes over every new article, the costliest thing the one
writer did (py-spy, 10,000 bench articles). Now a source is in source_fts exactly when its
`extraction_key` is not empty (extracted): the ingest's inserts index nothing, and the update
that stores the extraction indexes the text once. Every ingest extracts every stale source in
its own transaction, so a committed database has all its sources indexed. An update that
changes neither title nor text nor whether the source is extracted re-indexes nothing.

SQLite only: PostgreSQL's search column is computed by the database itself.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 03:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DELETE_OLD = "INSERT INTO source_fts(source_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text)"
_INSERT_NEW = "INSERT INTO source_fts(rowid, title, text) VALUES (new.id, new.title, new.text)"
_CHANGED = "(old.title IS NOT new.title OR old.text IS NOT new.text)"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    _drop_triggers()
    # The invariant from here on: indexed exactly when extracted. Unextracted rows (none in a
    # database an ingest committed) leave the index with the values they were indexed with.
    op.execute(
        "INSERT INTO source_fts(source_fts, rowid, title, text) "
        "SELECT 'delete', id, title, text FROM source WHERE extraction_key = ''"
    )
    op.execute(
        "CREATE TRIGGER source_fts_ai AFTER INSERT ON source "
        f"WHEN new.extraction_key != '' BEGIN {_INSERT_NEW}; END"
    )
    op.execute(
        "CREATE TRIGGER source_fts_ad AFTER DELETE ON source "
        f"WHEN old.extraction_key != '' BEGIN {_DELETE_OLD}; END"
    )
    # One trigger, its two statements in order: the old entry goes before the new one comes.
    op.execute(
        "CREATE TRIGGER source_fts_au AFTER UPDATE OF title, text, extraction_key ON source BEGIN "
        f"{_as_select(_DELETE_OLD)} WHERE old.extraction_key != '' "
        f"AND (new.extraction_key = '' OR {_CHANGED}); "
        f"{_as_select(_INSERT_NEW)} WHERE new.extraction_key != '' "
        f"AND (old.extraction_key = '' OR {_CHANGED}); END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    _drop_triggers()
    op.execute(
        "INSERT INTO source_fts(rowid, title, text) "
        "SELECT id, title, text FROM source WHERE extraction_key = ''"
    )
    # As 0009 creates them.
    op.execute(f"CREATE TRIGGER source_fts_ai AFTER INSERT ON source BEGIN {_INSERT_NEW}; END")
    op.execute(f"CREATE TRIGGER source_fts_ad AFTER DELETE ON source BEGIN {_DELETE_OLD}; END")
    op.execute(
        "CREATE TRIGGER source_fts_au AFTER UPDATE OF title, text ON source BEGIN "
        f"{_DELETE_OLD}; {_INSERT_NEW}; END"
    )


def _drop_triggers() -> None:
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS source_fts_{suffix}")


def _as_select(statement: str) -> str:
    """`INSERT INTO t(cols) VALUES (v)` as `INSERT INTO t(cols) SELECT v`, to take a WHERE."""
    head, values = statement.split(" VALUES (", 1)
    return f"{head} SELECT {values.removesuffix(')')}"
