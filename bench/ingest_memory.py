"""python -m bench.ingest_memory: where the ingest's writer holds memory, phase by phase.

Runs the ingest in this process (as `incidentdb ingest --workers N` does: the same pipeline,
the same extraction pool) into a copy of a database, with tracemalloc on, and at each phase
boundary prints the process's RSS, the Python heap tracemalloc sees (current and peak since
the previous boundary) and the largest allocation sites still held:

    python -m bench.ingest_memory --template seeded.sqlite3 --workdir /tmp/w DIR

Phases: every 10,000 articles stored, once they all are, every 10,000 sources extracted,
after the near-duplicate pass, at the end. tracemalloc slows the writer down (about 2x): use
it for where memory goes (`--frames 0`: RSS, malloc and SQLite only, at full speed),
`bench.ingest_processes` for how much and how fast.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import shutil
import sys
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.db.session import create_db_engine
from app.ingest import pipeline
from app.sources import writes as sources_writes
from bench.ingest import MAX_ARTICLE_BYTES

_TOP = 8


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _native() -> str:
    """C-level memory: glibc malloc (in use, and free but kept) and SQLite's own."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    sqlite = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    mb = 2**20
    return (
        f"malloc in use {(info.uordblks + info.hblkhd) / mb:.1f} MB, free kept "
        f"{info.fordblks / mb:.1f} MB; SQLite {sqlite.sqlite3_memory_used() / mb:.1f} MB"
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


class _Probe:
    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.baseline: tracemalloc.Snapshot | None = None

    def report(self, label: str) -> None:
        if not self.frames:
            print(f"--- {label}: RSS {_rss_mb():.0f} MB; {_native()}", flush=True)
            return
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        print(
            f"--- {label}: RSS {_rss_mb():.0f} MB; Python heap {current / 2**20:.1f} MB "
            f"(peak since the last line {peak / 2**20:.1f} MB); {_native()}",
            flush=True,
        )
        if self.baseline is not None:
            for stat in snapshot.compare_to(self.baseline, "traceback")[:_TOP]:
                if stat.size_diff <= 0:
                    continue
                # Most recent call first.
                where = " <- ".join(
                    f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback[-4:])
                )
                print(
                    f"    {stat.size_diff / 2**20:+7.2f} MB held ({stat.size / 2**20:.2f} MB, "
                    f"{stat.count:,} blocks) {where}"
                )
        self.baseline = snapshot


def _instrument(probe: _Probe, *, stop_after_store: bool) -> None:
    """Report at the phase boundaries of the pipeline (by wrapping its steps)."""
    apply_class: Any = pipeline._Apply
    store, extract = apply_class.store_articles, apply_class._extract
    upsert = apply_class._upsert_sources
    stored = [0]

    def upsert_sources(self: Any, articles: list[Any]) -> int:
        created = upsert(self, articles)
        stored[0] += len(articles)
        if stored[0] % 10_000 == 0:
            probe.report(f"{stored[0]:,} articles stored")
        return created

    mark = sources_writes.mark_duplicates

    def store_articles(self: Any) -> int:
        created = store(self)
        probe.report("articles stored")
        if stop_after_store:
            raise SystemExit(0)  # the transaction is rolled back
        return created

    def extract_with_probe(self: Any, curated_key: str) -> None:
        progress = self.progress

        def report_every(done: int, total: int) -> None:
            if done % 10_000 == 0:
                probe.report(f"{done:,} of {total:,} extracted")
            if progress is not None:
                progress(done, total)

        self.progress = report_every
        extract(self, curated_key)
        probe.report("extraction written")

    def mark_with_probe(session: Session, **kwargs: Any) -> Any:
        marks = mark(session, **kwargs)
        probe.report("near-duplicate pass")
        return marks

    apply_class.store_articles = store_articles
    apply_class._upsert_sources = upsert_sources
    apply_class._extract = extract_with_probe
    pipeline.sources_writes.mark_duplicates = mark_with_probe  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_memory", description=__doc__)
    parser.add_argument("articles", type=Path, help="Folder to ingest.")
    parser.add_argument("--template", type=Path, required=True, help="SQLite file to copy.")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--frames", type=int, default=6, help="Traceback depth kept (0: no tracemalloc)."
    )
    parser.add_argument(
        "--stop-after-store", action="store_true", help="Stop (roll back) once stored."
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "measured.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(args.template, db)

    probe = _Probe(args.frames)
    if args.frames:
        tracemalloc.start(args.frames)
    probe.report("start")
    _instrument(probe, stop_after_store=args.stop_after_store)
    engine = create_db_engine(f"sqlite:///{db}", writer=True)
    try:
        report = pipeline.run(
            [args.articles], engine, max_article_bytes=MAX_ARTICLE_BYTES, workers=args.workers
        )
    finally:
        engine.dispose()
    probe.report("committed")
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
