"""python -m bench.same_bytes --db URL: a digest of every response of a fixed set of requests.

Run it on two checkouts (`--ours-source PATH` for the other one) and diff the two outputs: a
change to the request path must leave every line equal. Each line is the request, its status,
the sha256 of its body and of its headers (names and values, sorted): list pages with every
filter kind, their second pages, facets, searches in both orders, details, exports (small
filtered sets), HEAD, a 304, and errors (404, 422 of every kind). The requests go straight
through the ASGI application in process (bench.inprocess's driver), so no server is needed.

Facets have a time budget (INCIDENTDB_FACET_BUDGET_MS): one that runs out on a cold or loaded
machine comes back `truncated`, with other bytes. The facets asked for here are narrow, but
run each side twice and compare the second runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.parse
import warnings
from typing import Any

LISTS = [
    "/incidents?limit=50",
    "/incidents?limit=50&count=none",
    "/incidents?limit=20&count=exact&type=arrest",
    "/incidents?type=arrest&type=attack&country=IRN&limit=20",
    "/incidents?actor=Iran&limit=50",
    "/incidents?actor=Iran&actor=Azerbaijan&date_from=2015-01-01&date_to=2020-12-31&limit=20",
    "/incidents?date_from=2020-01-01&date_to=2020-01-31&sort=date&limit=20",
    "/incidents?date_from=2030-01-01",
    "/incidents?q=pipeline&limit=20",
    "/incidents?q=pipeline&sort=-date&limit=20",
    "/incidents?q=talks&actor=Iran&sort=date&limit=10",
    "/incidents?facet=type&facet=country&date_from=2019-01-01&date_to=2019-03-31&limit=5",
    "/incidents?facet=actor&facet=year&type=arrest&country=IRN&limit=5",
    "/statements?limit=50",
    "/statements?speaker=Iran&limit=50",
    "/statements?speaker=Iran&speaker=Russia&date_from=2018-01-01&limit=20",
    "/statements?q=corridor&limit=20",
    "/statements?q=corridor&sort=-date&limit=20",
    "/statements?min_confidence=0.9&limit=20",
    "/statements?source=1000",
    "/statements?incident=1",
    "/statements?facet=speaker&facet=month&speaker=Iran&date_from=2025-09-01&limit=5",
    "/sources?limit=50",
    "/sources?actor=Iran&limit=20",
    "/sources?q=border&limit=10",
    "/sources?date_from=2020-01-01&date_to=2020-01-31&limit=10",
    "/actors?limit=50",
    "/actors?kind=person&limit=20",
    "/actors?q=minister&limit=10",
    "/versions",
    "/changes",
]
ONE_PAGE = [
    "/incidents/types",
    "/incidents/1",
    "/incidents/{middle}",
    "/actors/iran",
    "/actors/1",
    "/statements/1000",
    "/sources/1000",
    "/sources/1000/verify",
    "/health",
    # exports of small filtered sets
    "/incidents?date_from=2020-01-01&date_to=2020-01-07&format=csv",
    "/incidents?date_from=2020-01-01&date_to=2020-01-07&format=ndjson",
    "/incidents?date_from=2020-01-01&date_to=2020-01-07&format=events",
    "/statements?source=1000&format=csv",
    "/statements?incident=1&format=ndjson",
    "/statements?source=1000&format=ndjson",
    "/sources?date_from=2020-01-01&date_to=2020-01-03&format=csv",
    "/actors?kind=organization&format=csv",
    # errors
    "/incidents/999999999",
    "/incidents/no-such-incident",
    "/statements/999999999",
    "/statements/0",
    "/sources/no-such-source",
    "/actors/no-such-actor-anywhere",
    "/incidents?limit=0",
    "/incidents?limit=abc",
    "/incidents?type=nonsense",
    "/incidents?date_from=2020-13-01",
    "/incidents?actor=Zzyzxqwv",
    "/incidents?sort=relevance",
    "/incidents?cursor=not-a-cursor",
    "/incidents?country=XX",
    "/statements?speaker=Zzyzxqwv",
    "/statements?min_confidence=2",
    "/statements?source=no-such-source",
    "/incidents?" + "&".join(f"actor=a{i}" for i in range(40)),
    "/no-such-path",
]


def requests(middle: int) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of every request, second pages added as they are found."""
    out: list[tuple[str, str, dict[str, str]]] = []
    out += [("GET", path, {}) for path in LISTS]
    # An export by the Accept header (a small set: an export streams every match)
    out.append(("GET", "/statements?source=1000", {"Accept": "text/csv"}))
    out += [("GET", p.format(middle=middle), {}) for p in ONE_PAGE]
    out.append(("HEAD", "/incidents?limit=50", {}))
    out.append(("HEAD", "/incidents/1", {}))
    return out


def digest(headers: dict[str, str]) -> str:
    joined = "\n".join(f"{k}: {v}" for k, v in sorted(headers.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def run(url: str, source: str | None, show_headers: bool) -> list[str]:
    if source:
        sys.path.insert(0, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from app.main import create_app
        from app.settings import Settings
    from bench.inprocess import AsgiDriver

    app = create_app(Settings(database_url=url))
    with app.state.engine.connect() as connection:
        largest = connection.exec_driver_sql("SELECT max(id) FROM incident").scalar()
    middle = 1 + int(largest or 0) // 2
    driver = AsgiDriver(app)
    driver.start()
    lines: list[str] = []

    def record(method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, Any]:
        status, body, response_headers = driver.request(method, path, headers)
        line = (
            f"{method} {path} {headers or ''} -> {status} "
            f"body {hashlib.sha256(body).hexdigest()[:16]} ({len(body)} B) "
            f"headers {digest(response_headers)}"
        )
        if show_headers:
            line += f" {sorted(response_headers.items())}"
        lines.append(line)
        return status, body, response_headers

    try:
        for method, path, headers in requests(middle):
            status, body, response_headers = record(method, path, headers)
            if method == "GET" and not headers and status == 200 and path in LISTS:
                cursor = json.loads(body).get("next_cursor")
                if cursor:
                    sep = "&" if "?" in path else "?"
                    record("GET", f"{path}{sep}cursor={urllib.parse.quote(cursor)}", {})
                etag = response_headers.get("etag")
                if etag:
                    record("GET", path, {"If-None-Match": etag})
    finally:
        driver.stop()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_bytes", description=__doc__)
    parser.add_argument("--db", required=True, help="Database URL.")
    parser.add_argument("--ours-source", help="Import `app` from this checkout (before/after).")
    parser.add_argument("--headers", action="store_true", help="Also print the headers.")
    args = parser.parse_args(argv)
    print("\n".join(run(args.db, args.ours_source, args.headers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
