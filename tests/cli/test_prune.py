"""`ingest --prune`: the database made to match its inputs, on request only, plan first."""

import shutil
from pathlib import Path

import pytest

from app import cli
from tests.conftest import Probe

CORPUS = Path(__file__).parent / "prune_corpus"


@pytest.fixture
def corpus(tmp_path: Path, db: Probe) -> Path:
    """Five actors, four incidents, five articles (each quoting a speaker), ingested."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    assert cli.main(["ingest", str(folder)]) == 0
    return folder


def all_slugs(db: Probe, table: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            return {str(s) for s in conn.execute(text(f"SELECT slug FROM {table}")).scalars()}
    finally:
        engine.dispose()


def remove_one_of_each(folder: Path) -> None:
    """An article nothing cites, an incident and an actor nothing else names."""
    (folder / "articles" / "a2.txt").unlink()
    actors = (folder / "actors.yaml").read_text(encoding="utf-8")
    (folder / "actors.yaml").write_text(actors[: actors.index("- slug: georgia")])
    incidents = (folder / "incidents.yaml").read_text(encoding="utf-8")
    start, end = incidents.index("- slug: visit-2023"), incidents.index("- slug: border-2023")
    (folder / "incidents.yaml").write_text(incidents[:start] + incidents[end:])


def test_without_prune_nothing_is_deleted(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.counts()
    remove_one_of_each(corpus)
    assert cli.main(["ingest", str(corpus)]) == 0
    assert db.counts() == before
    assert "prune" not in capsys.readouterr().out


def test_prune_deletes_what_the_inputs_no_longer_hold_and_prints_the_plan_first(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "dariush-karimi" in all_slugs(db, "actor")  # the speaker quoted in a2 only
    remove_one_of_each(corpus)
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", str(corpus)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("prune: delete 1 of 5 sources (20%), 1 of 4 incidents (25%), ")
    assert out[1:4] == ["  source a2", "  incident visit-2023", "  actor georgia"]
    assert out[-1].startswith("ingested 4 sources")
    assert all_slugs(db, "source") == {"a1", "a3", "a4", "a5"}
    assert all_slugs(db, "incident") == {"talks-2023", "drills-2023", "border-2023"}
    actors = all_slugs(db, "actor")
    assert "georgia" not in actors and {"iran", "azerbaijan", "armenia", "turkey"} <= actors
    # The extracted speaker nothing refers to any more goes too.
    assert "dariush-karimi" not in actors
    assert db.scalar("SELECT count(*) FROM statement") == 4
    # Nothing dangles: every mention and statement belongs to a kept source.
    orphaned = "SELECT count(*) FROM mention WHERE source_id NOT IN (SELECT id FROM source)"
    assert db.scalar(orphaned) == 0
    # A second prune over the same inputs has nothing left to do.
    before = db.fingerprint()
    assert cli.main(["ingest", "--prune", str(corpus)]) == 0
    assert capsys.readouterr().out.startswith("prune: nothing to delete\n")
    assert db.fingerprint() == before


def test_dry_run_prints_the_plan_and_writes_nothing(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    remove_one_of_each(corpus)
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", "--dry-run", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "  source a2\n" in out and "dry run: nothing written" in out
    assert db.fingerprint() == before


def test_prune_of_more_than_a_quarter_is_refused_without_yes(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a2.txt", "a3.txt"):  # 2 of 5 sources, 2 of 5 statements
        (corpus / "articles" / name).unlink()
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", str(corpus)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("prune: delete 2 of 5 sources (40%)")
    assert err.startswith("prune refused: it would delete 40% of the sources (2 of 5)")
    assert "--yes" in err
    assert db.fingerprint() == before
    assert cli.main(["ingest", "--prune", "--yes", str(corpus)]) == 0
    assert all_slugs(db, "source") == {"a1", "a4", "a5"}


def test_the_share_refused_is_of_the_sources_there_were_not_those_the_run_adds(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    # Articles are written before the plan is made: the new ones must not dilute the share
    # (2 of the 5 sources there were is 40%, not 2 of 5 + 10).
    for name in ("a2.txt", "a3.txt"):
        (corpus / "articles" / name).unlink()
    for i in range(10):
        (corpus / "articles" / f"new{i}.txt").write_text(f"A new article, number {i}.\n")
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", str(corpus)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("prune: delete 2 of 5 sources (40%)")
    assert err.startswith("prune refused: it would delete 40% of the sources (2 of 5)")
    assert db.fingerprint() == before


@pytest.mark.parametrize("make", ["empty", "missing"])
def test_prune_over_an_empty_or_missing_folder_is_refused(
    make: str, corpus: Path, tmp_path: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nothing-here"
    if make == "empty":
        target.mkdir()
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", "--yes", str(target)]) == 1
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith(f"{target}:1: ")
    assert ("nothing to ingest" if make == "empty" else "no such file or folder") in error
    assert db.fingerprint() == before


def test_prune_refuses_inputs_that_still_cite_what_it_would_delete(
    corpus: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "articles" / "a1.txt").unlink()  # talks-2023 still cites it
    before = db.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", "--prune", str(corpus)]) == 1
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith(f"{corpus / 'incidents.yaml'}:7: unknown source 'a1'")
    assert db.fingerprint() == before
