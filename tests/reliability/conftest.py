"""Helpers for the tests that need real processes: a large generated run, ingests, a server."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import SEEDS
from tests.reliability.pg_cluster import Cluster, cluster_root

# Big enough that an ingest spends seconds inside its transaction (so a kill or a read lands
# in the middle of it), small enough to keep the suite fast. YAML is slow to parse and
# extraction runs inside the transaction, so most of the weight is articles.
LARGE_ACTORS = 1000
LARGE_INCIDENTS = 1000
LARGE_ARTICLES = 200


def write_large_run(folder: Path, *, title: str = "Generated incident") -> Path:
    """A seed folder: LARGE_ACTORS actors, LARGE_INCIDENTS incidents, LARGE_ARTICLES articles."""
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    seed_articles = sorted((SEEDS / "articles").glob("*.txt"))
    for i in range(LARGE_ARTICLES):
        text = seed_articles[i % len(seed_articles)].read_text(encoding="utf-8")
        (folder / "articles" / f"gen-{i:04d}.txt").write_text(f"{text}\n\n(Copy {i}.)\n")
    with (folder / "actors.yaml").open("w", encoding="utf-8") as f:
        for i in range(LARGE_ACTORS):
            f.write(
                f"- slug: gen-actor-{i}\n  name: Generated Actor {i}\n  kind: person\n"
                f"  aliases: [Gen {i} Alias]\n"
            )
    with (folder / "incidents.yaml").open("w", encoding="utf-8") as f:
        for i in range(LARGE_INCIDENTS):
            a, b = i % LARGE_ACTORS, (i * 7 + 1) % LARGE_ACTORS
            if a == b:
                b = (b + 1) % LARGE_ACTORS
            f.write(
                f"- slug: gen-incident-{i}\n  title: {title} {i}\n"
                "  summary: Something happened between two generated actors.\n"
                f"  type: consultation\n  date_start: 2023-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
                "  participants:\n"
                f"    - {{actor: gen-actor-{a}, role: initiator}}\n"
                f"    - {{actor: gen-actor-{b}, role: target}}\n"
            )
    return folder


def start_ingest(
    paths: list[Path], url: str, *, workers: str | None = None, **env: str
) -> subprocess.Popen[str]:
    """`incidentdb ingest PATHS` as users run it, in its own process."""
    options = ["--workers", workers] if workers else []
    return subprocess.Popen(
        [sys.executable, "-m", "app", "ingest", *options, *map(str, paths)],
        env={**os.environ, "DATABASE_URL": url, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def is_writing(url: str) -> bool:
    """Whether an ingest is inside its transaction and has written rows (not yet committed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Uncommitted pages spill into the WAL once the page cache fills.
        wal = Path(f"{parsed.database}-wal")
        return wal.exists() and wal.stat().st_size > 256 * 1024
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # A transaction id is assigned at the first write.
            writers = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return bool(writers)


def wait_until_writing(process: subprocess.Popen[str], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the ingest ended before it was caught writing: {out}{err}")
        if is_writing(url):
            return
        time.sleep(0.05)
    raise AssertionError("the ingest did not start writing in time")


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"the ingest did not finish in {timeout}s: {err}") from None
    return process.returncode, out, err


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL the ingest; its extraction workers, which it cannot stop, must exit too."""
    workers = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while (alive := [pid for pid in workers if is_running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive, f"extraction workers {alive} outlived the killed ingest"


def wait_until_extracting(process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until the ingest has started its extraction workers (processes running spawn_main)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the ingest ended before its extraction workers were seen")
        for child in children_of(process.pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in command:
                return
        time.sleep(0.05)
    raise AssertionError("the ingest did not start extraction workers in time")


def children_of(pid: int) -> list[int]:
    """Processes `pid` started (Linux /proc), whatever they run."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(child) for child in task.read_text().split()]
    return children


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent (init) has yet to reap it


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of the test's own, started; stopped at the end."""
    with cluster_root() as root:
        primary = Cluster(root / "primary")
        primary.start()
        try:
            yield primary
        finally:
            primary.stop_quietly()
