"""python -m bench.ingest: articles/s through extraction and the ingest, curated rows/s.

Figures:
- extraction: app.extraction.extract_article alone, per article, one core (the seeds'
  gazetteer), on the first --extraction-sample articles;
- articles: `incidentdb ingest --quiet --workers N` on a folder of articles (read, extract,
  store, index), run as users run it, in its own process: articles/s, the peak RSS of the
  largest process (the writer or a worker), and the CPU seconds of all of them;
- re-run: the same command again over the unchanged folder (nothing to extract or write);
- curated: the ingest pipeline on a synthetic actors.yaml + incidents.yaml.
With --kill-after SECONDS, instead: the ingest of the articles is SIGKILLed that long after
it started, and the database is checked to be exactly as before (row counts of every table,
PRAGMA integrity_check on SQLite, the extraction workers gone), then the ingest is run again
to the end.
Articles are the five real seed articles repeated (each copy made unique) and synthetic
articles from the bench corpus, alternately.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import DateTime, func, inspect, select
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from app.db import migrate
from app.db.session import create_db_engine
from app.settings import PROJECT_ROOT
from bench.corpus import Generator

SEEDS = PROJECT_ROOT / "seeds"
MAX_ARTICLE_BYTES = 5 * 1024 * 1024


@dataclass
class IngestResult:
    articles: int
    extraction_articles: int
    extraction_seconds: float
    pipeline_seconds: float
    pipeline_peak_rss_mb: float
    pipeline_cpu_seconds: float
    rerun_seconds: float
    workers: int
    curated_rows: int
    curated_seconds: float

    @property
    def extraction_rate(self) -> float:
        return self.extraction_articles / self.extraction_seconds

    @property
    def pipeline_rate(self) -> float:
        return self.articles / self.pipeline_seconds

    @property
    def curated_rate(self) -> float:
        return self.curated_rows / self.curated_seconds

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "extraction_articles_per_s": self.extraction_rate,
            "pipeline_articles_per_s": self.pipeline_rate,
            "curated_rows_per_s": self.curated_rate,
        }

    def table(self) -> str:
        return "\n".join(
            [
                f"{'ingest path':<44} {'items':>8} {'seconds':>8} {'per second':>11}",
                f"{'extraction only (extract_article, 1 core)':<44} "
                f"{self.extraction_articles:>8,} "
                f"{self.extraction_seconds:>8.2f} {self.extraction_rate:>11,.0f} articles",
                f"{f'incidentdb ingest --workers {self.workers}':<44} {self.articles:>8,} "
                f"{self.pipeline_seconds:>8.2f} {self.pipeline_rate:>11,.0f} articles",
                f"{'re-run over the unchanged articles':<44} {self.articles:>8,} "
                f"{self.rerun_seconds:>8.2f} {self.articles / self.rerun_seconds:>11,.0f} articles",
                f"{'curated YAML rows through the pipeline':<44} {self.curated_rows:>8,} "
                f"{self.curated_seconds:>8.2f} {self.curated_rate:>11,.0f} rows",
                f"ingest: peak RSS {self.pipeline_peak_rss_mb:,.0f} MB (largest process), "
                f"{self.pipeline_cpu_seconds:,.0f} CPU seconds over all processes",
            ]
        )


def write_articles(folder: Path, count: int, seed: int, keep: int | None = None) -> list[str]:
    """`count` article files: real seed articles (made unique) and synthetic ones, alternately;
    returns the texts of the first `keep` (all by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    real = [p.read_text(encoding="utf-8") for p in sorted((SEEDS / "articles").glob("*.txt"))]
    gen = Generator(seed, extraction_key="bench")
    synthetic: list[str] = []
    texts = []
    for i in range(count):
        if i % 2 == 0:
            # A trailing line keeps each copy's content hash (and slug) its own.
            text = f"{real[(i // 2) % len(real)]}\n\n(Bench copy {i}.)\n"
        else:
            while not synthetic:
                synthetic = [row[6] for row in gen.chunk(50).source]  # type: ignore[misc]
            text = synthetic.pop()
        (folder / f"bench_{i:06d}.txt").write_text(text, encoding="utf-8")
        if keep is None or i < keep:
            texts.append(text)
    return texts


def time_extraction(texts: list[str]) -> float:
    from app import extraction
    from app.ingest import loader

    batch = loader.load([SEEDS], max_article_bytes=MAX_ARTICLE_BYTES)
    known = [
        extraction.KnownActor(
            slug=r.slug,
            name=r.name,
            kind=str(r.kind),
            country=r.country,
            title=r.title,
            aliases=tuple(r.aliases),
            demonyms=tuple(r.demonyms),
            metonyms=tuple(r.metonyms),
            affiliation=r.affiliation,
        )
        for r in (located.record for located in batch.actors)
    ]
    gazetteer = extraction.Gazetteer.build(known)
    extraction.extract_article(texts[0], gazetteer)  # warm caches, as a long ingest would
    started = time.perf_counter()
    for text in texts:
        extraction.extract_article(text, gazetteer)
    return time.perf_counter() - started


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float


def time_cli_ingest(url: str, paths: list[Path], workers: int) -> Measured:
    """`incidentdb ingest --quiet` in a child process, as a user runs it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "app", "ingest", "--quiet", "--workers", str(workers)]
    started = time.perf_counter()
    subprocess.run(
        [*command, *map(str, paths)],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest of them (KiB on Linux), over this process's life:
    # each measured run is the biggest so far, so it is this run's.
    return Measured(seconds, after.ru_maxrss / 1024, cpu)


def time_pipeline(url: str, paths: list[Path]) -> float:
    from app.ingest import pipeline

    engine = create_db_engine(url, writer=True)
    try:
        started = time.perf_counter()
        pipeline.run(paths, engine, max_article_bytes=MAX_ARTICLE_BYTES)
        return time.perf_counter() - started
    finally:
        engine.dispose()


class _NoAliases(yaml.SafeDumper):
    # Seed files refuse YAML aliases; a date shared by date_start and date_end would get one.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_curated(folder: Path, incidents: int, seed: int) -> int:
    """actors.yaml and incidents.yaml from the bench corpus; returns the rows they make."""
    folder.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, extraction_key="bench")
    by_id = {a.id: a for a in gen.cast.actors}
    actors = []
    rows = 0
    for a in gen.cast.actors:
        kinds: dict[str, list[str]] = {"alias": [], "demonym": [], "metonym": []}
        for kind, alias in a.aliases[1:]:
            kinds[kind].append(alias)
        actors.append(
            {
                "slug": a.slug,
                "name": a.name,
                "kind": a.kind,
                "country": a.country,
                "title": a.title,
                "aliases": kinds["alias"],
                "demonyms": kinds["demonym"],
                "metonyms": kinds["metonym"],
                "affiliation": by_id[a.affiliation_id].slug if a.affiliation_id else None,
            }
        )
        rows += 1 + len(a.aliases)
    records = []
    for tables in gen.chunks(incidents, 5_000):
        parts: dict[int, list[dict[str, str]]] = {}
        for incident_id, actor_id, role, *_ in tables.incident_participant:
            parts.setdefault(int(incident_id), []).append(  # type: ignore[call-overload]
                {"actor": by_id[int(actor_id)].slug, "role": str(role)}  # type: ignore[call-overload]
            )
        for row in tables.incident:
            iid, slug, title, summary, kind, start, end, precision, country, place, severity, _ = (
                row
            )
            records.append(
                {
                    "slug": slug,
                    "title": title,
                    "summary": summary,
                    "type": kind,
                    "date_start": start,
                    "date_end": end,
                    "date_precision": precision,
                    "location": {"country": country, "place": place},
                    "severity": severity,
                    "participants": parts[int(iid)],  # type: ignore[call-overload]
                    "sources": [],
                }
            )
            rows += 1 + len(parts[int(iid)])  # type: ignore[call-overload]
    for name, data in (("actors.yaml", actors), ("incidents.yaml", records)):
        text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)
        (folder / name).write_text(text, encoding="utf-8")
    return rows


NOT_SQLITE = "not applicable (not SQLite)"


@dataclass
class KillResult:
    articles: int
    workers: int
    killed_after_seconds: float
    # The SQLite WAL when the ingest was killed: uncommitted pages spill into it as the
    # transaction writes (None on PostgreSQL).
    wal_bytes_at_kill: int | None
    before: dict[str, int]
    after_kill: dict[str, int]
    integrity: str
    # Extraction workers running at the kill (0: killed before or after extraction).
    workers_at_kill: int
    workers_left: list[int]
    rerun_seconds: float
    stored_after_rerun: int
    # The re-run is a whole ingest of the articles: its peak RSS (largest process, the killed
    # run included) and CPU seconds over all its processes.
    rerun_peak_rss_mb: float = 0.0
    rerun_cpu_seconds: float = 0.0
    # With --reference: the tables whose row count or content (timestamps aside) differ
    # after the re-run from the uninterrupted ingest's; None without a reference.
    differs_from_reference: list[str] | None = None

    @property
    def unchanged(self) -> bool:
        intact = self.integrity in ("ok", NOT_SQLITE)
        return self.before == self.after_kill and intact and not self.workers_left

    @property
    def passed(self) -> bool:
        return self.unchanged and not self.differs_from_reference

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "unchanged": self.unchanged, "passed": self.passed}

    def table(self) -> str:
        changed = {
            t: (self.before.get(t), self.after_kill.get(t))
            for t in sorted({*self.before, *self.after_kill})
            if self.before.get(t) != self.after_kill.get(t)
        }
        wal = f"{self.wal_bytes_at_kill:,} bytes" if self.wal_bytes_at_kill is not None else "n/a"
        return "\n".join(
            [
                f"SIGKILL of `incidentdb ingest --workers {self.workers}` over "
                f"{self.articles:,} articles, {self.killed_after_seconds:.1f} s in "
                f"(WAL at the kill: {wal})",
                f"tables compared: {len(self.before)}; row counts changed: {changed or 'none'}",
                f"integrity_check: {self.integrity}; workers at the kill: "
                f"{self.workers_at_kill}, left running: "
                f"{self.workers_left or 'none'}",
                f"re-run to the end: {self.rerun_seconds:.1f} s "
                f"({self.articles / self.rerun_seconds:,.0f} articles/s), "
                f"{self.stored_after_rerun:,} sources stored, {self.rerun_cpu_seconds:,.0f} CPU "
                f"seconds over all processes, peak RSS {self.rerun_peak_rss_mb:,.0f} MB",
                "database exactly as before the kill"
                if self.unchanged
                else "DATABASE CHANGED BY THE KILLED RUN",
                *self._reference_line(),
            ]
        )

    def _reference_line(self) -> list[str]:
        if self.differs_from_reference is None:
            return []
        if not self.differs_from_reference:
            return [
                "after the re-run: every table equal to the uninterrupted ingest's "
                "(row counts and rows, timestamps aside)"
            ]
        return [
            f"AFTER THE RE-RUN, TABLES DIFFER FROM THE UNINTERRUPTED INGEST'S: "
            f"{self.differs_from_reference}"
        ]


def table_counts(url: str) -> dict[str, int]:
    """Rows of every table (on SQLite the full-text index tables too)."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                name: int(conn.execute(sql(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in names
            }
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    if make_url(url).get_backend_name() != "sqlite":
        return NOT_SQLITE  # PostgreSQL aborts a dead client's transaction itself
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sql("PRAGMA integrity_check")).scalar_one())
    finally:
        engine.dispose()


def content_digests(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows in primary-key order, timestamps
    (DateTime columns: when a version was made) left out: equal for two databases holding
    the same data, whenever it was written. SQLite's full-text shadow tables are left out
    (their pages follow merges); the full-text tables themselves are counted."""
    engine = create_db_engine(url)
    digests: dict[str, tuple[int, str]] = {}
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            for name in sorted(inspector.get_table_names()):
                if "_fts_" in name:
                    continue
                if name.endswith("_fts"):
                    count = conn.execute(sql(f'SELECT count(*) FROM "{name}"')).scalar_one()
                    digests[name] = (int(count), "")
                    continue
                columns = [
                    c["name"]
                    for c in inspector.get_columns(name)
                    if not isinstance(c["type"], DateTime)
                ]
                keys = inspector.get_pk_constraint(name)["constrained_columns"] or columns
                quoted = ", ".join(f'"{c}"' for c in columns)
                order = ", ".join(f'"{c}"' for c in keys)
                digest = hashlib.sha256()
                count = 0
                rows = conn.execution_options(yield_per=10_000).execute(
                    sql(f'SELECT {quoted} FROM "{name}" ORDER BY {order}')
                )
                for row in rows:
                    digest.update(repr(tuple(row)).encode())
                    count += 1
                digests[name] = (count, digest.hexdigest())
    finally:
        engine.dispose()
    return digests


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def kill_cli_ingest(
    url: str,
    paths: list[Path],
    workers: int,
    after: float,
    *,
    after_extraction: bool = False,
    reference: str | None = None,
) -> KillResult:
    """SIGKILL `incidentdb ingest` `after` seconds in (with `after_extraction`: `after`
    seconds after its extraction workers exited, in the writer's final pass); check nothing
    of it is left; run it again to the end and, given the URL of a database where the same
    ingest ran uninterrupted (`reference`), compare every table with it."""
    before = table_counts(url)
    command = [sys.executable, "-m", "app", "ingest", "--quiet", "--workers", str(workers)]
    process = subprocess.Popen(
        [*command, *map(str, paths)],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    if after_extraction:
        _wait_for_extraction(process, workers)
    try:
        process.wait(timeout=after)
        raise SystemExit(f"the ingest ended before the kill, {after} s in: kill sooner")
    except subprocess.TimeoutExpired:
        pass
    workers_seen = _children(process.pid)
    parsed = make_url(url)
    wal = Path(f"{parsed.database}-wal") if parsed.get_backend_name() == "sqlite" else None
    wal_bytes = wal.stat().st_size if wal is not None and wal.exists() else None
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_after = time.perf_counter() - started
    # The workers notice their parent is gone (they poll every 0.5 s).
    deadline = time.monotonic() + 15
    while (left := [p for p in workers_seen if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    after_kill = table_counts(url)
    checked = integrity(url)
    # Said now: the re-run is a whole ingest, long at 100,000 articles.
    changed = sorted(t for t in {*before, *after_kill} if before.get(t) != after_kill.get(t))
    print(
        f"killed {killed_after:.1f} s in (extraction workers at the kill: {len(workers_seen)}, "
        f"WAL {wal_bytes} bytes); tables compared: {len(before)}, row counts changed: "
        f"{changed or 'none'}; integrity_check: {checked}; workers left: {left or 'none'}; "
        "re-running to the end",
        flush=True,
    )
    rerun = time_cli_ingest(url, paths, workers)
    differs: list[str] | None = None
    if reference is not None:
        ours, theirs = content_digests(url), content_digests(reference)
        differs = sorted(t for t in {*ours, *theirs} if ours.get(t) != theirs.get(t))
    return KillResult(
        articles=0,
        workers=workers,
        killed_after_seconds=killed_after,
        wal_bytes_at_kill=wal_bytes,
        before=before,
        after_kill=after_kill,
        integrity=checked,
        workers_at_kill=len(workers_seen),
        workers_left=left,
        rerun_seconds=rerun.seconds,
        stored_after_rerun=table_counts(url)["source"],
        rerun_peak_rss_mb=rerun.peak_rss_mb,
        rerun_cpu_seconds=rerun.cpu_seconds,
        differs_from_reference=differs,
    )


def _wait_for_extraction(process: subprocess.Popen[bytes], workers: int) -> None:
    """Until the ingest's extraction workers have started and exited again (what stays is
    multiprocessing's resource tracker): the writer is then alone, in its final pass."""
    started = False
    while process.poll() is None:
        children = len(_children(process.pid))
        started = started or children >= workers
        if started and children <= 1:
            return
        time.sleep(0.1)
    raise SystemExit("the ingest ended before its extraction did: nothing to kill")


def kill_run(
    articles: int,
    seed: int,
    workdir: Path,
    *,
    workers: int,
    after: float,
    url: str | None,
    after_extraction: bool = False,
    reference: str | None = None,
) -> KillResult:
    write_articles(workdir / "articles" / "articles", articles, seed, keep=0)
    url = url or f"sqlite:///{workdir / 'articles.sqlite3'}"
    migrate.upgrade(url)
    time_pipeline(url, [SEEDS])  # a database with data in it: the seeds
    result = kill_cli_ingest(
        url,
        [workdir / "articles"],
        workers,
        after,
        after_extraction=after_extraction,
        reference=reference,
    )
    result.articles = articles
    return result


def run(
    articles: int,
    incidents: int,
    seed: int,
    workdir: Path,
    *,
    workers: int,
    extraction_sample: int,
    url: str | None = None,
) -> IngestResult:
    # A 100,000-article corpus is half a gigabyte: keep only the sample in memory.
    sample = write_articles(workdir / "articles" / "articles", articles, seed, extraction_sample)
    extraction_seconds = time_extraction(sample)

    url = url or f"sqlite:///{workdir / 'articles.sqlite3'}"
    migrate.upgrade(url)
    time_pipeline(url, [SEEDS])  # the curated actors the articles' speakers resolve to
    measured = time_cli_ingest(url, [workdir / "articles"], workers)
    rerun = time_cli_ingest(url, [workdir / "articles"], workers)
    engine = create_db_engine(url)
    try:
        from app.sources.models import Source

        with engine.connect() as conn:
            stored = int(conn.execute(select(func.count()).select_from(Source)).scalar_one())
    finally:
        engine.dispose()
    if stored < articles:
        raise SystemExit(f"only {stored} of {articles} articles were stored")

    curated_rows = write_curated(workdir / "curated", incidents, seed)
    curated_url = f"sqlite:///{workdir / 'curated.sqlite3'}"
    migrate.upgrade(curated_url)
    curated_seconds = time_pipeline(curated_url, [workdir / "curated"])
    return IngestResult(
        articles=articles,
        extraction_articles=len(sample),
        extraction_seconds=extraction_seconds,
        pipeline_seconds=measured.seconds,
        pipeline_peak_rss_mb=measured.peak_rss_mb,
        pipeline_cpu_seconds=measured.cpu_seconds,
        rerun_seconds=rerun.seconds,
        workers=workers,
        curated_rows=curated_rows,
        curated_seconds=curated_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--articles", type=int, default=2_000, help="Articles to ingest.")
    parser.add_argument("--incidents", type=int, default=5_000, help="Curated incidents.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="incidentdb ingest --workers"
    )
    parser.add_argument(
        "--extraction-sample", type=int, default=2_000, help="Articles timed in extraction alone."
    )
    parser.add_argument(
        "--db", help="Database URL for the articles (default: a SQLite file in the workdir)."
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Make the run's temporary folder here, created if missing (default: the system's).",
    )
    parser.add_argument("--json", type=Path, help="Also write the results here as JSON.")
    parser.add_argument(
        "--kill-after",
        type=float,
        metavar="SECONDS",
        help="SIGKILL the ingest this long after it starts, check the database is unchanged, "
        "run it again (no timings).",
    )
    parser.add_argument(
        "--kill-after-extraction",
        action="store_true",
        help="Count --kill-after from the moment the extraction workers exit: the kill lands "
        "in the writer's final pass (near-duplicates, change feed).",
    )
    parser.add_argument(
        "--reference",
        metavar="URL",
        help="With --kill-after: a database where the same articles were ingested over the "
        "seeds without a kill (the database `python -m bench.ingest_processes` leaves in its "
        "workdir, for one); after the re-run every table is compared with it (row counts and "
        "rows, timestamps aside).",
    )
    args = parser.parse_args(argv)
    if args.workdir is not None:
        # A folder the user names is one they expect to be made, not a traceback.
        args.workdir.mkdir(parents=True, exist_ok=True)
    if args.kill_after is not None:
        with tempfile.TemporaryDirectory(prefix="incidentdb-kill-", dir=args.workdir) as tmp:
            killed = kill_run(
                args.articles,
                args.seed,
                Path(tmp),
                workers=args.workers,
                after=args.kill_after,
                url=args.db,
                after_extraction=args.kill_after_extraction,
                reference=args.reference,
            )
        _report(killed, args.json)
        return 0 if killed.passed else 1
    with tempfile.TemporaryDirectory(prefix="incidentdb-ingest-", dir=args.workdir) as tmp:
        result = run(
            args.articles,
            args.incidents,
            args.seed,
            Path(tmp),
            workers=args.workers,
            extraction_sample=args.extraction_sample,
            url=args.db,
        )
    _report(result, args.json)
    return 0


def _report(outcome: IngestResult | KillResult, json_path: Path | None) -> None:
    """The table on stdout, and the figures as JSON where --json asks for them."""
    print(outcome.table())
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(outcome.to_json(), indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
