"""`incidentdb ingest --workers N`: extraction in processes stores exactly what one process does."""

import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app import cli
from tests.conftest import SEEDS, Databases, Probe

# More articles than two workers' first tasks (2 x parallel.CHUNK), so the pool is used.
COPIES_PER_SEED_ARTICLE = 9

# Everything extraction decides, with ids: equal lists mean the same rows in the same order.
STORED = {
    "statement": 'SELECT id, source_id, start, "end", text, speaker_text, speaker_id, said_on, '
    "incident_id, attribution_method, attribution_confidence, attribution_evidence, "
    "search_text FROM statement ORDER BY id",
    "mention": 'SELECT id, source_id, actor_id, start, "end", text FROM mention ORDER BY id',
    "actor": "SELECT id, slug, name, kind, country, title, affiliation_id, origin, search_text "
    "FROM actor ORDER BY id",
    "source": "SELECT id, slug, title, publisher, published_on, duplicate_of, signature, "
    "extraction_key FROM source ORDER BY id",
    "change": "SELECT kind, row_id, op FROM change ORDER BY kind, row_id",
}


NAMES = ["Okafor", "Adeyemi", "Balogun", "Eze", "Nwosu", "Obi", "Okoye", "Uche", "Bello"]


def write_corpus(folder: Path) -> Path:
    """The seed articles, each copied with its own closing paragraph and speaker."""
    articles = folder / "articles"
    articles.mkdir(parents=True)
    seeds = sorted((SEEDS / "articles").glob("*.txt"))
    for copy in range(COPIES_PER_SEED_ARTICLE):
        for article in seeds:
            text = article.read_text(encoding="utf-8")
            # A speaker the curated actors do not know, one per copy: extraction creates it.
            closing = (
                f'\n\n"We will answer this in our own time, round {copy}," said '
                f"Daniel {NAMES[copy]}, a spokesman for the Nigerian foreign ministry.\n"
            )
            (articles / f"{article.stem}-copy-{copy}.txt").write_text(
                text + closing, encoding="utf-8"
            )
    return folder


def ingest_with(workers: int, url: str, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Probe:
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli.main(["ingest", "--quiet", "--workers", str(workers), str(SEEDS), str(corpus)]) == 0
    return Probe(url)


def test_two_workers_store_exactly_what_one_worker_stores(
    databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    serial = ingest_with(1, databases.fresh("empty"), corpus, monkeypatch)
    parallel = ingest_with(2, databases.fresh("empty"), corpus, monkeypatch)
    for table, sql in STORED.items():
        assert parallel.rows(sql) == serial.rows(sql), f"{table} differs with 2 workers"
    # Not vacuous: the corpus produced statements with speakers, mentions and new actors.
    assert len(serial.rows(STORED["statement"])) > 5 * COPIES_PER_SEED_ARTICLE
    assert serial.scalar("SELECT count(*) FROM statement WHERE speaker_id IS NOT NULL")
    assert serial.scalar("SELECT count(*) FROM actor WHERE origin = 'extracted'")
    assert serial.scalar("SELECT count(*) FROM source WHERE duplicate_of IS NOT NULL")


def test_re_ingest_with_workers_changes_nothing(
    db: Probe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert cli.main(["ingest", "--quiet", "--workers", "2", str(SEEDS), str(corpus)]) == 0
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--quiet", "--workers", "2", str(SEEDS), str(corpus)]) == 0
    assert db.fingerprint() == before
    assert "0 sources extracted, no changes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "auto_from", "pool"),
    [
        ([], 1_000, 1),  # 45 articles: a pool would cost more than it saves
        ([], 40, os.cpu_count() or 1),  # as many articles as the threshold: one per CPU
        (["--workers", "2"], 1_000, 2),  # asked for: used as soon as each has a task
        (["--workers", "1"], 40, 1),
    ],
    ids=["auto-few", "auto-many", "asked-2", "asked-1"],
)
def test_workers_start_only_when_asked_or_when_the_articles_repay_them(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    auto_from: int,
    pool: int,
) -> None:
    from app.ingest import parallel, pipeline

    corpus = write_corpus(tmp_path / "corpus")
    started: list[int] = []
    extract_in_order = parallel.extract_in_order

    def recording(jobs: Any, known: Any, workers: int) -> Any:
        started.append(workers)
        return extract_in_order(jobs, known, workers)

    monkeypatch.setattr(parallel, "extract_in_order", recording)
    monkeypatch.setattr(pipeline, "AUTO_WORKERS_FROM", auto_from)
    assert cli.main(["ingest", "--quiet", *args, str(SEEDS), str(corpus)]) == 0
    assert started == [pool]


def test_workers_must_be_a_positive_number(db: Probe, capsys: pytest.CaptureFixture[str]) -> None:
    before = db.fingerprint()
    assert cli.main(["ingest", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "--workers" in err and "Traceback" not in err
    assert db.fingerprint() == before


def run_on_a_terminal(args: list[str], url: str) -> str:
    """`python -m app ARGS` with stdout and stderr on a pseudo-terminal; what it showed."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "160", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args], stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(controller)
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")


def test_a_terminal_shows_a_progress_bar_with_rate_and_time_left(
    database_url: str, tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    shown = run_on_a_terminal(["ingest", "--workers", "1", str(SEEDS), str(corpus)], database_url)
    assert "extracting" in shown
    assert "articles/s" in shown
    assert "left" in shown
    assert "ingested 50 sources" in shown


def test_quiet_shows_no_progress_bar_even_on_a_terminal(database_url: str, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    shown = run_on_a_terminal(
        ["ingest", "--quiet", "--workers", "1", str(SEEDS), str(corpus)], database_url
    )
    assert "extracting" not in shown
    assert "ingested 50 sources" in shown
