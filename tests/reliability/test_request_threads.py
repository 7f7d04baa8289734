"""Where a request's reads run: which requests wait for a request thread and which do not.

On SQLite a detail (one item by its key) is read on the event loop, so it answers while every
request thread is busy; on PostgreSQL it is read in a request thread, so a slow database never
stalls the event loop and the other requests on it.
"""

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app
from app.settings import Settings

# How long the held request keeps its thread: far longer than a detail takes on any backend.
HOLD_SECONDS = 2.0


def _hold_next_statement(app: Any, *, thread_prefix: str) -> tuple[threading.Event, Any]:
    """The next statement run by a thread whose name starts with `thread_prefix` first sleeps
    HOLD_SECONDS (once); the returned event is set when that sleep has begun."""
    holding = threading.Event()

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def hold(*_: Any) -> None:
        if holding.is_set() or not threading.current_thread().name.startswith(thread_prefix):
            return
        holding.set()
        time.sleep(HOLD_SECONDS)

    return holding, hold


def _detail_path(http: TestClient, kind: str) -> str:
    item = http.get(f"/{kind}", params={"limit": 1}).json()["items"][0]
    return f"/{kind}/{item['id'] if kind == 'statements' else item['slug']}"


@pytest.mark.parametrize("kind", ["incidents", "actors", "statements"])
def test_sqlite_details_answer_while_every_request_thread_is_busy(
    shared_seeded_url: str, backend: str, kind: str
) -> None:
    if backend != "sqlite":
        pytest.skip("on PostgreSQL a detail is read in a request thread (the next test)")
    app = create_app(Settings(database_url=shared_seeded_url, request_threads=1))
    with TestClient(app) as http:
        path = _detail_path(http, kind)
        expected = http.get(path).content
        holding, hold = _hold_next_statement(app, thread_prefix="AnyIO worker thread")
        # A list page takes the one request thread and keeps it HOLD_SECONDS.
        busy = threading.Thread(target=http.get, args=("/incidents?limit=5",))
        busy.start()
        assert holding.wait(10)
        started = time.monotonic()
        response = http.get(path)
        took = time.monotonic() - started
        still_busy = busy.is_alive()
        busy.join()
        event.remove(app.state.engine, "before_cursor_execute", hold)
    assert response.status_code == 200
    assert response.content == expected
    assert still_busy, "the list page finished first: the detail waited for its thread"
    assert took < HOLD_SECONDS / 2


@pytest.mark.parametrize("kind", ["incidents", "actors", "statements"])
def test_postgresql_details_never_stall_the_event_loop(
    shared_seeded_url: str, backend: str, kind: str
) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite a detail is read on the event loop (the test above)")
    app = create_app(Settings(database_url=shared_seeded_url, request_threads=2))
    with TestClient(app) as http:
        path = _detail_path(http, kind)
        expected = http.get(path).content
        # The detail's first statement is held, wherever the detail runs.
        holding, hold = _hold_next_statement(app, thread_prefix="")
        answers: list[bytes] = []
        slow = threading.Thread(target=lambda: answers.append(http.get(path).content))
        slow.start()
        assert holding.wait(10)
        # Meanwhile another request is answered: the event loop is free.
        started = time.monotonic()
        health = http.get("/health")
        took = time.monotonic() - started
        slow.join()
        event.remove(app.state.engine, "before_cursor_execute", hold)
    assert health.status_code == 200
    assert took < HOLD_SECONDS / 2
    assert answers == [expected]
