"""SQLite reads which source a statement is from off the statement indexes (migration 0024):
every list leaves out copies' statements (`source_id NOT IN (duplicates)`), and a speaker's
statements counted, or a date window's listed, read each statement's row for its source_id
(Iran's 92,544 at 1M: 0.33 s to count, 16-28 ms off the index). A speaker's newest-first page
still walks each speaker's entries from the newest (the id before the source in the index)."""

from typing import Any

import pytest
from sqlalchemy import create_engine

from app.kit import counting
from app.statements import service as statements_service
from tests.api.statements_seen import issued_statements
from tests.inprocess import AppClient

SPEAKER_INDEX = "ix_statement_speaker_id_said_on_id_source_id"
DATE_INDEX = "ix_statement_said_on_id_source_id"


def _explained(url: str, statement: str, parameters: Any, how: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            return list(cursor.execute(f"{how} {statement}", parameters).fetchall())
    finally:
        engine.dispose()


def _plan(url: str, statement: str, parameters: Any) -> str:
    rows = _explained(url, statement, parameters, "EXPLAIN QUERY PLAN")
    return " | ".join(str(row[-1]) for row in rows)


@pytest.fixture
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's planner weighs its own statistics)")


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("/statements?speaker=Iran&count=exact", SPEAKER_INDEX),
        ("/statements?speaker=Iran&date_from=2020-01-01&count=exact", SPEAKER_INDEX),
        ("/statements?date_from=2020-01-01&date_to=2024-12-31&count=exact", DATE_INDEX),
    ],
)
def test_a_statement_count_reads_the_source_off_the_index(
    client: AppClient,
    shared_seeded_url: str,
    path: str,
    index: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting._counts.clear()  # counted afresh, not the kept total
    # Counted in SQL: not from the statement columns, which count a window once they are read
    # (tests/api/test_samples_in_memory.py).
    monkeypatch.setattr(statements_service, "_window_from_columns", lambda *args: None)
    with issued_statements(client) as seen:
        body = client.get(path).json()
    assert body["total_accuracy"] == "exact" and body["total"] > 0, body
    counts = [(s, p) for s, p in seen if "count(" in s and "duplicate_of" in s]
    assert counts, seen
    for statement, parameters in counts:
        plan = _plan(shared_seeded_url, statement, parameters)
        assert f"COVERING INDEX {index}" in plan, plan


@pytest.mark.usefixtures("sqlite_only")
def test_a_speakers_newest_first_page_walks_from_each_speakers_newest(
    client: AppClient, shared_seeded_url: str
) -> None:
    with issued_statements(client) as seen:
        body = client.get("/statements?speaker=Iran&limit=2").json()
    assert body["items"], body
    pages = [(s, p) for s, p in seen if "statement.text" in s and "speaker_id IN" in s]
    assert pages, seen
    for statement, parameters in pages:
        plan = _plan(shared_seeded_url, statement, parameters)
        assert SPEAKER_INDEX in plan, plan
        explained = _explained(shared_seeded_url, statement, parameters, "EXPLAIN")
        program = [row[1] for row in explained]
        # Each speaker's range entered at its newest entry and walked back; through an index
        # not in (said_on, id) order the range is entered at its oldest and sorted whole.
        assert "SeekLE" in program and "Prev" in program, program
