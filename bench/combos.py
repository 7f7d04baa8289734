"""Random filter combinations (seeded) and concurrent load, for `python -m bench.api`.

`combinations()` draws list URLs from every documented list filter: actors (one or two),
type, country, publisher, speaker, date windows inside the data, at its edges and beyond it,
both sort orders, q, facets and second pages. The same seed gives the same URLs on any corpus
made by `bench.generate` with the same seed, so two runs (or two branches) compare.

`concurrent()` drives one URL with `wrk` (Debian's package) at N connections: a client in C,
so on a 2-core machine the load generator takes little of the CPU the servers need.
"""

from __future__ import annotations

import contextlib
import math
import random
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Names bench.generate always creates: big states, small ones, officials' states.
ACTORS = ["Iran", "Russia", "France", "Azerbaijan", "China", "Turkey", "Israel", "Brazil"]
TYPES = ["accusation", "arrest", "attack", "protest", "threat", "agreement", "exercise"]
COUNTRIES = ["IRN", "RUS", "FRA", "AZE", "USA", "TUR", "CHN"]
WORDS = ["pipeline", "talks", "sanctions", "embassy", "border", "drills", "corridor", "gas"]
INCIDENT_FACETS = ["type", "actor", "country", "year", "month"]
STATEMENT_FACETS = ["speaker", "source", "year", "month"]


@dataclass(frozen=True)
class Combination:
    path: str  # what is timed, or its first page when second_page is set
    second_page: bool = False


def _window(rng: random.Random, first: date, last: date) -> list[tuple[str, str]]:
    """A date window: inside the data, at either edge, beyond either edge, or open-ended."""
    span = (last - first).days
    day = timedelta(days=1)
    choice = rng.randrange(8)
    if choice == 0:
        return []
    if choice == 1:  # beyond the newest incident: an empty answer
        return [("date_from", str(last + day * rng.randint(1, 2000)))]
    if choice == 2:  # before the oldest: everything, or nothing with date_to
        return [("date_from", str(first - day * rng.randint(1, 5000)))]
    if choice == 3:
        return [("date_to", str(first - day * rng.randint(0, 3000)))]
    if choice == 4:  # at the newest edge
        return [("date_from", str(last - day * rng.randint(0, 60)))]
    if choice == 5:  # at the oldest edge
        return [("date_to", str(first + day * rng.randint(0, 60)))]
    start = first + day * rng.randint(0, span)
    length = rng.choice([1, 7, 31, 365, 3650])
    return [("date_from", str(start)), ("date_to", str(start + day * length))]


def _actor_params(rng: random.Random) -> list[tuple[str, str]]:
    params = []
    if rng.random() < 0.5:
        params.append(("q", rng.choice(ACTORS)))
    if rng.random() < 0.4:
        params.append(("kind", rng.choice(["state", "person", "organization"])))
    if rng.random() < 0.3:
        params.append(("country", rng.choice(COUNTRIES)))
    return params


def _incident_params(rng: random.Random) -> list[tuple[str, str]]:
    params = []
    if rng.random() < 0.3:
        params.append(("type", rng.choice(TYPES)))
    if rng.random() < 0.2:
        params.append(("country", rng.choice(COUNTRIES)))
    if rng.random() < 0.15:
        params.append(("facet", rng.choice(INCIDENT_FACETS)))
    return params


def _list_params(rng: random.Random, scope: str, first: date, last: date) -> list[tuple[str, str]]:
    params = _window(rng, first, last)
    name = "speaker" if scope == "statements" else "actor"
    for actor in rng.sample(ACTORS, rng.choice([0, 0, 1, 1, 2])):
        params.append((name, actor))
    if rng.random() < 0.3:
        params.append(("q", rng.choice(WORDS)))
    if rng.random() < 0.5:
        sorts = ["date", "-date"] if scope == "incidents" else ["-date"]
        params.append(("sort", rng.choice(sorts)))
    if scope == "incidents":
        params += _incident_params(rng)
    elif scope == "statements" and rng.random() < 0.15:
        params.append(("facet", rng.choice(STATEMENT_FACETS)))
    if rng.random() < 0.1:
        params.append(("count", rng.choice(["none", "exact"])))
    return params


def combinations(seed: int, n: int, first: date, last: date) -> list[Combination]:
    """`n` list URLs drawn from every documented filter, reproducible from `seed`."""
    rng = random.Random(seed)
    out: list[Combination] = []
    for _ in range(n):
        scope = rng.choices(["incidents", "statements", "sources", "actors"], [6, 2, 2, 1])[0]
        if scope == "actors":
            params = _actor_params(rng)
        else:
            params = _list_params(rng, scope, first, last)
        path = f"/{scope}?" + urllib.parse.urlencode(params) if params else f"/{scope}"
        out.append(Combination(path, second_page=rng.random() < 0.2))
    return out


@dataclass
class LoadResult:
    connections: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    requests: int = 0  # answered in the timed run (wrk's "N requests in")
    # CPU of the server's processes (every worker's) per answered request, when measured.
    cpu_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


RANDOM_ID_SCRIPT = Path(__file__).with_name("random_id.lua")


def concurrent(
    url: str, connections: int, seconds: int, random_ids: int | None = None
) -> LoadResult:
    """`wrk` on one URL for `seconds` with `connections` keep-alive connections.

    With `random_ids`, the URL's path holds `%d` and every request asks for a random id in
    1..random_ids (bench/random_id.lua), so a response kept by the server is almost never hit.
    """
    # wrk refuses more threads than connections (one connection: one thread).
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    if random_ids is None:
        command.append(url)
    else:
        parts = urllib.parse.urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        command += ["-s", str(RANDOM_ID_SCRIPT), base, "--", path, str(random_ids)]
        url = base + path.replace("%d", "1")  # the drain request below
    out = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.M))
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    # wrk stops sending, but a server may still hold a queue of slow requests: wait until one
    # more request of the same URL is answered, so the next measurement starts on an idle
    # server instead of inheriting this one's backlog.
    with contextlib.suppress(OSError):
        urllib.request.urlopen(url, timeout=300).read()
    # No distribution when no request completed (all timed out): NaN, and the errors say why.
    p50, p90, p99 = (_ms(latency[k]) if k in latency else math.nan for k in ("50", "90", "99"))
    return LoadResult(connections, rps, p50, p90, p99, errors, answered)
