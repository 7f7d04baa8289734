"""python -m bench.kept_sessions --db URL: what a kept read session's request cycle costs.

Every direct read (the lists, the details) takes a read session kept between requests
(app/db/session.py KeptReadSessions), begins its transaction, and gives it back, ending the
transaction. This times that cycle alone, CPU of the calling thread per cycle, beside the bare
round trips on the same DBAPI connection (PostgreSQL: the `BEGIN ...; SELECT data_version`
message and `ROLLBACK`; SQLite: `BEGIN` and `ROLLBACK`): what the session's machinery adds.

`--ours-source PATH` imports the `app` package of another checkout (before/after).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable

_PG_BEGIN_AND_VERSION = (
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
    "SELECT data_version FROM dataset_meta WHERE id = 1"
)


def _cpu_per_call(call: Callable[[], object], times: int) -> float:
    for _ in range(times // 10):  # warm
        call()
    start = time.thread_time()
    for _ in range(times):
        call()
    return (time.thread_time() - start) / times * 1e6


def measure(url: str, times: int) -> tuple[float, float]:
    """(kept cycle, bare round trips), us of CPU each."""
    from app.db.session import create_db_engine, kept_read_sessions
    from app.settings import Settings

    engine = create_db_engine(url, settings=Settings(database_url=url))
    kept = kept_read_sessions(engine)
    assert kept is not None, "an in-memory database keeps no sessions"

    def cycle() -> None:
        with kept() as session:
            session.connection()  # what a read asks first

    kept_cycle = _cpu_per_call(cycle, times)
    bare = engine.raw_connection()
    driver = bare.driver_connection
    assert driver is not None
    if engine.dialect.name == "postgresql":
        driver.rollback()  # the checkout's ping began a transaction

        def round_trips() -> None:
            cursor = driver.cursor()
            cursor.execute(_PG_BEGIN_AND_VERSION)
            cursor.nextset()
            cursor.fetchone()
            cursor.close()
            driver.rollback()
    else:

        def round_trips() -> None:
            driver.execute("BEGIN")
            driver.execute("ROLLBACK")

    bare_cycle = _cpu_per_call(round_trips, times)
    bare.close()
    kept.close()
    engine.dispose()
    return kept_cycle, bare_cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="Database URL.")
    parser.add_argument("--times", type=int, default=20_000, help="Cycles timed.")
    parser.add_argument("--ours-source", help="Import `app` from this checkout (before/after).")
    args = parser.parse_args()
    if args.ours_source:
        sys.path.insert(0, args.ours_source)
    warnings.simplefilter("ignore")
    kept_cycle, bare_cycle = measure(args.db, args.times)
    print(
        f"kept session cycle {kept_cycle:.1f} us of CPU, bare round trips {bare_cycle:.1f} us, "
        f"the session's machinery {kept_cycle - bare_cycle:.1f} us"
    )


if __name__ == "__main__":
    main()
