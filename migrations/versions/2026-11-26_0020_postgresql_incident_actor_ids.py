"""postgresql: each incident carries its participants' actor ids, GIN-indexed beside its words

A search under an actor (`/incidents?actor=France&q=corridor&sort=-date`) read every incident
matching the word from the table to test its participants: the word's GIN index gives heap
pointers, and the actor's incidents (through incident_participant) could not be intersected
with them before the heap (0.26-0.5 s for a word in 50,000 incidents under France, 1M,
profiled). With the participants' actor ids on the incident row (`actor_ids_pg`, sorted,
distinct) and a GIN index on them, `actor_ids_pg && ARRAY[...]` is a second bitmap the planner
ANDs with the word's before reading the table: only the incidents matching both are read.

The column is a copy kept by triggers on incident_participant (every insert, delete and update,
whichever path wrote it: the ingest, edits, re-ingests, prunes, cascades from a deleted incident
or actor); a bulk load that skips triggers (bench.generate) fills it itself. SQLite tests an
FTS5 match by rowid before reading a row and does not need it: PostgreSQL only, names ending in
`_pg`, which migrations/env.py leaves out of `alembic check`.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 18:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN = "actor_ids_pg"
INDEX = "ix_incident_actor_ids_pg"

# Every incident's actor ids, as the trigger keeps them (also run by bench.generate after its
# bulk load). Incidents without participants keep the default, an empty array.
FILL = (
    f"UPDATE incident SET {COLUMN} = p.ids FROM ("
    "SELECT incident_id, array_agg(DISTINCT actor_id ORDER BY actor_id) AS ids "
    "FROM incident_participant GROUP BY incident_id"
    ") p WHERE p.incident_id = incident.id"
)

# One statement-level trigger per event: the incidents a statement touched are recomputed
# once, however many of their participants it wrote (`came`/`gone` are its transition tables).
_FUNCTION = f"""
CREATE FUNCTION incident_actor_ids_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT incident_id FROM came);
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT DISTINCT incident_id FROM gone);
    ELSE
        touched := ARRAY(SELECT incident_id FROM came UNION SELECT incident_id FROM gone);
    END IF;
    UPDATE incident SET {COLUMN} = w.ids
    FROM (
        SELECT t.id, coalesce((
            SELECT array_agg(DISTINCT p.actor_id ORDER BY p.actor_id)
            FROM incident_participant p WHERE p.incident_id = t.id
        ), '{{}}') AS ids
        FROM unnest(touched) AS t(id)
    ) w
    WHERE incident.id = w.id AND incident.{COLUMN} IS DISTINCT FROM w.ids;
    RETURN NULL;
END $$
"""

_TRIGGERS = {
    "ai": "AFTER INSERT ON incident_participant REFERENCING NEW TABLE AS came",
    "ad": "AFTER DELETE ON incident_participant REFERENCING OLD TABLE AS gone",
    "au": "AFTER UPDATE ON incident_participant REFERENCING OLD TABLE AS gone NEW TABLE AS came",
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE incident ADD COLUMN {COLUMN} integer[] NOT NULL DEFAULT '{{}}'")
    op.execute(FILL)
    op.execute(f"CREATE INDEX {INDEX} ON incident USING gin ({COLUMN})")
    op.execute(_FUNCTION)
    for suffix, event in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER incident_actor_ids_{suffix} {event} "
            "FOR EACH STATEMENT EXECUTE FUNCTION incident_actor_ids_refresh()"
        )
    op.execute("ANALYZE incident")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for suffix in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS incident_actor_ids_{suffix} ON incident_participant")
    op.execute("DROP FUNCTION IF EXISTS incident_actor_ids_refresh()")
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"ALTER TABLE incident DROP COLUMN IF EXISTS {COLUMN}")
