-- A login role that can read incidentdb and nothing else, for `incidentdb serve` on PostgreSQL.
--
-- Run it as the role that owns the tables (the one `incidentdb ingest` connects as), in the
-- incidentdb database, after the first ingest; change the password first:
--
--   psql "postgresql://incidentdb@HOST:5432/incidentdb" -v ON_ERROR_STOP=1 -f scripts/read-only-role.sql
--
-- then serve with
--
--   DATABASE_URL=postgresql+psycopg://incidentdb_reader:CHANGE-ME@HOST:5432/incidentdb incidentdb serve
--
-- tests/reliability/test_security.py runs this file as written (with its own names).
CREATE ROLE incidentdb_reader LOGIN PASSWORD 'CHANGE-ME';
GRANT CONNECT ON DATABASE incidentdb TO incidentdb_reader;
GRANT USAGE ON SCHEMA public TO incidentdb_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO incidentdb_reader;
-- Tables that later migrations create are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO incidentdb_reader;
-- Belt and braces: every transaction of this role is read-only, and no statement runs longer
-- than 10 s (the API sets its own INCIDENTDB_STATEMENT_TIMEOUT_MS, 10 s by default, as well).
ALTER ROLE incidentdb_reader SET default_transaction_read_only = on;
ALTER ROLE incidentdb_reader SET statement_timeout = '10s';
