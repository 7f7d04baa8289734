"""Values read in the background per database and data version (`app.kit.background_reads`),
through the API, for both of its users: the incident columns (facets of a list) and the
statement columns (facets of a search on SQLite, of a window's years on PostgreSQL, where a
search's are counted in memory only when its term has postings). A failed read leaves the
answers to SQL and is not tried again until its pause is over; an ingest's new data version
is read anew by the next request that wants it, and only the newest version is kept."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.incidents import columns as incident_columns
from app.kit import background_reads
from app.kit.background_reads import BackgroundRead
from app.main import create_app
from app.settings import Settings
from app.statements import columns as statement_columns
from tests.api.statements_seen import counted_statements
from tests.api.syndication import ingest, seeds_with_a_copy
from tests.inprocess import AppClient

PAUSE = 2.0  # seconds after a failed read (30 s and a minute in service)


def _incident_facets_in_memory(client: AppClient, n: int) -> bool:
    """An incident list's facets (a window not asked before: facets grouped in SQL are kept
    for the next pages of their list): True when no statement grouped them."""
    query = f"actor=Iran&date_from=2001-01-{n:02d}&facet=type&facet=month"
    with counted_statements(client) as seen:
        response = client.get(f"/incidents?{query}")
    assert response.status_code == 200, response.text
    assert response.json()["total"] > 0
    return not any("GROUP BY" in statement.upper() for statement in seen)


def _statement_facets_in_memory(
    client: AppClient, n: int, monkeypatch: pytest.MonkeyPatch, searched: bool
) -> bool:
    """A statement search's facets (a window's without `searched`): True when counted from
    the statement columns."""
    counted: list[int] = []
    search_facets = statement_columns.search_facets

    def counting(*args: Any) -> Any:
        counted.append(1)
        return search_facets(*args)

    with monkeypatch.context() as patched:
        patched.setattr(statement_columns, "search_facets", counting)
        q = "q=Iran&" if searched else ""
        response = client.get(f"/statements?{q}date_from=1990-01-{n:02d}&facet=year")
    assert response.status_code == 200, response.text
    assert response.json()["total"] > 0
    return bool(counted)


@pytest.fixture(params=["incidents", "statements"])
def reader(
    request: pytest.FixtureRequest, backend: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BackgroundRead[Any], Callable[[AppClient, int], bool], list[int]]]:
    """A kind of value read in the background, whether a request used it, and its reads so
    far (one entry each, counted once its connection is open and has read the data version).

    A request waits for the read it starts only a few hundredths of a second: on a busy
    machine (CI's three suites on two cores) the read's connection is not open by then, so a
    test waits for the reads under way before it counts them."""
    if request.param == "incidents":
        reads: BackgroundRead[Any] = incident_columns._reads
        probe = _incident_facets_in_memory
    else:
        reads = statement_columns._reads
        searched = backend == "sqlite"
        probe = lambda client, n: _statement_facets_in_memory(  # noqa: E731
            client, n, monkeypatch, searched
        )
    # An earlier test's read still under way would call the counted read once it runs.
    background_reads.wait_for_all(30)
    started: list[int] = []
    read = reads.read

    def counted(connection: Connection) -> Any:
        started.append(1)
        return read(connection)

    monkeypatch.setattr(reads, "read", counted)
    yield reads, probe, started


class _LookedBeforeTheReadEnded(dict[str, Any]):
    """The values kept per database, where a request's first look, once `armed`, sees what
    was kept and then waits for the read under way to end before going on: the race of a read
    ending between a request's look and its start of another, made certain."""

    def __init__(self, reads: BackgroundRead[Any], kept: dict[str, Any]) -> None:
        super().__init__(kept)
        self.reads = reads
        self.armed = False

    def get(self, key: str, default: Any = None) -> Any:
        seen = super().get(key, default)
        reading = self.reads._reading.get(key)
        if self.armed and reading is not None and threading.current_thread() is not reading:
            self.armed = False
            reading.join(10)
        return seen


def _client(url: str) -> AppClient:
    # No kept responses: every request runs its route.
    return AppClient(create_app(Settings(database_url=url, kept_responses=0)))


def _data_version(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.scalar(text("SELECT data_version FROM dataset_meta WHERE id = 1"))
            return int(version)
    finally:
        engine.dispose()


def test_a_failed_read_is_left_to_sql_and_tried_again_after_the_pause(
    seeded_url: str,
    reader: tuple[BackgroundRead[Any], Callable[[AppClient, int], bool], list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads, in_memory, started = reader
    monkeypatch.setattr(reads, "retry_seconds", PAUSE)
    read = reads.read
    failures = [OperationalError("SELECT", {}, Exception("the server closed the connection"))]

    def failing(connection: Connection) -> Any:
        value = read(connection)  # counted
        if failures:
            raise failures.pop()
        return value

    monkeypatch.setattr(reads, "read", failing)
    with _client(seeded_url) as client:  # the read at start fails
        background_reads.wait_for_all(10)
        failed_by = time.monotonic()
        assert started == [1]
        # Within the pause: answered in SQL, and no read tried again...
        assert not in_memory(client, 1)
        assert not in_memory(client, 2)
        background_reads.wait_for_all(10)
        assert started == [1]
        assert time.monotonic() < failed_by + PAUSE, "the machine is too slow for this pause"
        # ...after it, the next request that wants the value reads it.
        time.sleep(failed_by + PAUSE - time.monotonic() + 0.1)
        in_memory(client, 3)
        background_reads.wait_for_all(10)
        assert started == [1, 1]
        assert in_memory(client, 4)
        assert started == [1, 1]


def test_an_ingest_is_read_anew_by_the_next_request_and_the_older_version_dropped(
    database_url: str,
    tmp_path: Path,
    reader: tuple[BackgroundRead[Any], Callable[[AppClient, int], bool], list[int]],
) -> None:
    reads, in_memory, started = reader
    corpus = seeds_with_a_copy(tmp_path)
    other = corpus / "articles" / "zz-other.txt"
    held_back = other.read_text(encoding="utf-8")
    other.unlink()
    ingest(corpus)
    key = str(make_url(database_url))  # the database's key (its URL, the password hidden)
    with _client(database_url) as client:
        background_reads.wait_for_all(10)
        assert started == [1]
        assert in_memory(client, 1) and in_memory(client, 2)
        assert started == [1]
        first = _data_version(database_url)
        assert reads.kept()[key] == first
        other.write_text(held_back, encoding="utf-8")
        ingest(corpus)
        assert _data_version(database_url) > first
        in_memory(client, 3)  # a small database: read in the request's wait, or just after
        background_reads.wait_for_all(10)
        assert started == [1, 1]
        assert in_memory(client, 4)
        assert started == [1, 1]
        # One value per database: the new version's, the older one dropped.
        assert reads.kept()[key] == _data_version(database_url)


def test_a_request_that_looked_as_a_read_ended_uses_it_and_reads_nothing_again(
    seeded_url: str,
    reader: tuple[BackgroundRead[Any], Callable[[AppClient, int], bool], list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads, in_memory, started = reader
    read = reads.read  # counted

    def slow(connection: Connection) -> Any:
        time.sleep(0.3)  # longer than any request waits for a read
        return read(connection)

    monkeypatch.setattr(reads, "read", slow)
    looks = _LookedBeforeTheReadEnded(reads, reads._latest)
    monkeypatch.setattr(reads, "_latest", looks)
    with _client(seeded_url) as client:  # the read at start, under way
        looks.armed = True
        # The request saw nothing kept; the read ended before it could start another.
        assert in_memory(client, 1)
        assert not looks.armed
        background_reads.wait_for_all(10)
        assert started == [1]
