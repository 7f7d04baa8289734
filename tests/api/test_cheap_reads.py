"""Reads measured cheap answered on the event loop (app/api/direct.py): on SQLite only, only a
URL already read in a request thread at the same data version in under CHEAP_READ_SECONDS,
and the same bytes and headers either way."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.api import direct
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import retitle_and_ingest
from tests.inprocess import AppClient

LISTS = ["/incidents?limit=2", "/statements?speaker=Iran&limit=2", "/actors?limit=2"]
DETAIL = "/incidents/spokesman-accuses-azerbaijan"


@pytest.fixture
def mini(mini_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppClient]:
    """The mini dataset, no response kept (a detail asked again reads the database); every
    read cheap enough, in CPU time and in wall time on the loop (a loaded machine's reads of
    the mini dataset can take milliseconds of CPU; under CI's three suites a read on the loop
    took over CHEAP_READ_WALL_SECONDS and went back to a thread)."""
    monkeypatch.setattr(direct, "CHEAP_READ_SECONDS", 10.0)
    monkeypatch.setattr(direct, "CHEAP_READ_WALL_SECONDS", 10.0)
    settings = Settings(database_url=mini_url, kept_responses=0)
    with AppClient(create_app(settings)) as client:
        yield client


@contextmanager
def reading_threads(http: AppClient) -> Iterator[list[str]]:
    """The names of the threads the application's statements run in, inside the block."""
    names: list[str] = []

    def record(*_: Any) -> None:
        names.append(threading.current_thread().name)

    engine = http.app.state.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield names
    finally:
        event.remove(engine, "before_cursor_execute", record)


def read_where(http: AppClient, path: str) -> tuple[Any, set[str]]:
    """The response to `path`, and the kinds of thread its statements ran in."""
    with reading_threads(http) as names:
        response = http.get(path)
    assert response.status_code == 200 and names, path
    return response, {"worker" if "worker" in name else "loop" for name in names}


def same(a: Any, b: Any) -> bool:
    return bool(a.content == b.content and a.headers == b.headers)


@pytest.mark.parametrize("path", [*LISTS, DETAIL])
def test_a_cheap_read_moves_to_the_loop_with_the_same_answer(
    mini: AppClient, backend: str, path: str
) -> None:
    first, first_threads = read_where(mini, path)
    second, second_threads = read_where(mini, path)
    third, third_threads = read_where(mini, path)
    assert first_threads == {"worker"}
    expected = {"loop"} if backend == "sqlite" else {"worker"}
    assert second_threads == third_threads == expected
    assert same(first, second) and same(first, third)
    head = mini.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == first.headers["etag"]


def test_a_new_data_version_is_measured_again(
    mini: AppClient, mini_seeds: Path, backend: str
) -> None:
    path = LISTS[0]
    read_where(mini, path)
    before, threads = read_where(mini, path)
    assert threads == ({"loop"} if backend == "sqlite" else {"worker"})
    retitle_and_ingest(mini_seeds)
    after, after_threads = read_where(mini, path)
    assert after_threads == {"worker"}
    assert after.headers["etag"] != before.headers["etag"]
    again, again_threads = read_where(mini, path)
    assert again_threads == threads
    assert same(after, again)


def test_a_read_measured_slow_stays_in_a_request_thread(
    mini: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct, "CHEAP_READ_SECONDS", 0.0)
    path = LISTS[0]
    for _ in range(3):
        _, threads = read_where(mini, path)
        assert threads == {"worker"}
    # Another URL (the same list with other parameters) is measured on its own.
    monkeypatch.setattr(direct, "CHEAP_READ_SECONDS", 10.0)
    read_where(mini, "/incidents?limit=3")
    _, threads = read_where(mini, path)
    assert threads == {"worker"}


def test_a_read_that_turns_slow_on_the_loop_goes_back_to_a_thread(
    mini: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL reads never run on the loop")
    path = LISTS[0]
    read_where(mini, path)
    _, threads = read_where(mini, path)
    assert threads == {"loop"}
    monkeypatch.setattr(direct, "CHEAP_READ_SECONDS", 0.0)
    _, threads = read_where(mini, path)
    assert threads == {"loop"}  # measured there: slow
    _, threads = read_where(mini, path)
    assert threads == {"worker"}


def test_no_read_on_the_loop_while_one_is_in_a_request_thread() -> None:
    cheap = direct.CheapReads()
    url = ("/incidents", b"limit=2")
    cheap.measured(7, url, cpu=0.0005, wall=0.0)
    assert cheap.known(7, url) and not cheap.known(8, url)
    assert not cheap.known(7, ("/incidents", b"limit=3"))
    cheap.in_threads += 1
    assert not cheap.known(7, url)
    cheap.in_threads -= 1
    assert cheap.known(7, url)
    # Measured slow: by its CPU time, or (on the loop) by its wall time.
    cheap.measured(7, url, cpu=direct.CHEAP_READ_SECONDS, wall=0.0)
    assert not cheap.known(7, url)
    cheap.measured(7, url, cpu=0.0005, wall=direct.CHEAP_READ_WALL_SECONDS)
    assert not cheap.known(7, url)
    # A new data version forgets the older one's.
    cheap.measured(7, url, cpu=0.0005, wall=0.0)
    cheap.measured(8, ("/statements", b""), cpu=0.0005, wall=0.0)
    assert not cheap.known(7, url) and not cheap.known(8, url)


def test_concurrent_requests_read_in_request_threads() -> None:
    """Requests the loop has ready together (concurrent clients) all read in threads; a
    request alone reads on the loop."""
    cheap = direct.CheapReads()
    where: list[str] = []

    async def request() -> None:
        if await cheap.alone():
            where.append("loop")
            return
        cheap.in_threads += 1  # as DirectRoute's hop does before it waits for the thread
        try:
            where.append("thread")
            await asyncio.sleep(0.01)
        finally:
            cheap.in_threads -= 1

    async def clients() -> None:
        await asyncio.gather(*(request() for _ in range(4)))
        await request()
        await asyncio.gather(request(), request())

    asyncio.run(clients())
    assert where == ["thread"] * 4 + ["loop"] + ["thread"] * 2
