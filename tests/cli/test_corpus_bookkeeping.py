"""What an ingest must know of every article (where each slug was first read, a folder's file
names in order) is kept in temporary tables of its transaction, not in memory: the duplicate-slug
check, input order and the prune behave the same whether a slug was seen in the same slice of
articles or thousands of articles earlier (the slices are made tiny here to cross them)."""

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import cli
from app.ingest import loader, scratch
from tests.cli.test_bad_input import ACTORS, write
from tests.conftest import Probe

GOOD = "BAKU, March 31. Iran and Azerbaijan talked, officials said.\n"


@pytest.fixture(params=[2, 500], ids=["slices-of-2", "slices-of-500"])
def slice_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Articles looked up together, and file names read back per query."""
    size = int(request.param)
    monkeypatch.setattr(loader, "_CLAIM_SLICE", size)
    monkeypatch.setattr(scratch, "_READ_SLICE", size)
    return size


@pytest.fixture
def seeded_db(seeded_url: str) -> Probe:
    return Probe(seeded_url)


def source_slugs_in_id_order(probe: Probe) -> list[str]:
    engine = create_engine(probe.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug FROM source ORDER BY id"))
            return [str(slug) for slug in rows.scalars()]
    finally:
        engine.dispose()


def ingest_bad(probe: Probe, capsys: pytest.CaptureFixture[str], *paths: Path) -> list[str]:
    before = probe.fingerprint()
    assert cli.main(["ingest", *map(str, paths)]) == 1
    assert probe.fingerprint() == before, "a failed ingest changed the database"
    return capsys.readouterr().err.splitlines()


def test_duplicate_slugs_are_found_across_slices_and_paths_naming_both_files(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str], slice_size: int
) -> None:
    articles = tmp_path / "corpus" / "articles"
    first = write(articles, "a.txt", "---\nslug: talks\n---\n" + GOOD)
    other_b = write(articles, "b.txt", GOOD)
    for name in ("c", "d", "e", "f"):
        write(articles, f"{name}.txt", f"{GOOD}({name})\n")
    again = write(articles, "talks.txt", GOOD)  # its slug, from its name, is a.txt's
    # A second path on the command line claiming a slug of the first.
    elsewhere = write(tmp_path / "more", "x.txt", "---\ntitle: T\nslug: b\n---\n" + GOOD)
    errors = ingest_bad(seeded_db, capsys, tmp_path / "corpus", tmp_path / "more")
    assert errors == [
        f"{again}:1: duplicate source slug 'talks' (first at {first}:2)",
        f"{elsewhere}:3: duplicate source slug 'b' (first at {other_b}:1)",
    ]


def test_a_file_named_twice_is_loaded_once(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str], slice_size: int
) -> None:
    articles = tmp_path / "corpus" / "articles"
    for name in ("a", "b", "c", "d", "e"):
        write(articles, f"{name}.txt", f"{GOOD}({name})\n")
    before = len(source_slugs_in_id_order(seeded_db))
    paths = [tmp_path / "corpus", articles / "a.txt", articles / "e.txt"]
    assert cli.main(["ingest", *map(str, paths)]) == 0, capsys.readouterr().err
    assert source_slugs_in_id_order(seeded_db)[before:] == ["a", "b", "c", "d", "e"]


def test_a_folder_is_read_in_name_order_whatever_the_names(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str], slice_size: int
) -> None:
    """Sources are stored (ids given) in the order `sorted()` gives the file names, non-ASCII
    names and a name that is not valid UTF-8 included."""
    articles = tmp_path / "corpus" / "articles"
    articles.mkdir(parents=True)
    names = ["b.txt", "a.txt", "B.txt", "10.txt", "9.txt", "é.txt", "z.txt", "日本.txt"]
    names += ["ä.txt", "a b.txt", os.fsdecode(b"\xff-latin.txt"), "\U0001f600.txt"]
    random.Random(4).shuffle(names)  # written out of order
    for index, name in enumerate(names):
        content = f"---\nslug: s{index:02d}\n---\n{GOOD}({index})\n"
        (articles / name).write_text(content, encoding="utf-8")
    before = len(source_slugs_in_id_order(seeded_db))
    assert cli.main(["ingest", str(tmp_path / "corpus")]) == 0, capsys.readouterr().err
    expected = [f"s{names.index(name):02d}" for name in sorted(names)]
    assert source_slugs_in_id_order(seeded_db)[before:] == expected


def test_prune_keeps_every_slug_read_whatever_the_slice(
    tmp_path: Path, db: Probe, capsys: pytest.CaptureFixture[str], slice_size: int
) -> None:
    articles = tmp_path / "corpus" / "articles"
    for index in range(8):
        write(articles, f"a{index}.txt", f"{GOOD}({index})\n")
    bulk = "".join(f'{{"slug": "row-{i}", "text": "{GOOD.strip()} ({i})"}}\n' for i in range(4))
    write(articles, "rows.jsonl", bulk)
    assert cli.main(["ingest", str(tmp_path / "corpus")]) == 0
    (articles / "a3.txt").unlink()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", str(tmp_path / "corpus")]) == 0
    out = capsys.readouterr().out
    assert "prune: delete 1 of 12 sources (8%)" in out, out
    assert "  source a3" in out, out
    kept = [f"a{i}" for i in range(8) if i != 3] + [f"row-{i}" for i in range(4)]
    assert sorted(source_slugs_in_id_order(db)) == sorted(kept)


@pytest.fixture
def ingest_lock_held(seeded_url: str) -> Iterator[None]:
    """PostgreSQL: another ingest holds the ingest's advisory lock. (On SQLite the CLI's own
    migrations check already waits for any writer, so there is nothing to hold there.)"""
    if seeded_url.startswith("sqlite"):
        yield
        return
    engine = create_engine(seeded_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(8731246)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(8731246)"))
    finally:
        engine.dispose()


def test_input_bad_up_front_is_reported_whole_without_waiting_for_another_ingest(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    ingest_lock_held: None,
) -> None:
    """Bad curated YAML is known before anything is written: the articles are still read
    for their problems (duplicate slugs across slices included), outside the database."""
    corpus = tmp_path / "corpus"
    bad = ACTORS.replace("  country: AZE\n", "  country: AZE\n  colour: red\n")
    actors = write(corpus, "actors.yaml", bad)
    first = write(corpus / "articles", "a.txt", "---\nslug: talks\n---\n" + GOOD)
    for name in ("b", "c", "d"):
        write(corpus / "articles", f"{name}.txt", f"{GOOD}({name})\n")
    again = write(corpus / "articles", "talks.txt", GOOD)
    # Its own process, as a user runs it (a thread cannot run the CLI's migrations check).
    done = subprocess.run(
        [sys.executable, "-m", "app", "ingest", str(corpus)],
        env={**os.environ, "DATABASE_URL": seeded_db.url},
        capture_output=True,
        text=True,
        timeout=60,  # a wait for the lock would last forever
    )
    assert done.returncode == 1, done.stderr
    errors = done.stderr.splitlines()
    assert len(errors) == 2, errors
    assert errors[0].startswith(f"{actors}:9: colour: Extra inputs are not permitted"), errors
    assert errors[1] == f"{again}:1: duplicate source slug 'talks' (first at {first}:2)"
