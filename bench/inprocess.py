"""python -m bench.inprocess --db URL: what a request costs our process, without HTTP or a load.

Each URL is sent straight through the ASGI application (the same middleware, routes and
thread-pool hops as a served request, no uvicorn, no socket) on one event loop, one request
at a time. Reported per URL: CPU time of the whole process per request (every thread: the
event loop, the request threads) and wall time, beside the floor: the SQL the request issued
(captured in the same process) re-run on a bare DBAPI connection. CPU time is what a shared,
loaded machine disturbs least: it is the figure to compare before/after.

`--ours-source PATH` imports the `app` package of another checkout (before/after, same harness).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
import warnings
from dataclasses import dataclass
from typing import Any

# The requests timed by default: the simplest of each kind, where the request path, not the
# query, is most of the cost.
DEFAULT_URLS = [
    ("list", "/incidents?limit=50"),
    ("list_nocount", "/incidents?limit=50&count=none"),
    ("type", "/incidents?type=arrest&limit=50"),
    ("actor", "/incidents?actor=Iran&limit=50"),
    ("detail", "/incidents/{middle}"),
    # A different incident per request (as bench/random_id.lua under wrk): a kept response
    # is (almost) never hit, so this is what an arbitrary detail costs.
    ("detail_random", "/incidents/{random}"),
    ("speaker", "/statements?speaker=Iran&limit=50"),
    # Full text, as bench.api's q_incidents and q_date: relevance, then newest first.
    ("q_relevance", "/incidents?q=pipeline&limit=50"),
    ("q_date", "/incidents?q=pipeline&sort=-date&limit=50"),
    # A word within an actor's incidents: the searched list with the most of our own work
    # above its SQL (issue 17's last query at the 1 ms line on PostgreSQL).
    ("q_actor", "/incidents?q=talks&actor=Iran&limit=50"),
    ("statements", "/statements?limit=50"),
    ("sources", "/sources?limit=50"),
    ("statements_q", "/statements?q=corridor&limit=50"),
    ("statements_confident", "/statements?speaker=Iran&min_confidence=0.9&limit=50"),
    ("sources_actor", "/sources?actor=Iran&limit=50"),
    ("actors", "/actors?limit=50"),
    ("actor_detail", "/actors/iran"),
    ("statement_detail", "/statements/1000"),
    ("source_detail", "/sources/1000"),
    # A different source per request, as detail_random: what an arbitrary source's detail costs.
    ("source_detail_random", "/sources/{random_source}"),
    ("not_modified", "/incidents?limit=50 (If-None-Match)"),
]


@dataclass
class Measured:
    name: str
    url: str
    status: int
    cpu_ms: float  # median over rounds of (process CPU / requests)
    wall_ms: float  # median over rounds
    floor_ms: float  # the captured SQL on a bare connection, wall time, median
    floor_cpu_ms: float  # the same, this process's CPU time (SQLite runs in it; not PostgreSQL)
    statements: int
    body_bytes: int


class AsgiDriver:
    """Calls an ASGI app with plain GET scopes on its own event loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._lifespan_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._lifespan_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        self._lifespan_queue = asyncio.Queue()
        started = asyncio.Event()
        queue = self._lifespan_queue
        await queue.put({"type": "lifespan.startup"})

        async def receive() -> dict[str, Any]:
            return await queue.get()

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()
            elif message["type"].endswith("failed"):
                raise SystemExit(f"lifespan: {message}")

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._lifespan_task = self.loop.create_task(self.app(scope, receive, send))
        await started.wait()

    def stop(self) -> None:
        if self._lifespan_queue is not None and self._lifespan_task is not None:
            self._lifespan_queue.put_nowait({"type": "lifespan.shutdown"})
            self.loop.run_until_complete(self._lifespan_task)
        self.loop.close()

    def get(
        self, url: str, headers: dict[str, str] | None = None, times: int = 1
    ) -> tuple[int, bytes, dict[str, str]]:
        """`times` requests, one after another, in one task; the last one's answer.

        One task for all: anyio stops its worker threads when the task that started them ends,
        so a task per request would start a new thread for every request.
        """

        async def repeat() -> tuple[int, bytes, dict[str, str]]:
            for _ in range(times - 1):
                await self._get(url, headers or {})
            return await self._get(url, headers or {})

        return self.loop.run_until_complete(repeat())

    def get_each(self, urls: list[str], headers: dict[str, str] | None = None) -> None:
        """Each URL once, one after another, in one task."""

        async def each() -> None:
            for url in urls:
                await self._get(url, headers or {})

        self.loop.run_until_complete(each())

    def request(
        self, method: str, url: str, headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        """One request with any method (HEAD: GET without the body)."""
        return self.loop.run_until_complete(self._get(url, headers, method))

    async def _get(
        self, url: str, headers: dict[str, str], method: str = "GET"
    ) -> tuple[int, bytes, dict[str, str]]:
        path, _, query = url.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1:8000")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        status = 0
        body = bytearray()
        response_headers: dict[str, str] = {}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.update(
                    (k.decode().lower(), v.decode()) for k, v in message.get("headers", [])
                )
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, bytes(body), response_headers


def measure(
    url: str, requests: int, rounds: int, names: list[str], source: str | None
) -> list[Measured]:
    if source:
        sys.path.insert(0, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sqlalchemy import event

        from app.main import create_app
        from app.settings import Settings
    from bench.api import raw_runner

    app = create_app(Settings(database_url=url))
    captured: list[tuple[str, Any]] = []
    recording = False

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _record(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if recording and statement.lstrip().upper().startswith(("SELECT", "WITH", "PRAGMA")):
            captured.append((statement, params))

    with app.state.engine.connect() as connection:
        # An incident from the middle of the table: its rows are not in the first pages read.
        largest = connection.exec_driver_sql("SELECT max(id) FROM incident").scalar()
        middle = 1 + int(largest or 0) // 2
        sources = connection.exec_driver_sql("SELECT max(id) FROM source").scalar()
    # Random ids of each table: a warm-up draw, then one of its own per round, and one more
    # whose SQL is captured for the floor, asked in no round (a response kept under its ETag
    # would run none). Seeded: repeatable.
    random_ids: dict[str, list[list[int]]] = {}
    captured_id: dict[str, int] = {}
    for placeholder, top in (("random", largest), ("random_source", sources)):
        drawn = random.Random(1).sample(range(1, int(top or 1) + 1), requests * (rounds + 1) + 1)
        captured_id[placeholder] = drawn.pop()
        random_ids[placeholder] = [
            drawn[r * requests : (r + 1) * requests] for r in range(rounds + 1)
        ]
    driver = AsgiDriver(app)
    driver.start()
    wait_for_background_reads()
    raw, close_raw = raw_runner(url)
    results: list[Measured] = []
    try:
        for name, spec in DEFAULT_URLS:
            if names and name not in names:
                continue
            drawn = next((p for p in random_ids if "{" + p + "}" in spec), None)
            path = spec.removesuffix(" (If-None-Match)").format(middle=middle, **captured_id)
            # The URLs of the warm-up and of each round: the one URL, or random ids' own.
            each_round = [
                [spec.format(**{drawn: i}) for i in ids] if drawn else [path] * requests
                for ids in random_ids[drawn or "random"]
            ]
            headers: dict[str, str] = {}
            if spec.endswith("(If-None-Match)"):
                headers["If-None-Match"] = driver.get(path)[2].get("etag", "")
            driver.get_each(each_round[0][: max(5, requests // 10)], headers)
            captured.clear()
            recording = True
            status, body, _ = driver.get(path, headers)
            recording = False
            batch = list(captured)
            cpu, wall, floor, floor_cpu = [], [], [], []
            for round_ in range(rounds):
                c0, w0 = time.process_time(), time.perf_counter()
                driver.get_each(each_round[round_ + 1], headers)
                cpu.append(1000 * (time.process_time() - c0) / requests)
                wall.append(1000 * (time.perf_counter() - w0) / requests)
                c0, w0 = time.process_time(), time.perf_counter()
                for _ in range(requests):
                    raw(batch)
                floor.append(1000 * (time.perf_counter() - w0) / requests)
                floor_cpu.append(1000 * (time.process_time() - c0) / requests)
            results.append(
                Measured(
                    name,
                    spec,
                    status,
                    statistics.median(cpu),
                    statistics.median(wall),
                    statistics.median(floor),
                    statistics.median(floor_cpu),
                    len(batch),
                    len(body),
                )
            )
            print(_format(results[-1]), file=sys.stderr, flush=True)
    finally:
        close_raw()
        driver.stop()
    return results


def wait_for_background_reads() -> None:
    """The service reads its incident and statement columns in threads as it starts (~3 s at
    1M, app/kit/background_reads.py): the CPU time of the process counts every thread's, so
    the timing starts once those reads are done."""
    try:
        from app.kit.background_reads import wait_for_all
    except ImportError:  # a checkout from before the module (`--ours-source`)
        for thread in threading.enumerate():
            if thread.name in ("incident-columns", "statement-columns"):
                thread.join()
        return
    wait_for_all()


def combinations_cpu(
    url: str, seed: int, n: int, source: str | None, worst: int = 25, *, again: bool = False
) -> list[tuple[float, float, int, str]]:
    """Each of `bench.combos`' `n` random combinations (seed `seed`) once, in process, as
    `bench.api --combinations` sends them (a second page: its first page unmeasured first):
    (CPU ms of the process, wall ms, status, path), slowest CPU first. CPU time, unlike the
    HTTP run's wall time, changes little when the machine is shared. `again`: each asked once
    unmeasured first, so what is timed is a request asked again (what is kept per data
    version already made), as a served list is asked most of the time."""
    if source:
        sys.path.insert(0, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from app.main import create_app
        from app.settings import Settings
    from bench.api import _date_range
    from bench.combos import combinations

    app = create_app(Settings(database_url=url))
    first, last = _date_range(url)
    driver = AsgiDriver(app)
    driver.start()
    wait_for_background_reads()
    timed: list[tuple[float, float, int, str]] = []
    try:
        driver.get("/incidents?limit=1")
        for combo in combinations(seed, n, first, last):
            path = combo.path
            if combo.second_page:
                status, body, _ = driver.get(path)
                cursor = json.loads(body).get("next_cursor") if status == 200 else None
                if not cursor:
                    continue
                path += ("&" if "?" in path else "?") + "cursor=" + urllib.parse.quote(cursor)
            if again:
                driver.get(path)
            c0, w0 = time.process_time(), time.perf_counter()
            status, _, _ = driver.get(path)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            timed.append((1000 * cpu, 1000 * wall, status, path))
    finally:
        driver.stop()
    timed.sort(reverse=True)
    cpus = sorted(t[0] for t in timed)
    at = lambda share: cpus[min(len(cpus) - 1, int(share * len(cpus)))]  # noqa: E731
    print(
        f"{n} random combinations (seed {seed}){', asked again' if again else ''}, "
        f"{len(timed)} timed, in process, CPU ms: sum {sum(cpus):.0f}, "
        f"p50 {at(0.5):.1f} / p90 {at(0.9):.1f} / p99 {at(0.99):.1f} / max {cpus[-1]:.1f}; "
        f"{sum(c > 100 for c in cpus)} over 100 ms, {sum(c > 500 for c in cpus)} over 500 ms"
    )
    for cpu, wall, status, path in timed[:worst]:
        print(f"{cpu:8.1f} cpu {wall:8.1f} wall  {status}  {path}")
    return timed


HEADER = (
    f"{'query':<18} {'status':>6} {'cpu ms':>7} {'wall ms':>7} {'floor':>6} {'floor cpu':>9} "
    f"{'above floor cpu':>15} {'SQL':>4} {'bytes':>7}  url"
)


def _format(m: Measured) -> str:
    return (
        f"{m.name:<18} {m.status:>6} {m.cpu_ms:>7.2f} {m.wall_ms:>7.2f} {m.floor_ms:>6.2f} "
        f"{m.floor_cpu_ms:>9.2f} {m.cpu_ms - m.floor_cpu_ms:>15.2f} {m.statements:>4} "
        f"{m.body_bytes:>7}  {m.url}"
    )


def _postings_terms(url: str, n: int) -> list[str]:
    """`n` of the search postings' terms (frequent words, each with kept postings), spread
    evenly over them in alphabetical order: the same words on the same database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            terms = list(
                connection.scalars(
                    text("SELECT DISTINCT term FROM search_posting_term ORDER BY term")
                )
            )
    finally:
        engine.dispose()
    step = max(1, len(terms) // n)
    return terms[::step][:n]


def new_words(
    url: str, template: str, n: int, source: str | None
) -> list[tuple[str, float, float, int]]:
    """The first search of each of `n` words (`_postings_terms`) in a process, under the
    filters of `template` (`{word}` and `{year}` in it), then the same word under the next
    year's filters: (word, first wall ms, second wall ms, status). What a word costs the
    first time it is asked in a data version, and the next filters after it."""
    if source:
        sys.path.insert(0, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from app.main import create_app
        from app.settings import Settings

    words = _postings_terms(url, n)
    driver = AsgiDriver(create_app(Settings(database_url=url)))
    driver.start()
    wait_for_background_reads()
    timed: list[tuple[str, float, float, int]] = []
    try:
        driver.get("/incidents?limit=1")
        for word in words:
            walls = []
            for year in (2013, 2014):
                w0 = time.perf_counter()
                status, _, _ = driver.get(template.format(word=word, year=year))
                walls.append(1000 * (time.perf_counter() - w0))
            timed.append((word, walls[0], walls[1], status))
    finally:
        driver.stop()
    for name, walls in (("first", [t[1] for t in timed]), ("second", [t[2] for t in timed])):
        walls.sort()
        print(
            f"{len(timed)} words, {name} request, wall ms: p50 {_at(walls, 0.5):.1f} / "
            f"p90 {_at(walls, 0.9):.1f} / max {walls[-1]:.1f}  {template}"
        )
    return timed


def _at(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--db", required=True, help="Database URL.")
    parser.add_argument("--requests", type=int, default=200, help="Requests per round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds per URL (median taken).")
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated names: " + ", ".join(name for name, _ in DEFAULT_URLS),
    )
    parser.add_argument("--ours-source", help="Import `app` from this checkout (before/after).")
    parser.add_argument(
        "--combinations",
        type=int,
        default=0,
        help="Time this many of bench.combos' random combinations instead (CPU per request).",
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed of --combinations.")
    parser.add_argument(
        "--asked-again",
        action="store_true",
        help="--combinations: time each one asked a second time (its first ask unmeasured).",
    )
    parser.add_argument(
        "--new-words",
        metavar="TEMPLATE",
        help="Time the first and second search of --words words instead: a URL with {word} "
        "and {year} (e.g. '/sources?q={word}&date_from={year}-01-01').",
    )
    parser.add_argument("--words", type=int, default=40, help="How many words (--new-words).")
    args = parser.parse_args(argv)
    if args.new_words:
        words = new_words(args.db, args.new_words, args.words, args.ours_source)
        return 0 if all(status == 200 for *_, status in words) else 1
    if args.combinations:
        timed = combinations_cpu(
            args.db, args.seed, args.combinations, args.ours_source, again=args.asked_again
        )
        return 0 if all(status == 200 for _, _, status, _ in timed) else 1
    names = [n for n in args.only.split(",") if n]
    results = measure(args.db, args.requests, args.rounds, names, args.ours_source)
    print(HEADER)
    print("\n".join(_format(m) for m in results))
    return 0 if all(m.status in (200, 304) for m in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
