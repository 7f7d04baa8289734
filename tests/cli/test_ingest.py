"""`incidentdb ingest`, through the CLI, on SQLite and PostgreSQL."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import cli
from tests.conftest import SEEDS, Probe

STATEMENT_IDS_OF = (
    'SELECT s.id, s.start, s."end", s.text FROM statement s JOIN source o ON o.id = s.source_id '
    "WHERE o.slug = '{slug}' ORDER BY s.start"
)


def copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def test_ingest_loads_the_seeds_and_prints_a_summary(
    db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest"]) == 0
    out = capsys.readouterr().out
    counts = db.counts()
    assert counts["source"] == 5
    assert counts["actor"] >= 30
    assert counts["incident"] >= 15
    assert counts["statement"] > 0
    assert counts["mention"] > 0
    assert out.startswith(
        f"ingested 5 sources, {counts['actor']} actors, {counts['incident']} incidents"
    )


def test_articles_are_stored_byte_for_byte(db: Probe) -> None:
    assert cli.main(["ingest"]) == 0
    for article in sorted((SEEDS / "articles").glob("*.txt")):
        stored = db.scalar(f"SELECT text FROM source WHERE slug = '{article.stem}'")
        assert stored == article.read_bytes().decode("utf-8")


def test_ingesting_twice_changes_nothing(db: Probe, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest"]) == 0
    before = db.fingerprint()
    assert cli.main(["ingest"]) == 0
    assert db.fingerprint() == before
    assert "no changes" in capsys.readouterr().out.splitlines()[-1]


def test_editing_one_incident_updates_it_in_place(db: Probe, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    assert cli.main(["ingest", str(seeds)]) == 0
    slug = db.scalar("SELECT slug FROM incident ORDER BY id LIMIT 1")
    incident_id = db.scalar(f"SELECT id FROM incident WHERE slug = '{slug}'")
    incidents = seeds / "incidents.yaml"
    lines = incidents.read_text(encoding="utf-8").splitlines(keepends=True)
    title_line = next(
        i
        for i, line in enumerate(
            lines[lines.index(f"- slug: {slug}\n") :], lines.index(f"- slug: {slug}\n")
        )
        if line.startswith("  title:")
    )
    lines[title_line] = "  title: An edited title\n"
    incidents.write_text("".join(lines), encoding="utf-8")
    # The change feed grows by design (one version, one change); every other table must not.
    feed = ("change", "data_version")
    before = {t: n for t, n in db.counts().items() if t not in feed}
    assert cli.main(["ingest", str(seeds)]) == 0
    assert {t: n for t, n in db.counts().items() if t not in feed} == before
    assert db.scalar("SELECT id FROM incident WHERE title = 'An edited title'") == incident_id
    newest = "(SELECT max(number) FROM data_version)"
    assert db.scalar(f"SELECT count(*) FROM change WHERE version = {newest}") == 1
    what = f"SELECT kind || ':' || slug || ':' || op FROM change WHERE version = {newest}"
    assert db.scalar(what) == f"incident:{slug}:updated"


def test_editing_an_article_keeps_the_ids_of_unchanged_quotes(db: Probe, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    assert cli.main(["ingest", str(seeds)]) == 0
    article = sorted((seeds / "articles").glob("*.txt"))[1]
    before = db.rows(STATEMENT_IDS_OF.format(slug=article.stem))
    assert len(before) >= 2, "the edited article must have statements of its own"
    # Appending a paragraph shifts nothing before it: existing statements keep their rows.
    with article.open("a", encoding="utf-8", newline="") as fh:
        fh.write('\n\n"We will answer every question," the spokesman said.\n')
    assert cli.main(["ingest", str(seeds)]) == 0
    after = db.rows(STATEMENT_IDS_OF.format(slug=article.stem))
    ids_after = {(start, end, quote): id_ for id_, start, end, quote in after}
    for id_, start, end, quote in before:
        assert ids_after.pop((start, end, quote)) == id_, quote
    (added,) = ids_after
    assert added[2] == "We will answer every question,"
    assert db.scalar("SELECT count(*) FROM source") == 5


def test_a_single_article_file_can_be_ingested(db: Probe, tmp_path: Path) -> None:
    assert cli.main(["ingest"]) == 0
    article = tmp_path / "Breaking News.txt"
    article.write_text(
        'Iran and Azerbaijan held talks.\n\n"We are neighbours," Velayati said.\n', encoding="utf-8"
    )
    assert cli.main(["ingest", str(article)]) == 0
    assert db.scalar("SELECT count(*) FROM source WHERE slug = 'breaking-news'") == 1


def test_reingest_refolds_alias_keys_written_by_an_older_folding(db: Probe) -> None:
    # Before names folded ş as "sh", Pezeşkian was stored under the key 'pezeskian'.
    assert cli.main(["ingest"]) == 0
    engine = create_engine(db.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE actor_alias SET key = 'pezeskian' WHERE alias = 'Pezeşkian'"))
    engine.dispose()
    assert cli.main(["ingest"]) == 0
    assert db.scalar("SELECT key FROM actor_alias WHERE alias = 'Pezeşkian'") == "pezeshkian"
    assert db.scalar("SELECT count(*) FROM actor_alias WHERE key = 'pezeskian'") == 0


def _search_index_problem(url: str) -> str | None:
    """FTS5's own check of source_fts against the source table (SQLite), or None."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO source_fts(source_fts, rank) VALUES ('integrity-check', 1)")
            )
    except Exception as exc:  # noqa: BLE001 - the message is the finding
        return str(exc)
    finally:
        engine.dispose()
    return None


def test_every_source_is_searchable_after_inserts_edits_and_prunes(
    db: Probe, tmp_path: Path
) -> None:
    # Sources enter the search index once extracted (migration 0013): what an ingest commits
    # must be searchable, and the index must hold exactly the stored titles and texts.
    if not db.url.startswith("sqlite"):
        pytest.skip("source_fts is SQLite's; PostgreSQL computes its search column itself")
    from app.main import create_app
    from app.settings import Settings
    from tests.inprocess import AppClient

    seeds = copy_seeds(tmp_path)
    assert cli.main(["ingest", str(seeds)]) == 0
    assert _search_index_problem(db.url) is None
    article = sorted((seeds / "articles").glob("*.txt"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nZanzibarquux.\n", "utf-8")
    (seeds / "articles" / "zz-extra.txt").write_text(
        "Officials met in Quuxlandia on Tuesday.\n", encoding="utf-8"
    )
    assert cli.main(["ingest", str(seeds)]) == 0
    assert _search_index_problem(db.url) is None
    with AppClient(create_app(Settings(database_url=db.url))) as client:
        for word, slug in (("Zanzibarquux", article.stem), ("Quuxlandia", "zz-extra")):
            found = client.get("/sources", params={"q": word}).json()["items"]
            assert [s["slug"] for s in found] == [slug]
        titled = client.get("/sources", params={"limit": 50}).json()["items"]
    title_words = [s["title"].split()[0] for s in titled if s["title"]]
    assert title_words, "the seeds' sources have titles"
    (seeds / "articles" / "zz-extra.txt").unlink()
    assert cli.main(["ingest", "--prune", "--yes", str(seeds)]) == 0
    assert _search_index_problem(db.url) is None
    with AppClient(create_app(Settings(database_url=db.url))) as client:
        assert client.get("/sources", params={"q": "Quuxlandia"}).json()["items"] == []
        for word in title_words:
            assert client.get("/sources", params={"q": word}).json()["items"], word


def _fts_structures(url: str) -> dict[str, bytes]:
    """Each FTS5 index's structure record (its segments), as FTS5 stores it."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(
                    text(f"SELECT block FROM {table}_data WHERE id = 10")
                ).scalar_one()
                for table in ("source_fts",)
            }
    finally:
        engine.dispose()


def test_an_ingest_that_writes_a_tenth_of_the_rows_leaves_its_search_index_in_one_segment(
    db: Probe, tmp_path: Path
) -> None:
    if not db.url.startswith("sqlite"):
        pytest.skip("FTS5 is SQLite's")
    assert cli.main(["ingest"]) == 0
    article = tmp_path / "Border talks.txt"
    article.write_text(
        'Iran and Azerbaijan held border talks.\n\n"We are neighbours," Velayati said.\n',
        encoding="utf-8",
    )
    # One source in six: its index is compacted (its one statement in many is not).
    assert cli.main(["ingest", str(article)]) == 0
    compacted = _fts_structures(db.url)
    engine = create_engine(db.url)
    try:
        with engine.begin() as conn:
            for table in compacted:
                conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    finally:
        engine.dispose()
    # Merging an index already in one segment changes nothing.
    assert _fts_structures(db.url) == compacted
