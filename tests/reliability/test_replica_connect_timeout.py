"""A replica that accepts connections and never answers is skipped within the connect timeout.

A host that drops packets, or a server stuck before its start-up reply, would otherwise hold
every request for the operating system's TCP timeout (minutes): the skip-when-down logic only
helps once the connection attempt has failed.
"""

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient

CONNECT_TIMEOUT = 1


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port whose kernel completes the handshake and whose server never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)  # never accepted: connections wait in the backlog
        yield int(listener.getsockname()[1])


def test_a_replica_that_never_answers_costs_at_most_the_connect_timeout(
    backend: str, seeded_url: str, silent_server: int
) -> None:
    if backend != "postgresql":
        pytest.skip("replicas are PostgreSQL's")
    silent = f"postgresql+psycopg://postgres:postgres@127.0.0.1:{silent_server}/postgres"
    settings = Settings(
        database_url=seeded_url,
        database_replica_urls=[silent],
        connect_timeout_seconds=CONNECT_TIMEOUT,
    )
    answers: list[httpx.Response] = []

    def ask() -> None:
        with AppClient(create_app(settings)) as client:
            answers.append(client.get("/incidents?limit=1"))

    asking = threading.Thread(target=ask, daemon=True)
    started = time.monotonic()
    asking.start()
    # Without a connect timeout the request waits for TCP's own (minutes): the thread is still
    # blocked when this gives up, and the assertion below fails instead of hanging the suite.
    asking.join(timeout=CONNECT_TIMEOUT * 10)
    elapsed = time.monotonic() - started
    assert answers, f"no answer after {elapsed:.0f} s: the silent replica held the request"
    response = answers[0]
    assert response.status_code == 200, response.text
    assert response.headers["x-served-by"] == "primary"
    assert elapsed < CONNECT_TIMEOUT * 5
