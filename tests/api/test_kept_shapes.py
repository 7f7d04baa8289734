"""What shapes a list's statement is kept per data version (app/db/versions.py's
KeptPerDataVersion): asked once, not on every request, and asked again after an ingest, whose
new rows the next answer holds."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.incidents.repository import IncidentRepository
from app.main import create_app
from app.settings import Settings
from app.sources.repository import SourceRepository
from app.statements.repository import StatementRepository
from tests.api.conftest import incident
from tests.api.test_kept_responses import counted_statements
from tests.inprocess import AppClient

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _participation_counts(statements: list[str]) -> list[str]:
    """The statements that count how often actors take part (`participations`): a count of
    their participant entries up to a cap, not a list's total."""
    return [
        s
        for s in statements
        if "count(*)" in s and "FROM incident_participant" in s and "LIMIT" in s
    ]


def test_an_actors_participations_are_counted_once_per_data_version(
    mini: AppClient, mini_seeds: Path
) -> None:
    path = "/incidents?actor=Iran"
    with counted_statements(mini) as first_run:
        first = mini.get(path)
    assert first.status_code == 200 and _participation_counts(first_run)
    with counted_statements(mini) as again_run:
        again = mini.get(path)
    assert _participation_counts(again_run) == []
    assert again.content == first.content

    incidents = mini_seeds / "incidents.yaml"
    new = incident("border-talks", "2025-02-03", [("iran", "participant")])
    incidents.write_text(incidents.read_text(encoding="utf-8") + new, encoding="utf-8")
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    with counted_statements(mini) as after_run:
        after = mini.get(path).json()
    assert _participation_counts(after_run), "a new data version is counted again"
    assert after["items"][0]["slug"] == "border-talks"
    assert after["total"] == first.json()["total"] + 1


ARTICLE = """Tehran warns of border tensions

TEHRAN, March 3, 2025. Iran's foreign ministry spoke on Monday about the border.

"We will not accept foreign forces anywhere near our northern border," Nasser Kanani said.
"""


def test_a_kept_page_follows_the_next_ingest(database_url: str, tmp_path: Path) -> None:
    """`min_confidence` on SQLite lists the ids it keeps (StatementRepository.confident):
    a page's statement kept past an ingest would miss the new statements."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    assert cli.main(["ingest", str(seeds)]) == 0
    path = "/statements?min_confidence=0.5&limit=200"
    with AppClient(create_app(Settings(database_url=database_url))) as http:
        before = http.get(path).json()
        assert before["items"] and http.get(path).json() == before
        (seeds / "articles" / "zz-border.txt").write_text(ARTICLE, encoding="utf-8")
        assert cli.main(["ingest", str(seeds)]) == 0
        after = http.get(path).json()
    new = [s for s in after["items"] if s["text"].startswith("We will not accept foreign")]
    assert len(new) == 1, [s["text"] for s in after["items"][:5]]
    assert after["total"] == before["total"] + 1


def test_a_searchs_statements_are_built_once_per_words_and_data_version(
    mini: AppClient, mini_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's statements are kept by its words (built for every request, they were a
    tenth of a search page's CPU at 1M) and built again for other words and after an ingest,
    whose new rows the next answer holds."""
    built: list[str | None] = []
    build_incidents = IncidentRepository._built_where
    build_statements = StatementRepository._filtered

    def counted_incidents(self: IncidentRepository, stmt: Any, f: Any, *a: Any, **kw: Any) -> Any:
        built.append(f.q)
        return build_incidents(self, stmt, f, *a, **kw)

    def counted_statements(self: StatementRepository, f: Any, *a: Any, **kw: Any) -> Any:
        built.append(f.q)
        return build_statements(self, f, *a, **kw)

    monkeypatch.setattr(IncidentRepository, "_built_where", counted_incidents)
    monkeypatch.setattr(StatementRepository, "_filtered", counted_statements)
    path = "/incidents?q=talks&actor=Iran&sort=-date"
    first = mini.get(path)
    assert first.status_code == 200 and "talks" in built
    assert [i["slug"] for i in first.json()["items"]] == ["talks-c", "talks-a"]
    built.clear()
    assert mini.get(path).content == first.content
    assert built == [], "the incidents' search is built once, then kept"
    assert mini.get("/statements?q=talks").status_code == 200
    assert mini.get("/statements?q=talks").status_code == 200
    assert built.count("talks") == 1, "the statements' search is built once, then kept"
    assert mini.get("/incidents?q=embassy&actor=Iran").json()["items"][0]["slug"] == (
        "embassy-attack"
    )
    assert "embassy" in built, "other words: another statement"

    incidents = mini_seeds / "incidents.yaml"
    new = incident("talks-d", "2025-02-03", [("iran", "participant")])
    incidents.write_text(incidents.read_text(encoding="utf-8") + new, encoding="utf-8")
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    built.clear()
    after = mini.get(path).json()
    assert "talks" in built, "a new data version builds the statements again"
    assert [i["slug"] for i in after["items"]] == ["talks-d", "talks-c", "talks-a"]


def test_a_source_lists_statements_are_built_once_per_filters(
    mini: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source list's statements (its page's and its count's) are kept per data version by
    its filters: built for the first request, not for the same filters again."""
    built: list[str] = []
    build_page, build_count = SourceRepository._filtered, SourceRepository._counted

    def counted_page(self: SourceRepository, *args: Any, **kwargs: Any) -> Any:
        built.append("page")
        return build_page(self, *args, **kwargs)

    def counted_count(self: SourceRepository, *args: Any, **kwargs: Any) -> Any:
        built.append("count")
        return build_count(self, *args, **kwargs)

    monkeypatch.setattr(SourceRepository, "_filtered", counted_page)
    monkeypatch.setattr(SourceRepository, "_counted", counted_count)
    first = mini.get("/sources?actor=Iran&date_from=2020-01-01")
    assert first.status_code == 200 and "page" in built and "count" in built
    built.clear()
    assert mini.get("/sources?actor=Iran&date_from=2020-01-01").content == first.content
    assert built == [], "kept"
    assert mini.get("/sources?actor=Iran&date_from=2021-01-01").status_code == 200
    assert "page" in built, "other filters: other statements"
