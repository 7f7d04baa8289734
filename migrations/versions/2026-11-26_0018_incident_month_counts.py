"""incident_month, incident_month_country: incidents per start month and type (country),
kept by triggers on the incident table

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
leaves its bound), which keeps it an upper bound: a walk's lower limit, never a wrong answer.
incident_month_country does for countries what incident_month does for types (the country
facet over most of the data walked a million index entries: 0.15 s of CPU); an incident
without a country is kept under '' (a primary key holds no NULL). The backfill is one GROUP BY over the incidents (seconds at 1M).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = "incident_month"
COUNTRIES = "incident_month_country"

# SQLite stores a date as YYYY-MM-DD text.
_SQLITE_MONTH = "substr({row}.date_start, 1, 7)"
_SQLITE_DAYS = "CAST(julianday({row}.date_end) - julianday({row}.date_start) AS INTEGER)"
_PG_MONTH = "to_char({row}.date_start, 'YYYY-MM')"
_PG_DAYS = "({row}.date_end - {row}.date_start)"
_COUNTRY = "coalesce({row}.location_country, '')"


def _sqlite_add(row: str) -> str:
    month, country = _SQLITE_MONTH.format(row=row), _COUNTRY.format(row=row)
    return (
        f"INSERT INTO {TYPES} (month, type, incidents, longest_days) "
        f"VALUES ({month}, {row}.type, 1, {_SQLITE_DAYS.format(row=row)}) "
        "ON CONFLICT (month, type) DO UPDATE SET incidents = incidents + 1, "
        "longest_days = max(longest_days, excluded.longest_days); "
        f"INSERT INTO {COUNTRIES} (month, country, incidents) VALUES ({month}, {country}, 1) "
        "ON CONFLICT (month, country) DO UPDATE SET incidents = incidents + 1"
    )


def _sqlite_remove(row: str) -> str:
    # A month left without incidents of a type (country) goes: the tables hold what the
    # incidents do.
    month, country = _SQLITE_MONTH.format(row=row), _COUNTRY.format(row=row)
    of_type = f"WHERE month = {month} AND type = {row}.type"
    of_country = f"WHERE month = {month} AND country = {country}"
    return (
        f"UPDATE {TYPES} SET incidents = incidents - 1 {of_type}; "
        f"DELETE FROM {TYPES} {of_type} AND incidents = 0; "
        f"UPDATE {COUNTRIES} SET incidents = incidents - 1 {of_country}; "
        f"DELETE FROM {COUNTRIES} {of_country} AND incidents = 0"
    )


_OLD_TYPE = f"month = {_PG_MONTH.format(row='OLD')} AND type = OLD.type"
_OLD_COUNTRY = f"month = {_PG_MONTH.format(row='OLD')} AND country = {_COUNTRY.format(row='OLD')}"
_PG_FUNCTION = f"""
CREATE FUNCTION incident_month_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE {TYPES} SET incidents = incidents - 1 WHERE {_OLD_TYPE};
        DELETE FROM {TYPES} WHERE {_OLD_TYPE} AND incidents = 0;
        UPDATE {COUNTRIES} SET incidents = incidents - 1 WHERE {_OLD_COUNTRY};
        DELETE FROM {COUNTRIES} WHERE {_OLD_COUNTRY} AND incidents = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TYPES} (month, type, incidents, longest_days)
        VALUES ({_PG_MONTH.format(row="NEW")}, NEW.type, 1, {_PG_DAYS.format(row="NEW")})
        ON CONFLICT (month, type) DO UPDATE SET incidents = {TYPES}.incidents + 1,
            longest_days = greatest({TYPES}.longest_days, EXCLUDED.longest_days);
        INSERT INTO {COUNTRIES} (month, country, incidents)
        VALUES ({_PG_MONTH.format(row="NEW")}, {_COUNTRY.format(row="NEW")}, 1)
        ON CONFLICT (month, country) DO UPDATE SET incidents = {COUNTRIES}.incidents + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        TYPES,
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("longest_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "type", name=op.f("pk_incident_month")),
    )
    op.create_table(
        COUNTRIES,
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "country", name=op.f("pk_incident_month_country")),
    )
    sqlite = op.get_context().dialect.name == "sqlite"
    month = (_SQLITE_MONTH if sqlite else _PG_MONTH).format(row="incident")
    days = (_SQLITE_DAYS if sqlite else _PG_DAYS).format(row="incident")
    country = _COUNTRY.format(row="incident")
    op.execute(
        f"INSERT INTO {TYPES} (month, type, incidents, longest_days) "
        f"SELECT {month}, type, count(*), max({days}) FROM incident GROUP BY {month}, type"
    )
    op.execute(
        f"INSERT INTO {COUNTRIES} (month, country, incidents) "
        f"SELECT {month}, {country}, count(*) FROM incident GROUP BY {month}, {country}"
    )
    changed = "date_start, date_end, type, location_country"
    if sqlite:
        op.execute(
            f"CREATE TRIGGER incident_month_ai AFTER INSERT ON incident BEGIN {_sqlite_add('new')}; END"
        )
        op.execute(
            f"CREATE TRIGGER incident_month_ad AFTER DELETE ON incident BEGIN {_sqlite_remove('old')}; END"
        )
        # The old row's month loses it before the new one's gains it, in one trigger.
        op.execute(
            f"CREATE TRIGGER incident_month_au AFTER UPDATE OF {changed} ON incident "
            "WHEN old.date_start IS NOT new.date_start OR old.date_end IS NOT new.date_end "
            "OR old.type IS NOT new.type OR old.location_country IS NOT new.location_country "
            f"BEGIN {_sqlite_remove('old')}; {_sqlite_add('new')}; END"
        )
        return
    op.execute(_PG_FUNCTION)
    op.execute(
        f"CREATE TRIGGER incident_month_count AFTER INSERT OR DELETE OR UPDATE OF {changed} "
        "ON incident FOR EACH ROW EXECUTE FUNCTION incident_month_count()"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS incident_month_{suffix}")
    else:
        op.execute("DROP TRIGGER IF EXISTS incident_month_count ON incident")
        op.execute("DROP FUNCTION IF EXISTS incident_month_count()")
    op.drop_table(COUNTRIES)
    op.drop_table(TYPES)
