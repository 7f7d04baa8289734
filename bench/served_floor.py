"""python -m bench.served_floor --db URL --path PATH: our served list beside its served floor.

`bench.inprocess` sets a request's CPU beside its SQL re-run on a bare connection, with no
server and one request at a time. Under concurrent clients what a request costs also holds the
HTTP server, the event loop, the thread-pool hop and the database's round trips, which no
application can do without. The floor here is a server that does only those: uvicorn (as
`incidentdb serve` runs it: httptools, uvloop) in front of a bare ASGI callable that, per
request, hops to a worker thread, takes a pooled DBAPI connection, makes the round trips our
request makes (PostgreSQL: the pool's ping that begins the read transaction and reads the
data version, as app/db/session.py does; SQLite: `BEGIN`), re-runs the SQL our request issued
(captured in process), ends the transaction and sends our response's bytes, made once.

Both are loaded alike with `wrk` (one process each, `--connections` keep-alive connections,
`--seconds` per run), alternately, `--runs` times; each row gives requests/s, p50, p99 and
the server's CPU per request. Ours minus the floor is what our own code costs a request
served under load: what issue 17's "time above the raw SQL floor" is, measured where p99 is.
"""

from __future__ import annotations

import argparse
import os
import queue
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

# The floor server's configuration, from `main` to the uvicorn process it starts.
_ENV_DB = "INCIDENTDB_FLOOR_DB"
_ENV_CAPTURED = "INCIDENTDB_FLOOR_CAPTURED"  # a pickle of (statements, body)

# As app/db/versions.py begins a PostgreSQL reader's transaction in the pool's ping.
_PG_BEGIN_AND_VERSION = (
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
    "SELECT data_version FROM dataset_meta WHERE id = 1"
)


def floor_reader(url: str) -> Callable[[list[tuple[str, Any]]], None]:
    """A function that makes one request's round trips on a pooled bare DBAPI connection."""
    parsed = make_url(url)
    pool: queue.SimpleQueue[Any] = queue.SimpleQueue()
    if parsed.get_backend_name() == "sqlite":
        local = threading.local()

        def read_sqlite(statements: list[tuple[str, Any]]) -> None:
            # One connection per thread, as our SQLite readers' pool keeps one per thread.
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = sqlite3.connect(
                    parsed.database or "", isolation_level=None, check_same_thread=False
                )
            conn.execute("BEGIN")
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
            conn.execute("ROLLBACK")

        return read_sqlite

    from bench.generate import connect_psycopg

    def read_postgresql(statements: list[tuple[str, Any]]) -> None:
        try:
            conn = pool.get_nowait()
        except queue.Empty:
            conn = connect_psycopg(url, autocommit=True)
        try:
            with conn.cursor() as cursor:
                cursor.execute(_PG_BEGIN_AND_VERSION)
                cursor.nextset()
                cursor.fetchone()
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            conn.execute(b"ROLLBACK")
        finally:
            pool.put(conn)

    return read_postgresql


def _floor_app() -> Callable[..., Any]:
    """The floor's ASGI callable, configured by the environment `main` gives its server."""
    import pickle

    import anyio.to_thread

    statements, body = pickle.loads(Path(os.environ[_ENV_CAPTURED]).read_bytes())
    read = floor_reader(os.environ[_ENV_DB])
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await anyio.to_thread.run_sync(read, statements)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def __getattr__(name: str) -> Any:
    # `uvicorn bench.served_floor:app` builds the floor only in its own process.
    if name == "app":
        return _floor_app()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> int:
    from bench.api import _PIDS, SqlCapture, _cpu_seconds, _free_port, _server, _wait_idle
    from bench.combos import concurrent, has_wrk

    parser = argparse.ArgumentParser(prog="python -m bench.served_floor", description=__doc__)
    parser.add_argument("--db", required=True, help="Database URL (the served one).")
    parser.add_argument("--path", default="/incidents?type=arrest&limit=50", help="The URL.")
    parser.add_argument("--connections", type=int, default=4, help="wrk's connections.")
    parser.add_argument("--seconds", type=int, default=5, help="Seconds per load.")
    parser.add_argument("--runs", type=int, default=3, help="Loads of each, alternately.")
    parser.add_argument("--ours-source", help="Serve this checkout's `app` (before/after).")
    args = parser.parse_args(argv)
    if not has_wrk():
        print("no wrk on PATH (apt-get install wrk)", file=sys.stderr)
        return 1

    import pickle

    capture = SqlCapture(args.db)
    try:
        statements = capture.sql_of(args.path)
        body = capture.client.get(args.path).content
    finally:
        capture.close()
    print(f"{args.path}: {len(statements)} statements, {len(body):,} bytes", flush=True)

    with tempfile.TemporaryDirectory() as workdir:
        captured = Path(workdir) / "captured.pickle"
        captured.write_bytes(pickle.dumps((statements, body)))
        env = {**os.environ, "DATABASE_URL": args.db, _ENV_DB: args.db}
        env[_ENV_CAPTURED] = str(captured)
        floor_port, ours_port = _free_port(), _free_port()
        # As app/cli.py's `serve` runs uvicorn: one process, its default loop and parser.
        floor_cmd = [
            sys.executable, "-m", "uvicorn", "bench.served_floor:app",
            "--host", "127.0.0.1", "--port", str(floor_port),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        with (
            _server(floor_cmd, env, floor_port, "/") as floor_base,
            _server(*_ours(ours_port, env, args.ours_source), ours_port, "/health") as ours_base,
        ):
            servers = {"floor": (floor_base, "/"), "ours": (ours_base, args.path)}
            served = {name: _body(base + path) for name, (base, path) in servers.items()}
            if served["floor"] != served["ours"]:
                print("the floor's response is not ours: no comparison", file=sys.stderr)
                return 1
            for base, path in servers.values():
                concurrent(base + path, args.connections, 3)  # warm: pools, kept statements
            # Our start-up reads (the incident columns, ~3 s at 1M) end before the first
            # load, or they take the floor's first run's CPU (p99 64-198 ms, measured).
            _wait_idle(_PIDS[ours_base], lambda line: print(line, flush=True))
            failed = False
            print(f"{'server':<6} run   req/s  p50 ms  p99 ms  cpu ms/req")
            for run in range(1, args.runs + 1):
                for name, (base, path) in servers.items():
                    before = _cpu_seconds(_PIDS[base])
                    load = concurrent(base + path, args.connections, args.seconds)
                    after = _cpu_seconds(_PIDS[base])
                    cpu = float("nan")
                    if before is not None and after is not None and load.requests:
                        cpu = 1000 * (after - before) / load.requests
                    print(
                        f"{name:<6} {run:>3} {load.rps:>7.0f} {load.p50_ms:>7.1f} "
                        f"{load.p99_ms:>7.1f} {cpu:>10.2f}"
                        + (f"  {load.errors} errors" if load.errors else ""),
                        flush=True,
                    )
                    failed = failed or bool(load.errors) or not load.requests
    return 1 if failed else 0


def _ours(port: int, env: dict[str, str], source: str | None) -> tuple[list[str], dict[str, str]]:
    """`incidentdb serve` (one process), or the same from another checkout (as bench.api's
    `--ours-source` serves it)."""
    from bench.api import Modes, _ours_source, _serve_command

    return _ours_source(_serve_command(port, 1), env, Modes(ours_source=source))


def _body(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


if __name__ == "__main__":
    raise SystemExit(main())
