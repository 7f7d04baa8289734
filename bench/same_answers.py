"""python -m bench.same_answers --db URL: a digest line per answer of the random filter
combinations (`bench.combos.combinations`, page 1 and, where drawn, page 2) and of random
incident details, through the ASGI application in process (bench.inprocess's driver, no
server). Run it on two checkouts (`--ours-source PATH` for the other one) and diff the outputs:
a change to the request path must leave every line equal. Facets get a budget of a minute
(INCIDENTDB_FACET_BUDGET_MS) so none is cut by the clock on one side only; kept responses
are off so every detail runs its route. Complements bench.same_bytes (a fixed set of every
kind of request) with many of the two kinds the request path serves most.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import urllib.parse
import warnings
from collections.abc import Iterator
from typing import Any

DIGEST_CHARS = 16


def _digest(status: int, body: bytes, headers: dict[str, str] | None = None) -> str:
    line = f"{status} {hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]}"
    if headers is not None:
        joined = "\n".join(f"{k}: {v}" for k, v in sorted(headers.items()))
        line += f" headers {hashlib.sha256(joined.encode()).hexdigest()[:DIGEST_CHARS]}"
    return line


def run(url: str, source: str | None, combinations: int, details: int, seed: int) -> Iterator[str]:
    if source:
        sys.path.insert(0, source)
    os.environ["INCIDENTDB_FACET_BUDGET_MS"] = "60000"
    os.environ["INCIDENTDB_KEPT_RESPONSES"] = "0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from app.main import create_app
        from app.settings import Settings
    from bench import inprocess
    from bench.api import _date_range
    from bench.combos import combinations as drawn
    from bench.inprocess import AsgiDriver

    app: Any = create_app(Settings(database_url=url))
    with app.state.engine.connect() as connection:
        largest = int(connection.exec_driver_sql("SELECT max(id) FROM incident").scalar() or 0)
    first, last = _date_range(url)
    driver = AsgiDriver(app)
    driver.start()
    # Answers from the incident columns once they are read (a checkout before them has no wait).
    getattr(inprocess, "wait_for_background_reads", lambda: None)()
    try:
        for combo in drawn(seed, combinations, first, last):
            status, body, _ = driver.get(combo.path)
            line = f"{combo.path} {_digest(status, body)}"
            cursor = json.loads(body).get("next_cursor") if status == 200 else None
            if combo.second_page and cursor:
                sep = "&" if "?" in combo.path else "?"
                second = f"{combo.path}{sep}cursor={urllib.parse.quote(cursor)}"
                line += f" page 2 {_digest(*driver.get(second)[:2])}"
            yield line
        rng = random.Random(seed)
        for _ in range(details):
            path = f"/incidents/{rng.randint(1, max(largest, 1))}"
            yield f"{path} {_digest(*driver.get(path))}"
    finally:
        driver.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_answers", description=__doc__)
    parser.add_argument("--db", required=True, help="Database URL.")
    parser.add_argument("--ours-source", help="Import `app` from this checkout (before/after).")
    parser.add_argument("--combinations", type=int, default=500, help="Combinations drawn.")
    parser.add_argument("--details", type=int, default=2000, help="Random incident details.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of both.")
    args = parser.parse_args(argv)
    for line in run(args.db, args.ours_source, args.combinations, args.details, args.seed):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
