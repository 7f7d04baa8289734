"""The SQL statements an application runs, as the tests that count or read them see them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.inprocess import AppClient


@contextmanager
def _listening(http: AppClient, record: Callable[..., None]) -> Iterator[None]:
    """`record(connection, cursor, statement, parameters, ...)` before each statement the
    application runs inside the block."""
    engine = http.app.state.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def counted_statements(http: AppClient) -> Iterator[list[str]]:
    """The SQL statements the application runs inside the block."""
    seen: list[str] = []
    with _listening(http, lambda _c, _cur, statement, *_: seen.append(statement)):
        yield seen


@contextmanager
def issued_statements(http: AppClient) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the application runs inside the block, with their parameters."""
    seen: list[tuple[str, Any]] = []
    with _listening(
        http, lambda _c, _cur, statement, parameters, *_: seen.append((statement, parameters))
    ):
        yield seen
