"""python -m bench.seeds_ingest: seconds for a fresh ingest of the seeds, and for a re-ingest.

The median of several runs, each on a new SQLite file: what a developer waits for after
`make seed`, and what loading the ~200 built-in states (app/actors/data/states.yaml) adds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from app.db import migrate
from app.db.session import create_db_engine
from app.ingest import pipeline
from app.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
MAX_ARTICLE_BYTES = 5 * 1024 * 1024


def one_run(folder: Path) -> tuple[float, float]:
    url = f"sqlite:///{folder / 'seeds.sqlite3'}"
    migrate.upgrade(url)
    engine = create_db_engine(url, writer=True)
    try:
        first = pipeline.run([SEEDS], engine, max_article_bytes=MAX_ARTICLE_BYTES).seconds
        again = pipeline.run([SEEDS], engine, max_article_bytes=MAX_ARTICLE_BYTES).seconds
        return first, again
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seeds_ingest", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    firsts, agains = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            first, again = one_run(Path(folder))
        firsts.append(first)
        agains.append(again)
    print(f"fresh ingest of the seeds  median {statistics.median(firsts):.2f}s over {args.runs}")
    print(f"re-ingest (no changes)     median {statistics.median(agains):.2f}s over {args.runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
