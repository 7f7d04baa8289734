"""Crashes and concurrent ingests: the database is at one run's end or another's, never between.

A "large run" is generated in tmp (tests/reliability/conftest.py); the ingest runs as users
run it, `python -m app ingest PATH` in its own process, and is caught inside its transaction
by watching the database (the SQLite WAL growing; a PostgreSQL backend holding a transaction
id) rather than by sleeping.
"""

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import Probe
from tests.reliability.conftest import (
    LARGE_ACTORS,
    LARGE_ARTICLES,
    LARGE_INCIDENTS,
    finish,
    kill,
    start_ingest,
    wait_until_extracting,
    wait_until_writing,
    write_large_run,
)


@pytest.fixture
def seeded_db(seeded_url: str) -> Probe:
    return Probe(seeded_url)


def test_sigkill_mid_ingest_leaves_the_database_exactly_as_it_was(
    tmp_path: Path, seeded_db: Probe, backend: str
) -> None:
    run = write_large_run(tmp_path / "large")
    before = seeded_db.fingerprint()
    counts = seeded_db.counts()

    process = start_ingest([run], seeded_db.url)
    wait_until_writing(process, seeded_db.url)
    kill(process)

    assert seeded_db.fingerprint() == before, "a killed ingest left part of its work behind"
    if backend == "sqlite":
        assert seeded_db.scalar("PRAGMA integrity_check") == "ok"

    # The next ingest is not blocked by the dead one (its lock, its WAL) and completes.
    code, out, err = finish(start_ingest([run], seeded_db.url))
    assert code == 0, err
    assert out.startswith("ingested"), out
    after = seeded_db.counts()
    assert after["actor"] == counts["actor"] + LARGE_ACTORS
    assert after["incident"] == counts["incident"] + LARGE_INCIDENTS
    assert after["source"] == counts["source"] + LARGE_ARTICLES


def test_sigkill_mid_extraction_stops_the_workers_and_leaves_the_database_as_it_was(
    tmp_path: Path, seeded_db: Probe, backend: str
) -> None:
    run = write_large_run(tmp_path / "large")
    before = seeded_db.fingerprint()

    process = start_ingest([run], seeded_db.url, workers="2")
    wait_until_extracting(process)
    kill(process)  # and the workers exit on their own (kill checks)

    assert seeded_db.fingerprint() == before, "a killed ingest left part of its work behind"
    if backend == "sqlite":
        assert seeded_db.scalar("PRAGMA integrity_check") == "ok"


def pg_ingests_waiting(db: Probe) -> int:
    """PostgreSQL ingests queued on the pipeline's advisory lock (of this database: CI runs
    other tests on the same server at the same time)."""
    sql = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return int(str(db.scalar(sql)))


def test_a_second_ingest_waits_for_the_first_and_never_interleaves(
    tmp_path: Path, seeded_db: Probe, backend: str
) -> None:
    first = write_large_run(tmp_path / "alpha", title="Alpha")
    # Bravo retitles Alpha's incidents and is quick to load, so it reaches its transaction
    # while Alpha is still in its own. Its incidents name Alpha's actors: had it run inside
    # Alpha's transaction rather than after it, it would fail on unknown actors.
    second = write_large_run(tmp_path / "bravo", title="Bravo")
    (second / "actors.yaml").unlink()
    shutil.rmtree(second / "articles")
    version = seeded_db.scalar("SELECT data_version FROM dataset_meta")
    assert isinstance(version, int)

    alpha = start_ingest([first], seeded_db.url)
    wait_until_writing(alpha, seeded_db.url)
    bravo = start_ingest([second], seeded_db.url)
    seen_waiting = False
    deadline = time.monotonic() + 120
    while alpha.poll() is None and time.monotonic() < deadline:
        if backend == "postgresql" and not seen_waiting:
            seen_waiting = pg_ingests_waiting(seeded_db) > 0
        time.sleep(0.05)
    alpha_code, _, alpha_err = finish(alpha)
    assert bravo.poll() is None, "the second ingest did not wait for the first"
    bravo_code, _, bravo_err = finish(bravo)
    if backend == "postgresql":
        assert seen_waiting, "the second ingest was never seen queued on the advisory lock"

    assert (alpha_code, bravo_code) == (0, 0), alpha_err + bravo_err
    # Bravo ran after Alpha, whole: every generated incident carries Bravo's title, none Alpha's.
    titles = seeded_db.scalar(
        "SELECT count(*) FROM incident WHERE slug LIKE 'gen-incident-%' AND title LIKE 'Bravo %'"
    )
    assert titles == LARGE_INCIDENTS
    assert seeded_db.scalar("SELECT data_version FROM dataset_meta") == version + 2


def test_a_second_sqlite_ingest_out_of_patience_fails_cleanly(
    tmp_path: Path, seeded_db: Probe, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL ingests queue on an advisory lock; they do not time out")
    first = write_large_run(tmp_path / "alpha", title="Alpha")
    # Tiny, so it reaches BEGIN IMMEDIATE while Alpha is certainly still writing.
    second = tmp_path / "bravo"
    second.mkdir()
    (second / "actors.yaml").write_text("- slug: bravo\n  name: Bravo\n  kind: person\n")

    alpha = start_ingest([first], seeded_db.url)
    wait_until_writing(alpha, seeded_db.url)
    bravo_code, bravo_out, bravo_err = finish(
        start_ingest([second], seeded_db.url, INCIDENTDB_SQLITE_BUSY_TIMEOUT_MS="200")
    )
    assert alpha.poll() is None, "the first ingest ended before the second gave up"
    alpha_code, _, alpha_err = finish(alpha)

    assert alpha_code == 0, alpha_err
    assert bravo_code == 1
    assert bravo_err.splitlines() == ["database error: database is locked"], bravo_err
    # Only Alpha's run is in the database.
    alpha_titles = "SELECT count(*) FROM incident WHERE title LIKE 'Alpha %'"
    assert seeded_db.scalar(alpha_titles) == LARGE_INCIDENTS
    assert seeded_db.scalar("SELECT count(*) FROM actor WHERE slug = 'bravo'") == 0
