"""List latencies in-process on a large corpus: `python -m bench.pg_lists DATABASE_URL`.

Measures what a list request costs, `total` included, without HTTP in front: the check for
the target "total at 5,000,000 incidents never makes a list request slower than 100 ms".
"""

import sys
import time

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

PATHS = [
    "/incidents",
    "/incidents?actor=Iran",
    "/incidents?actor=Iran&actor=Azerbaijan&date_from=2015-01-01&date_to=2020-12-31",
    "/incidents?type=attack",
    "/incidents?country=IRN",
    "/statements?speaker=Iran",
    "/sources",
    "/actors",
]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with TestClient(create_app(Settings(database_url=argv[0]))) as client:
        for path in PATHS:
            for _ in range(3):
                client.get(path)
            times = []
            for _ in range(30):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            body = response.json()
            print(
                f"{path:86s} {response.status_code} p50 {times[15]:6.1f} "
                f"slowest {times[-1]:6.1f} ms  total {body['total']} {body['total_accuracy']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
