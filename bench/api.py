"""python -m bench.api --db URL: our API, Datasette and raw SQL, side by side in one run.

`incidentdb serve` runs as users run it (the console script, production settings, one
process); Datasette serves the same SQLite file; this process drives both over loopback with
one keep-alive connection, a fixed number of requests per query, one at a time. The floor is
the SQL our API itself issued for the request (captured once in-process), re-run on a bare
DBAPI connection: what the database alone costs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
PAGE = 50


@dataclass(frozen=True)
class Query:
    """One benchmark row: our URL(s), the nearest Datasette URL(s)."""

    name: str
    label: str
    ours: list[str]
    datasette: list[str] | None
    # The floor re-runs our SQL without the app's time budgets: meaningless for a page whose
    # facet counts the app cuts off at a few milliseconds.
    raw: bool = True
    # Under load only: the URLs hold `%d`, filled by bench/random_id.lua with a random id up
    # to the number of incidents on every request (one URL repeated would be a kept response).
    random_id: bool = False


@dataclass
class Timing:
    requests: int
    p50_ms: float
    p99_ms: float
    rps: float
    errors: int = 0
    # Server CPU time per request (user + system, from /proc): what a request costs the
    # server whatever else runs on the machine, where wall-clock percentiles also measure
    # waiting for a core.
    cpu_ms: float | None = None
    # The very first request of the row, before any warm-up: a page's cold visit (its
    # per-data-version counts not made yet, its rows not in any cache).
    first_ms: float | None = None
    load: float | None = None  # the machine's 1-minute load average when the row ended

    @staticmethod
    def of(samples: Sequence[float], wall: float, errors: int = 0) -> Timing:
        ordered = sorted(samples)
        return Timing(
            requests=len(ordered),
            p50_ms=1000 * _percentile(ordered, 50),
            p99_ms=1000 * _percentile(ordered, 99),
            rps=len(ordered) / wall if wall else 0.0,
            errors=errors,
        )


@dataclass
class Row:
    name: str
    label: str
    ours: Timing
    datasette: Timing | None
    raw: Timing
    note: str = ""

    @property
    def vs_datasette_rps(self) -> float | None:
        return self.ours.rps / self.datasette.rps if self.datasette else None

    @property
    def overhead_ms(self) -> float:
        return self.ours.p50_ms - self.raw.p50_ms


@dataclass
class Result:
    db: str
    backend: str
    incidents: int
    requests: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    load: list[dict[str, Any]] = field(default_factory=list)  # --concurrent
    combinations: dict[str, Any] | None = None  # --combinations
    workers: int = 1  # our server's worker processes (--workers); Datasette's is one

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _percentile(ordered: Sequence[float], pct: float) -> float:
    if not ordered:
        return math.nan
    # Nearest rank: p99 of 200 samples is the 198th, an observed latency, not an interpolation.
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


_PIDS: dict[str, int] = {}


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds so far (Linux) of a process and every process under it (a
    server's workers), or None."""
    if pid is None:
        return None
    seconds = [_own_cpu_seconds(p) for p in (pid, *_descendants(pid))]
    if seconds[0] is None:
        return None
    return sum(s for s in seconds if s is not None)


def _wait_idle(pid: int | None, log: Callable[[str], None], timeout: float = 120.0) -> None:
    """Until the server (every process of it) uses under a tenth of a core for half a second."""
    if pid is None:
        return
    started = time.monotonic()
    before = _cpu_seconds(pid)
    while before is not None and time.monotonic() - started < timeout:
        time.sleep(0.5)
        after = _cpu_seconds(pid)
        if after is None or after - before < 0.05:
            break
        before = after
    log(f"server idle after {time.monotonic() - started:.1f} s (its start-up reads done)")


def _own_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """The processes under `pid` (Linux /proc: each one's parent is its stat's 4th field)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@contextmanager
def _server(
    argv: list[str], env: dict[str, str], port: int, ready: str, *, workers: int = 0
) -> Iterator[str]:
    """A server process on loopback; yields its base URL once `ready` answers 200 and, with
    `workers`, that many uvicorn worker processes have started (the first one up answers
    `ready` while the others may still be starting: a load would then meet fewer workers)."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise SystemExit(f"{argv[0]} exited: {log.read().decode(errors='replace')}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", ready)
                if conn.getresponse().status == 200 and _started(log) >= workers:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                started = f" with {workers} workers started" if workers else ""
                raise SystemExit(f"{' '.join(argv)} did not answer {ready}{started} within 60 s")
            time.sleep(0.1)
        base = f"http://{HOST}:{port}"
        _PIDS[base] = process.pid
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _started(log: Any) -> int:
    """How many uvicorn server processes have finished starting, by the log so far."""
    log.seek(0)
    return log.read().count(b"Application startup complete")


def _serve_command(port: int, workers: int) -> list[str]:
    """`incidentdb serve` on loopback, with `--workers` when more than one."""
    command = [*_incidentdb_command(), "serve", "--host", HOST, "--port", str(port)]
    return command + ["--workers", str(workers)] if workers > 1 else command


def _incidentdb_command() -> list[str]:
    # The console script users run; `python -m app` when the script is not on this venv's path.
    script = Path(sys.executable).parent / "incidentdb"
    if script.exists():
        return [str(script)]
    found = shutil.which("incidentdb")
    return [found] if found else [sys.executable, "-m", "app"]


class Client:
    """One keep-alive HTTP/1.1 connection, as a single client would hold."""

    def __init__(self, base: str) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname or HOST, parsed.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        return response.status, response.read()

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        if status != 200:
            raise SystemExit(f"GET {path} -> {status}: {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        self.conn.close()


def drive(client: Client, urls: list[str], requests: int, warmup: int) -> Timing:
    """`requests` GETs, one after another, cycling through `urls`; latency of each.

    The first of the (at least one) warm-up requests is timed on its own: `first_ms`.
    """
    t0 = time.perf_counter()
    client.get(urls[0])
    first_ms = 1000 * (time.perf_counter() - t0)
    for i in range(1, warmup):
        client.get(urls[i % len(urls)])
    samples = []
    errors = 0
    started = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        status, _ = client.get(urls[i % len(urls)])
        samples.append(time.perf_counter() - t0)
        errors += status != 200
    timing = Timing.of(samples, time.perf_counter() - started, errors)
    timing.first_ms = first_ms
    timing.load = os.getloadavg()[0]
    return timing


# -- the floor: our own SQL on a bare connection ----------------------------------------------

Captured = list[tuple[str, Any]]


class SqlCapture:
    """Runs requests in-process against our app and records the SQL each one issues."""

    def __init__(self, url: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from app.main import create_app
        from app.settings import Settings

        self.app = create_app(Settings(database_url=url))
        self.client = TestClient(self.app)
        self.statements: Captured = []
        self.recording = False

        @event.listens_for(self.app.state.engine, "before_cursor_execute")
        def _record(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
            if self.recording and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                self.statements.append((statement, params))

    def sql_of(self, path: str) -> Captured:
        # A warm request first: the pages count whole-dataset aggregates once per data version
        # (app/web/cache.py), and the floor is what a served request issues, not a cold one.
        self.client.get(path)
        self.statements = []
        self.recording = True
        try:
            response = self.client.get(path)
        finally:
            self.recording = False
        if response.status_code != 200:
            raise SystemExit(f"in-process GET {path} -> {response.status_code}: {response.text}")
        return self.statements

    def close(self) -> None:
        self.client.close()
        self.app.state.engine.dispose()


def raw_runner(url: str) -> tuple[Callable[[Captured], None], Callable[[], None]]:
    """A function that runs captured statements on a bare DBAPI connection, and a closer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database or "", isolation_level=None)

        def run_sqlite(statements: Captured) -> None:
            conn.execute("BEGIN")
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
            conn.execute("ROLLBACK")

        return run_sqlite, conn.close
    from bench.generate import connect_psycopg

    pg = connect_psycopg(url)

    def run_pg(statements: Captured) -> None:
        with pg.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                cur.fetchall()
        pg.rollback()

    return run_pg, pg.close


def time_raw(
    run: Callable[[Captured], None], batches: list[Captured], requests: int, warmup: int
) -> Timing:
    for i in range(warmup):
        run(batches[i % len(batches)])
    samples = []
    started = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        run(batches[i % len(batches)])
        samples.append(time.perf_counter() - t0)
    return Timing.of(samples, time.perf_counter() - started)


# -- the workload -----------------------------------------------------------------------------


def _q(path: str, params: list[tuple[str, str]] | dict[str, str]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


def _member_ids(url: str, name: str) -> list[int]:
    """What our API resolves `name` to (the actor and its officials and bodies)."""
    from sqlalchemy.orm import Session

    from app.actors import service as actors_service
    from app.db.session import create_db_engine

    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            return sorted(actors_service.resolve_with_members(session, name, "actor"))
    finally:
        engine.dispose()


def _count_incidents(url: str) -> int:
    from app.incidents.models import Incident

    return _count_rows(url, Incident)


def _count_rows(url: str, model: Any) -> int:
    from sqlalchemy import func, select

    from app.db.session import create_db_engine

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())
    finally:
        engine.dispose()


def _spread(n: int, k: int = 20) -> list[int]:
    """`k` ids spread evenly over 1..n (detail pages that touch the whole file, not one corner)."""
    return sorted({min(n, 1 + i * max(1, n // k)) for i in range(k)}) if n else []


def page_workload(url: str, ours: Client, incidents: int) -> list[Query]:
    """The HTML pages (/, /browse/...): ours only, Datasette has no equivalent of these."""
    from app.sources.models import Source
    from app.statements.models import Statement

    sources = _spread(_count_rows(url, Source))
    statements = _spread(_count_rows(url, Statement))
    people = [a["slug"] for a in ours.json("/actors?kind=person&limit=20")["items"]]
    window = [("date_from", "2015-01-01"), ("date_to", "2020-12-31")]
    return [
        Query("page_home", "page /", ["/"], None),
        Query("page_incidents", "page /browse/incidents", ["/browse/incidents"], None),
        Query(
            "page_incidents_actor",
            "page incidents actor=Iran",
            [_q("/browse/incidents", {"actor": "Iran"})],
            None,
        ),
        Query(
            "page_incidents_narrow",
            "page incidents 2 actors, 2015-2020",
            [_q("/browse/incidents", [("actor", "Iran"), ("actor", "Azerbaijan"), *window])],
            None,
            raw=False,
        ),
        Query(
            "page_incidents_type",
            "page incidents type=attack&country=IRN",
            [_q("/browse/incidents", {"type": "attack", "country": "IRN"})],
            None,
            raw=False,
        ),
        Query(
            "page_incident",
            "page incident detail",
            [f"/browse/incidents/{i}" for i in _spread(incidents)],
            None,
        ),
        Query(
            "page_source",
            "page source (text+highlights)",
            [f"/browse/sources/{i}" for i in sources],
            None,
        ),
        Query(
            "page_statement",
            "page statement",
            [f"/browse/statements/{i}" for i in statements],
            None,
        ),
        Query("page_actor_state", "page actor Iran", ["/browse/actors/iran"], None),
        Query(
            "page_actor_person",
            "page actor (20 officials)",
            [f"/browse/actors/{p}" for p in people],
            None,
        ),
        Query("page_search", "page search q=pipeline", ["/browse/search?q=pipeline"], None),
    ]


def _walk(client: Client, first: str, pages: int, next_of: Callable[[Any], str | None]) -> str:
    """The URL of page `pages` (1-based), following each page's own next link."""
    path = first
    for _ in range(pages - 1):
        nxt = next_of(client.json(path))
        if nxt is None:
            break
        path = nxt
    return path


def workload(
    url: str, ours: Client, ds: Client | None, ds_name: str, incidents: int, walk_page: int
) -> tuple[list[Query], int]:
    iran = _member_ids(url, "Iran")
    azerbaijan = _member_ids(url, "Azerbaijan")
    # The officials whose pages `page_actor_person` times: their incidents as the API lists them.
    people = [a["slug"] for a in ours.json("/actors?kind=person&limit=20")["items"]]
    window = [("date_from", "2015-01-01"), ("date_to", "2020-12-31")]
    detail_ids = [1 + k * max(1, incidents // 20) for k in range(20) if 1 + k * incidents // 20]
    detail_ids = sorted({min(i, incidents) for i in detail_ids})

    def where_in(ids: list[int], column: str = "id", table: str = "incident_participant") -> str:
        members = ",".join(map(str, ids))
        if table == "statement":
            return f"{column} in ({members})"
        return f"id in (select incident_id from incident_participant where actor_id in ({members}))"

    d = f"/{ds_name}"
    # Facet suggestions cost Datasette ~1 s a page at a million rows and our responses carry
    # no facets: turn them off, so Datasette is measured at its fastest equivalent.
    plain = [("_nofacet", "1"), ("_nosuggest", "1")]
    by_date = [("_sort_desc", "date_start"), ("_size", str(PAGE)), *plain]
    page_walk = min(walk_page, max(1, incidents // PAGE))
    walk_ours = _walk(
        ours,
        _q("/incidents", {"limit": str(PAGE)}),
        page_walk,
        lambda body: (
            _q("/incidents", {"limit": str(PAGE), "cursor": body["next_cursor"]})
            if body["next_cursor"]
            else None
        ),
    )
    walk_ds = None
    if ds is not None:

        def ds_next(body: Any) -> str | None:
            nxt = body.get("next_url")
            if not nxt:
                return None
            parts = urllib.parse.urlsplit(nxt)
            return f"{parts.path}?{parts.query}"

        walk_ds = _walk(ds, _q(f"{d}/incident.json", by_date), page_walk, ds_next)
    queries = [
        Query(
            "list",
            "list page 1, newest first",
            [_q("/incidents", {"limit": str(PAGE)})],
            [_q(f"{d}/incident.json", by_date)],
        ),
        Query(
            "list_nocount",
            "list page 1, count=none / _nocount",
            [_q("/incidents", {"limit": str(PAGE), "count": "none"})],
            [_q(f"{d}/incident.json", [*by_date, ("_nocount", "1")])],
        ),
        Query(
            "type",
            "type=arrest",
            [_q("/incidents", {"type": "arrest", "limit": str(PAGE)})],
            [_q(f"{d}/incident.json", [("type", "arrest"), *by_date])],
        ),
        Query(
            "actor",
            "actor=Iran (with its officials)",
            [_q("/incidents", {"actor": "Iran", "limit": str(PAGE)})],
            [_q(f"{d}/incident.json", [("_where", where_in(iran)), *by_date])],
        ),
        Query(
            "actor_people",
            "actor=(20 officials, one a request)",
            [_q("/incidents", {"actor": slug, "limit": str(PAGE)}) for slug in people],
            [
                _q(f"{d}/incident.json", [("_where", where_in(_member_ids(url, slug))), *by_date])
                for slug in people
            ],
        ),
        Query(
            "two_actors",
            "actor=Iran&actor=Azerbaijan, 2015-2020",
            [
                _q(
                    "/incidents",
                    [("actor", "Iran"), ("actor", "Azerbaijan"), *window, ("limit", str(PAGE))],
                )
            ],
            [
                _q(
                    f"{d}/incident.json",
                    [
                        ("_where", where_in(iran)),
                        ("_where", where_in(azerbaijan)),
                        ("date_end__gte", "2015-01-01"),
                        ("date_start__lte", "2020-12-31"),
                        *by_date,
                    ],
                )
            ],
        ),
        Query(
            "q_incidents",
            "incidents q=pipeline",
            [_q("/incidents", {"q": "pipeline", "limit": str(PAGE)})],
            [
                _q(
                    f"{d}/incident.json",
                    [
                        ("_search", "pipeline"),
                        ("_fts_table", "incident_fts"),
                        ("_fts_pk", "id"),
                        *by_date,
                    ],
                )
            ],
        ),
        Query(
            "q_date",
            "incidents q=pipeline, newest first",
            [_q("/incidents", {"q": "pipeline", "sort": "-date", "limit": str(PAGE)})],
            [
                _q(
                    f"{d}/incident.json",
                    [
                        ("_search", "pipeline"),
                        ("_fts_table", "incident_fts"),
                        ("_fts_pk", "id"),
                        *by_date,
                    ],
                )
            ],
        ),
        Query(
            "q_statements",
            "statements q=corridor",
            [_q("/statements", {"q": "corridor", "limit": str(PAGE)})],
            [
                _q(
                    f"{d}/statement.json",
                    [
                        ("_search", "corridor"),
                        ("_fts_table", "statement_fts"),
                        ("_fts_pk", "id"),
                        ("_sort_desc", "said_on"),
                        ("_size", str(PAGE)),
                        *plain,
                    ],
                )
            ],
        ),
        Query(
            "walk",
            f"page {page_walk:,} of a cursor walk",
            [walk_ours],
            [walk_ds] if walk_ds else None,
        ),
        Query(
            "detail",
            "incident detail",
            [f"/incidents/{i}" for i in detail_ids],
            [f"{d}/incident/{i}.json" for i in detail_ids],
        ),
        Query(
            "detail_random",
            "incident detail, a random id each time",
            ["/incidents/%d"],
            [f"{d}/incident/%d.json"],
            random_id=True,
        ),
        Query(
            "speaker",
            "statements speaker=Iran",
            [_q("/statements", {"speaker": "Iran", "limit": str(PAGE)})],
            [
                _q(
                    f"{d}/statement.json",
                    [
                        ("_where", where_in(iran, "speaker_id", "statement")),
                        ("_sort_desc", "said_on"),
                        ("_size", str(PAGE)),
                        *plain,
                    ],
                )
            ],
        ),
    ]
    return queries, page_walk


def run(
    url: str,
    requests: int,
    warmup: int,
    walk_page: int,
    with_datasette: bool = True,
    log: Callable[[str], None] = lambda _: None,
    modes: Modes | None = None,
    only: Sequence[str] = (),
) -> Result:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    incidents = _count_incidents(url)
    result = Result(url, backend, incidents, requests)
    env = {**os.environ, "DATABASE_URL": url}
    ours_port = _free_port()
    result.workers = workers = modes.workers if modes else 1
    ours_cmd = _serve_command(ours_port, workers)
    datasette_cmd: list[str] | None = None
    ds_name = ""
    if backend != "sqlite":
        result.notes.append("Datasette serves SQLite only: no Datasette column on PostgreSQL.")
    elif not with_datasette:
        result.notes.append("Datasette column skipped (--no-datasette).")
    elif not _has_datasette():
        result.notes.append(
            "Datasette column skipped: datasette is not installed "
            "(pip install -e '.[bench]' installs it)."
        )
    else:
        path = Path(parsed.database or "")
        ds_name = path.stem
        ds_port = _free_port()
        datasette_cmd = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            "-i",  # immutable: Datasette at its fastest (no per-request change checks)
            str(path),
            "--setting",
            "suggest_facets",
            "off",
            "--host",
            HOST,
            "--port",
            str(ds_port),
        ]
    ours_cmd, ours_env = _ours_source(ours_cmd, env, modes)
    with (
        _server(ours_cmd, ours_env, ours_port, "/health", workers=workers) as ours_base,
        _maybe_server(datasette_cmd, env, "/-/versions.json") as ds_base,
    ):
        ours = Client(ours_base)
        ds = Client(ds_base) if ds_base else None
        log(f"servers up; resolving the workload on {incidents:,} incidents")
        queries, _ = workload(url, ours, ds, ds_name, incidents, walk_page)
        modes = modes or Modes()
        _run_modes(result, queries, url, ours, ours_base, ds_base, modes, log)
        if modes.only:
            ours.close()
            if ds:
                ds.close()
            return result
        queries = [q for q in queries if not q.random_id]
        queries += page_workload(url, ours, incidents)
        if only:
            queries = [q for q in queries if q.name in only or q.name.startswith(tuple(only))]
        capture = SqlCapture(url)
        raw, close_raw = raw_runner(url)
        try:
            for query in queries:
                batches = [capture.sql_of(u) for u in query.ours]
                cpu_before = _cpu_seconds(_PIDS.get(ours_base))
                ours_t = drive(ours, query.ours, requests, warmup)
                cpu_after = _cpu_seconds(_PIDS.get(ours_base))
                if cpu_before is not None and cpu_after is not None:
                    # Warm-up requests ran inside the window too: spread over all of them.
                    ours_t.cpu_ms = 1000 * (cpu_after - cpu_before) / (requests + max(1, warmup))
                ds_t = (
                    drive(ds, query.datasette, requests, warmup) if ds and query.datasette else None
                )
                raw_t = (
                    time_raw(raw, batches, requests, warmup)
                    if query.raw
                    else Timing(0, math.nan, math.nan, 0.0)
                )
                note = f"{len(batches[0])} SQL statements per request"
                result.rows.append(Row(query.name, query.label, ours_t, ds_t, raw_t, note))
                log(_format_row(result.rows[-1]))
        finally:
            close_raw()
            capture.close()
            ours.close()
            if ds:
                ds.close()
    return result


@dataclass(frozen=True)
class Modes:
    """Beyond the one-client table: concurrent load and random filter combinations."""

    concurrent: tuple[int, ...] = ()  # connection counts for wrk
    seconds: int = 5  # per query, per server, per connection count
    combinations: int = 0
    seed: int = 1
    only: bool = False  # skip the one-client table
    ours_source: str | None = None  # serve another checkout's app (a before/after run)
    workers: int = 1  # `incidentdb serve --workers N`
    names: tuple[str, ...] = ()  # only these queries (list, actor, detail, ...) under load
    # Unmeasured wrk seconds before each measured run, same URL and connections, both servers
    load_warmup: int = 1


def _ours_source(
    cmd: list[str], env: dict[str, str], modes: Modes | None
) -> tuple[list[str], dict[str, str]]:
    if not (modes and modes.ours_source):
        return cmd, env
    # Another checkout's `app` package first on the path: the same harness, before/after.
    # -P: without it `-m` puts the current directory first, and run from a checkout's root
    # (as the README says) the "other" app was this checkout's own.
    serve = cmd[cmd.index("serve") :]
    return [sys.executable, "-P", "-m", "app", *serve], {**env, "PYTHONPATH": modes.ours_source}


def _run_modes(
    result: Result,
    queries: list[Query],
    url: str,
    ours: Client,
    ours_base: str,
    ds_base: str | None,
    modes: Modes,
    log: Callable[[str], None],
) -> None:
    if modes.concurrent:
        result.load = run_concurrent(queries, ours_base, ds_base, modes, log, result.incidents)
    if modes.combinations:
        result.combinations = run_combinations(url, ours, modes, log)


def run_concurrent(
    queries: list[Query],
    ours_base: str,
    ds_base: str | None,
    modes: Modes,
    log: Callable[[str], None],
    incidents: int,
) -> list[dict[str, Any]]:
    """Each query with wrk at each connection count, ours then Datasette, back to back."""
    from bench.combos import concurrent, has_wrk

    if not has_wrk():
        log("no wrk on PATH (apt-get install wrk): concurrent mode skipped")
        return []
    rows: list[dict[str, Any]] = []
    # What the service reads in the background as it starts (the incident columns: ~3 s at
    # 1M) is done before the first load, or that load measures the start-up (session 22).
    _wait_idle(_PIDS.get(ours_base), log)
    for connections in modes.concurrent:
        for query in queries:
            if query.name == "walk" or (modes.names and query.name not in modes.names):
                continue  # a cursor walk is one client's path, not a load
            ids = incidents if query.random_id else None
            if modes.load_warmup:
                # A steady state, for both servers: each one's first requests of a URL are
                # its cold path (the one-client table times that: its "first" column).
                concurrent(ours_base + query.ours[0], connections, modes.load_warmup, ids)
            cpu_before = _cpu_seconds(_PIDS.get(ours_base))
            ours_r = concurrent(ours_base + query.ours[0], connections, modes.seconds, ids)
            cpu_after = _cpu_seconds(_PIDS.get(ours_base))
            if cpu_before is not None and cpu_after is not None and ours_r.requests:
                ours_r.cpu_ms = 1000 * (cpu_after - cpu_before) / ours_r.requests
            ds_r = None
            if ds_base and query.datasette:
                if modes.load_warmup:
                    concurrent(ds_base + query.datasette[0], connections, modes.load_warmup, ids)
                ds_r = concurrent(ds_base + query.datasette[0], connections, modes.seconds, ids)
            row = {
                "query": query.label,
                "connections": connections,
                "ours": ours_r.to_json(),
                "datasette": ds_r.to_json() if ds_r else None,
            }
            rows.append(row)
            log(_format_load(row))
    return rows


def _format_load(row: dict[str, Any]) -> str:
    o, d = row["ours"], row["datasette"]
    ds = f"{d['rps']:>7.0f} {d['p50_ms']:>7.1f} {d['p99_ms']:>8.1f}" if d else f"{'-':>24}"
    ratio = f"{o['rps'] / d['rps']:>6.2f}" if d and d["rps"] else f"{'-':>6}"
    cpu = f"  cpu {o['cpu_ms']:.2f} ms/req" if o.get("cpu_ms") is not None else ""
    return (
        f"{row['query']:<38} c={row['connections']:<3} {o['rps']:>7.0f} {o['p50_ms']:>7.1f} "
        f"{o['p99_ms']:>8.1f} | {ds} | {ratio}{cpu}"
    )


def run_combinations(
    url: str, ours: Client, modes: Modes, log: Callable[[str], None]
) -> dict[str, Any]:
    """Every combination once, one client; page 2 combinations time the page after page 1."""
    from bench.combos import combinations

    first, last = _date_range(url)
    combos = combinations(modes.seed, modes.combinations, first, last)
    timed: list[tuple[float, str, int]] = []
    empty: list[float] = []
    full: list[float] = []
    for combo in combos:
        path = combo.path
        if combo.second_page:
            status, body = ours.get(path)
            cursor = json.loads(body).get("next_cursor") if status == 200 else None
            if not cursor:
                continue
            sep = "&" if "?" in path else "?"
            path = f"{path}{sep}cursor={urllib.parse.quote(cursor)}"
        t0 = time.perf_counter()
        status, body = ours.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        timed.append((elapsed, path, status))
        if status == 200:
            items = json.loads(body).get("items", [])
            (empty if not items else full).append(elapsed)
    ordered = sorted(t for t, _, _ in timed)
    summary = {
        "seed": modes.seed,
        "combinations": len(combos),
        "timed": len(timed),
        "errors": sum(1 for _, _, status in timed if status != 200),
        "p50_ms": _percentile(ordered, 50),
        "p90_ms": _percentile(ordered, 90),
        "p99_ms": _percentile(ordered, 99),
        "max_ms": ordered[-1] if ordered else math.nan,
        "over_100ms": sum(1 for t in ordered if t > 100),
        "over_500ms": sum(1 for t in ordered if t > 500),
        "empty_p50_ms": _percentile(sorted(empty), 50),
        "empty_max_ms": max(empty) if empty else math.nan,
        "full_p50_ms": _percentile(sorted(full), 50),
        "worst": [
            {"ms": round(t, 1), "path": p, "status": s} for t, p, s in sorted(timed)[::-1][:10]
        ],
    }
    log(format_combinations(summary))
    return summary


def format_combinations(s: dict[str, Any]) -> str:
    lines = [
        f"{s['combinations']} random combinations (seed {s['seed']}), {s['timed']} timed, "
        f"one client: p50 {s['p50_ms']:.1f} ms, p90 {s['p90_ms']:.1f}, p99 {s['p99_ms']:.1f}, "
        f"max {s['max_ms']:.1f}; {s['over_100ms']} over 100 ms, {s['over_500ms']} over 500 ms; "
        f"{s['errors']} errors; empty answers p50 {s['empty_p50_ms']:.1f} max "
        f"{s['empty_max_ms']:.1f} ms, non-empty p50 {s['full_p50_ms']:.1f} ms",
        "worst:",
        *(f"  {w['ms']:>8.1f} ms  {w['path']}" for w in s["worst"]),
    ]
    return "\n".join(lines)


def _date_range(url: str) -> tuple[date, date]:
    from sqlalchemy import func, select

    from app.db.session import create_db_engine
    from app.incidents.models import Incident

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            first, last = conn.execute(
                select(func.min(Incident.date_start), func.max(Incident.date_end))
            ).one()
    finally:
        engine.dispose()
    return date.fromisoformat(str(first)), date.fromisoformat(str(last))


@contextmanager
def _maybe_server(argv: list[str] | None, env: dict[str, str], ready: str) -> Iterator[str | None]:
    if argv is None:
        yield None
        return
    with _server(argv, env, int(argv[argv.index("--port") + 1]), ready) as base:
        yield base


def _has_datasette() -> bool:
    import importlib.util

    return importlib.util.find_spec("datasette") is not None


# -- reporting --------------------------------------------------------------------------------

HEADER = (
    f"{'query':<38} {'ours p50':>8} {'p99':>7} {'req/s':>7} | "
    f"{'dsette p50':>10} {'p99':>7} {'req/s':>7} | {'raw p50':>7} {'p99':>7} | "
    f"{'ours/ds req/s':>13} {'ours/ds p99':>11} {'ours/raw p50':>12} {'overhead':>8}"
)


def _format_row(row: Row) -> str:
    o, d, r = row.ours, row.datasette, row.raw
    ds_cols = (
        f"{d.p50_ms:>10.2f} {d.p99_ms:>7.2f} {d.rps:>7.0f}" if d else f"{'-':>10} {'-':>7} {'-':>7}"
    )
    ratio = f"{o.rps / d.rps:>13.2f} {o.p99_ms / d.p99_ms:>11.2f}" if d else f"{'-':>13} {'-':>11}"
    errors = (
        f"  ({o.errors} errors ours, {d.errors if d else 0} datasette)"
        if (o.errors or (d and d.errors))
        else ""
    )
    return (
        f"{row.label:<38} {o.p50_ms:>8.2f} {o.p99_ms:>7.2f} {o.rps:>7.0f} | {ds_cols} | "
        f"{r.p50_ms:>7.2f} {r.p99_ms:>7.2f} | {ratio} {o.p50_ms / r.p50_ms:>12.1f} "
        f"{row.overhead_ms:>7.2f}ms{errors}"
        + (f"  cpu {o.cpu_ms:.1f} ms/req" if o.cpu_ms is not None else "")
        + (f"  first {o.first_ms:.1f} ms" if o.first_ms is not None else "")
        + (f"  load {o.load:.1f}" if o.load is not None else "")
    )


def table(result: Result) -> str:
    lines = [
        f"{result.backend}, {result.incidents:,} incidents, {result.requests} requests per query "
        "(one client, keep-alive), latency in ms",
        HEADER,
        *(_format_row(r) for r in result.rows),
        *result.notes,
    ]
    return "\n".join(lines)


def summary(result: Result, prefix: str = "quick") -> str:
    worst = max(r.ours.p99_ms for r in result.rows)
    ratios = [r.vs_datasette_rps for r in result.rows if r.vs_datasette_rps]
    vs = f"{math.exp(statistics.fmean(math.log(x) for x in ratios)):.2f}" if ratios else "skipped"
    return f"{prefix}: p99_ms={worst:.1f} vs_datasette={vs}"


def _at_least_one(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    parser.add_argument("--db", help="Database URL (generated first in --quick mode if absent).")
    parser.add_argument("--requests", type=int, help="Measured requests per query (default 300).")
    parser.add_argument("--warmup", type=int, help="Unmeasured requests first (default 20).")
    parser.add_argument("--walk-page", type=int, default=1000, help="Page of the cursor walk.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Small scale, fewer requests: under two minutes; ends with a one-line summary.",
    )
    parser.add_argument(
        "--incidents", type=int, default=10_000, help="With --quick and no --db: corpus size."
    )
    parser.add_argument("--no-datasette", action="store_true", help="Skip the Datasette column.")
    parser.add_argument("--json", type=Path, help="Also write the results here as JSON.")
    parser.add_argument(
        "--concurrent",
        default="",
        help="Comma-separated connection counts (e.g. 4,16): each query under wrk, ours and "
        "Datasette back to back.",
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per query.")
    parser.add_argument(
        "--load-warmup",
        type=int,
        default=1,
        help="Unmeasured wrk seconds before each measured load, per server (0: none).",
    )
    parser.add_argument(
        "--combinations", type=int, default=0, help="Random filter combinations to time."
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed of the combinations.")
    parser.add_argument(
        "--only-modes", action="store_true", help="Skip the one-client table (modes only)."
    )
    parser.add_argument(
        "--load-queries",
        default="",
        help="Comma-separated query names for --concurrent (default all): list, list_nocount, "
        "type, actor, actor_people, two_actors, q_incidents, q_date, q_statements, detail, "
        "detail_random, speaker.",
    )
    parser.add_argument(
        "--ours-source", help="Serve the app package of this checkout instead (before/after)."
    )
    parser.add_argument(
        "--workers",
        type=_at_least_one,
        default=1,
        help="Serve ours with `incidentdb serve --workers N` (Datasette stays one process).",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="Run only the queries with this name or prefix (repeatable), e.g. --only page_.",
    )
    args = parser.parse_args(argv)
    modes = Modes(
        ours_source=args.ours_source,
        names=tuple(n for n in args.load_queries.split(",") if n),
        concurrent=tuple(int(c) for c in args.concurrent.split(",") if c),
        seconds=args.seconds,
        load_warmup=args.load_warmup,
        combinations=args.combinations,
        seed=args.seed,
        only=args.only_modes,
        workers=args.workers,
    )
    requests = args.requests or (100 if args.quick else 300)
    warmup = args.warmup if args.warmup is not None else (5 if args.quick else 20)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="incidentdb-bench-") as tmp:
        url = args.db
        if url is None:
            if not args.quick:
                parser.error("--db is required (or use --quick to generate a small corpus)")
            from bench.generate import generate

            url = f"sqlite:///{tmp}/quick.sqlite3"
            log(generate(url, args.incidents, seed=1).summary())
        result = run(
            url, requests, warmup, args.walk_page, not args.no_datasette, log, modes, args.only
        )
    if result.rows:
        print(table(result))
    if result.load:
        ours = "ours" if result.workers == 1 else f"ours ({result.workers} worker processes)"
        print(
            f"concurrent (wrk), {ours} req/s p50 p99 | Datasette req/s p50 p99 | ours/ds req/s"
            " | our CPU per request (every process)"
        )
        print("\n".join(_format_load(row) for row in result.load))
    if result.combinations:
        print(format_combinations(result.combinations))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    if args.quick:
        print(summary(result))
    failed = failures(result)
    if failed:
        # A timing that includes failed requests measures the error path: the run is invalid.
        print("failed requests in the timed runs:\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


def failures(result: Result) -> list[str]:
    """One line per query whose timed requests did not all answer 200."""
    return [
        f"{row.label}: {row.ours.errors} of ours, "
        f"{row.datasette.errors if row.datasette else 0} of Datasette's"
        for row in result.rows
        if row.ours.errors or (row.datasette and row.datasette.errors)
    ]


if __name__ == "__main__":
    raise SystemExit(main())
