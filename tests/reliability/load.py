"""Load drivers: N concurrent clients on loopback, a fixed number of requests or seconds.

    python -m tests.reliability.load http://127.0.0.1:8000 --clients 50 --requests 5000

Prints requests/s, latency percentiles and errors; tests/reliability/test_load.py runs it
against a served database and adds the server's memory before and after. `run` is a Python
client (httpx); `run_wrk` drives the same mix with wrk, whose client costs a fraction of the
CPU, so on a small machine the server, not the client, is what the run measures and a CI run
gets through thousands of requests in seconds.
"""

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

PATHS_SCRIPT = Path(__file__).with_name("paths.lua")

# The mix of questions users ask: lists with filters, full-text search, detail pages.
LIST_PATHS = [
    "/incidents",
    "/incidents?actor=Iran",
    "/incidents?actor=Iran&actor=Azerbaijan",
    "/incidents?q=embassy",
    "/incidents?type=accusation&sort=date",
    "/incidents?date_from=2023-01-01&date_to=2023-12-31&limit=100",
    "/actors?q=Iran",
    "/actors?kind=person",
    "/statements?speaker=Iran",
    "/statements?q=Azerbaijan",
    "/sources",
    "/health",
]


@dataclass
class Result:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.1f}s: {self.per_second:.0f} req/s, "
            f"latency p50 {self.percentile(50):.0f} ms, p95 {self.percentile(95):.0f} ms, "
            f"p99 {self.percentile(99):.0f} ms, max {max(self.latencies) * 1000:.0f} ms, "
            f"mean {statistics.fmean(self.latencies) * 1000:.0f} ms; {len(self.errors)} errors"
        )


def paths_for(base: str) -> list[str]:
    """The list paths plus detail pages of real ids and slugs (read once, up front)."""
    paths = list(LIST_PATHS)
    with httpx.Client(base_url=base, timeout=30) as http:
        for kind in ("incidents", "actors", "sources"):
            items = http.get(f"/{kind}", params={"limit": 10}).json()["items"]
            paths += [f"/{kind}/{item['slug']}" for item in items]
        statements = http.get("/statements", params={"limit": 10}).json()["items"]
        paths += [f"/statements/{item['id']}" for item in statements]
    return paths


async def _client(
    http: httpx.AsyncClient, paths: list[str], tickets: asyncio.Queue[int], result: Result
) -> None:
    while True:
        try:
            n = tickets.get_nowait()
        except asyncio.QueueEmpty:
            return
        path = paths[n % len(paths)]
        started = time.perf_counter()
        try:
            response = await http.get(path)
            if response.status_code != 200:
                result.errors.append(f"{path}: {response.status_code} {response.text[:200]}")
        except httpx.HTTPError as exc:
            result.errors.append(f"{path}: {exc!r}")
        result.latencies.append(time.perf_counter() - started)
        result.requests += 1


async def _run(base: str, paths: list[str], clients: int, requests: int) -> Result:
    host = urlsplit(base).hostname or ""
    # Loopback only: this is a load generator.
    assert host == "localhost" or host.startswith("127.") or host == "::1", base
    tickets: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        tickets.put_nowait(n)
    result = Result()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(_client(http, paths, tickets, result) for _ in range(clients)))
        result.seconds = time.perf_counter() - started
    return result


def run(base: str, *, clients: int, requests: int, paths: list[str] | None = None) -> Result:
    """Send `requests` GETs from `clients` concurrent clients; bounded by count, not time."""
    return asyncio.run(_run(base, paths or paths_for(base), clients, requests))


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: list[str]
    p50_ms: float
    p99_ms: float

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.1f}s: "
            f"{self.requests / self.seconds:.0f} req/s, latency p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms; {len(self.errors)} errors"
        )


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(base: str, *, clients: int, seconds: int, paths: list[str]) -> WrkResult:
    """`paths` in turn from `clients` keep-alive connections for `seconds` (wrk, two threads).

    Errors are wrk's: answers other than 2xx/3xx and connect, read, write or timeout errors;
    when there are any, each path is asked once more to name the ones that fail.
    """
    assert urlsplit(base).hostname in ("127.0.0.1", "localhost", "::1"), base
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    command += ["-s", str(PATHS_SCRIPT), base, "--", *paths]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    totals = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
    assert totals is not None, out
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "errors:" in line]
    if errors:
        with httpx.Client(base_url=base, timeout=30) as http:
            for path in paths:
                status = http.get(path).status_code
                if status != 200:
                    errors.append(f"{path}: {status}")
    return WrkResult(
        requests=int(totals[1]),
        seconds=float(totals[2]) / (1000 if totals[3] == "ms" else 1),
        errors=errors,
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8000 (loopback only)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    result = run(args.base, clients=args.clients, requests=args.requests)
    print(result.summary())
    for error in result.errors[:10]:
        print(error)


if __name__ == "__main__":
    main()
