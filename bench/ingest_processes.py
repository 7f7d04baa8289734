"""python -m bench.ingest_processes: CPU seconds and peak RSS of each process of one ingest.

`incidentdb ingest --quiet --workers N DIR` is run into a copy of a database (so the same
starting point serves old and new code); the writer and its extraction workers are sampled
from /proc every 0.25 s: CPU seconds (utime + stime) and RSS of each, and the writer's RSS
over time. CPU seconds per article of each process are what to compare on a shared machine,
where wall-clock time follows the other jobs.

    python -m bench.ingest_processes --template seeded.sqlite3 --workdir /tmp/w DIR
(DIR as `bench.ingest --workdir` leaves it, or any folder of articles; the template holds
the seeds: `incidentdb ingest` into a fresh file.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _sample(pid: int) -> tuple[float, float, float] | None:
    """(CPU seconds, RSS MB, peak RSS MB as the kernel kept it) of a process, or None once
    it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    hwm = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")), "0")
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS
    return cpu, int(fields[21]) * 4096 / 2**20, int(hwm) / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except FileNotFoundError:
            pass
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_processes", description=__doc__)
    parser.add_argument("articles", type=Path, help="Folder to ingest.")
    parser.add_argument("--template", type=Path, required=True, help="SQLite file to copy.")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "measured.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(args.template, db)
    count = sum(1 for _ in args.articles.rglob("*.*"))
    command = [sys.executable, "-m", "app", "ingest", "--quiet", "--workers", str(args.workers)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, str(args.articles)],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{db}"},
        stdout=subprocess.PIPE,
        text=True,
    )
    cpu: dict[int, float] = {}
    peak: dict[int, float] = {}
    # Every process's RSS over time (seconds since the start, MB): the writer's and each
    # worker's, to see which grows with the corpus and when.
    timelines: dict[int, list[tuple[float, float]]] = {}
    while process.poll() is None:
        for pid in [process.pid, *_children(process.pid)]:
            sample = _sample(pid)
            if sample is not None:
                cpu[pid] = sample[0]
                peak[pid] = max(peak.get(pid, 0.0), sample[1], sample[2])
                timelines.setdefault(pid, []).append((time.perf_counter() - started, sample[1]))
        time.sleep(0.25)
    wall = time.perf_counter() - started
    summary = (process.stdout.read() if process.stdout else "").strip().splitlines()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    writer = cpu.get(process.pid, 0.0)
    workers = sorted(round(v, 1) for p, v in cpu.items() if p != process.pid and v > 1)
    print(summary[-1] if summary else f"exit {process.returncode}")
    print(
        f"{count:,} articles in {wall:.1f} s ({count / wall:,.0f}/s); load average "
        f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"CPU seconds: all processes {total:.1f} ({1000 * total / count:.2f} ms an article), "
        f"writer {writer:.1f} ({1000 * writer / count:.2f} ms an article), workers {workers}"
    )
    others = sorted((p for p in peak if p != process.pid), key=lambda p: -len(timelines.get(p, [])))
    print(
        f"peak RSS: writer {peak.get(process.pid, 0):.0f} MB, extraction workers "
        f"{[round(peak[p]) for p in others if cpu.get(p, 0) > 1]} MB, largest process "
        f"{usage.ru_maxrss / 1024:.0f} MB (ru_maxrss)"
    )
    for label, pid in [("writer", process.pid)] + [
        (f"worker {pid}", pid) for pid in others if cpu.get(pid, 0) > 1
    ]:
        timeline = timelines.get(pid, [])
        step = max(1, len(timeline) // 15)
        print(
            f"{label} RSS over time (s:MB): "
            + " ".join(f"{t:.0f}:{m:.0f}" for t, m in timeline[::step] + timeline[-1:])
        )
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
