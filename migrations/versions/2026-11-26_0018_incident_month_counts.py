"""incident_month: incidents per (start month, type), kept by triggers on the incident table

A window's year, month and type facets grouped every incident in it: a window from 1991 on,
`facet=year`, grouped a million index entries (0.3 s of CPU at 1M, profiled). With the count
of each month kept, the months wholly inside a window are added up from a few thousand rows
and only its two edge months (and the incidents before it that may still overlap it) are
counted from the incidents. The longest incident (how far before `date_from` an overlapping
one may start) was a pass over every incident, once per process and data version (0.16 s);
it is the largest `longest_days` here.

Triggers keep the table, in the transaction of whatever writes an incident (ingest, --prune,
deletion, bench.generate): no write path can forget it. A (month, type) row goes with its
last incident. `longest_days` only grows while the row lives (a deleted or shortened incident
leaves its bound), which keeps it an upper bound: a walk's lower limit, never a wrong answer. The backfill is one GROUP BY over the incidents (seconds at 1M).

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-26 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "incident_month"

# SQLite stores a date as YYYY-MM-DD text.
_SQLITE_MONTH = "substr({row}.date_start, 1, 7)"
_SQLITE_DAYS = "CAST(julianday({row}.date_end) - julianday({row}.date_start) AS INTEGER)"
_PG_MONTH = "to_char({row}.date_start, 'YYYY-MM')"
_PG_DAYS = "({row}.date_end - {row}.date_start)"


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (month, type, incidents, longest_days) "
        f"VALUES ({_SQLITE_MONTH.format(row=row)}, {row}.type, 1, {_SQLITE_DAYS.format(row=row)}) "
        "ON CONFLICT (month, type) DO UPDATE SET incidents = incidents + 1, "
        "longest_days = max(longest_days, excluded.longest_days)"
    )


def _sqlite_remove(row: str) -> str:
    # A month left without incidents of a type goes: the table holds what the incidents do.
    where = f"WHERE month = {_SQLITE_MONTH.format(row=row)} AND type = {row}.type"
    return (
        f"UPDATE {TABLE} SET incidents = incidents - 1 {where}; "
        f"DELETE FROM {TABLE} {where} AND incidents = 0"
    )


_PG_FUNCTION = f"""
CREATE FUNCTION incident_month_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE {TABLE} SET incidents = incidents - 1
        WHERE month = {_PG_MONTH.format(row="OLD")} AND type = OLD.type;
        DELETE FROM {TABLE}
        WHERE month = {_PG_MONTH.format(row="OLD")} AND type = OLD.type AND incidents = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TABLE} (month, type, incidents, longest_days)
        VALUES ({_PG_MONTH.format(row="NEW")}, NEW.type, 1, {_PG_DAYS.format(row="NEW")})
        ON CONFLICT (month, type) DO UPDATE SET incidents = {TABLE}.incidents + 1,
            longest_days = greatest({TABLE}.longest_days, EXCLUDED.longest_days);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("longest_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "type", name=op.f("pk_incident_month")),
    )
    sqlite = op.get_context().dialect.name == "sqlite"
    month = (_SQLITE_MONTH if sqlite else _PG_MONTH).format(row="incident")
    days = (_SQLITE_DAYS if sqlite else _PG_DAYS).format(row="incident")
    op.execute(
        f"INSERT INTO {TABLE} (month, type, incidents, longest_days) "
        f"SELECT {month}, type, count(*), max({days}) FROM incident GROUP BY {month}, type"
    )
    if sqlite:
        op.execute(
            f"CREATE TRIGGER incident_month_ai AFTER INSERT ON incident BEGIN {_sqlite_add('new')}; END"
        )
        op.execute(
            f"CREATE TRIGGER incident_month_ad AFTER DELETE ON incident BEGIN {_sqlite_remove('old')}; END"
        )
        # The old row's month loses it before the new one's gains it, in one trigger.
        op.execute(
            "CREATE TRIGGER incident_month_au AFTER UPDATE OF date_start, date_end, type ON incident "
            "WHEN old.date_start IS NOT new.date_start OR old.date_end IS NOT new.date_end "
            f"OR old.type IS NOT new.type BEGIN {_sqlite_remove('old')}; {_sqlite_add('new')}; END"
        )
        return
    op.execute(_PG_FUNCTION)
    op.execute(
        "CREATE TRIGGER incident_month_count AFTER INSERT OR DELETE OR UPDATE OF date_start, "
        "date_end, type ON incident FOR EACH ROW EXECUTE FUNCTION incident_month_count()"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS incident_month_{suffix}")
    else:
        op.execute("DROP TRIGGER IF EXISTS incident_month_count ON incident")
        op.execute("DROP FUNCTION IF EXISTS incident_month_count()")
    op.drop_table(TABLE)
