"""A small hand-made dataset whose every answer is known, for exact filter and paging tests."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import Databases
from tests.inprocess import AppClient

MINI_ACTORS = """\
- slug: iran
  name: Iran
  kind: state
  country: IRN
  demonyms: [Iranian]
  metonyms: [Tehran]
- slug: azerbaijan
  name: Azerbaijan
  kind: state
  country: AZE
- slug: russia
  name: Russia
  kind: state
  country: RUS
- slug: iran-foreign-ministry
  name: Ministry of Foreign Affairs of Iran
  kind: organization
  country: IRN
  aliases: [Iranian Foreign Ministry]
  affiliation: iran
- slug: nasser-kanani
  name: Nasser Kanani
  kind: person
  country: IRN
  title: Spokesman of the Iranian Foreign Ministry
  aliases: [Nasser Kanaani, Nasir Kenani]
  affiliation: iran-foreign-ministry
- slug: masoud-pezeshkian
  name: Masoud Pezeshkian
  kind: person
  country: IRN
  title: President of Iran
  aliases: [Masoud Pezeşkian]
  affiliation: iran
"""


def incident(slug: str, date_start: str, participants: list[tuple[str, str]], **extra: str) -> str:
    lines = [
        f"- slug: {slug}",
        f"  title: {extra.get('title', slug.replace('-', ' ').capitalize())}",
        f"  summary: {extra.get('summary', 'A test incident.')}",
        f"  type: {extra.get('type', 'consultation')}",
        f"  date_start: {date_start}",
    ]
    if "date_end" in extra:
        lines.append(f"  date_end: {extra['date_end']}")
        lines.append(f"  date_precision: {extra.get('date_precision', 'day')}")
    if "country" in extra:
        lines.append(f"  location: {{country: {extra['country']}, place: Somewhere}}")
    lines.append("  participants:")
    lines += [f"    - {{actor: {a}, role: {r}}}" for a, r in participants]
    return "\n".join(lines) + "\n"


MINI_INCIDENTS = "".join(
    [
        # Only Iranian participant: the ministry's spokesman (a state matches its officials).
        incident(
            "spokesman-accuses-azerbaijan",
            "2023-04-17",
            [("nasser-kanani", "initiator"), ("azerbaijan", "target")],
            type="accusation",
            summary="The spokesman accused Baku of hosting foreign forces.",
        ),
        incident(
            "embassy-attack",
            "2023-01-27",
            [("iran", "initiator"), ("azerbaijan", "target")],
            type="attack",
            country="IRN",
            title="Attack on the embassy in Tehran",
        ),
        # Three incidents on one day: the cursor walk must keep them apart by id.
        incident("talks-a", "2023-03-29", [("iran", "participant"), ("russia", "mediator")]),
        incident("talks-b", "2023-03-29", [("azerbaijan", "participant"), ("russia", "mediator")]),
        incident("talks-c", "2023-03-29", [("iran", "participant"), ("azerbaijan", "participant")]),
        # Spans the end of 2022: inside a window that starts on 2023-01-01.
        incident(
            "winter-drills",
            "2022-12-20",
            [("iran", "initiator")],
            type="exercise",
            date_end="2023-01-05",
            country="IRN",
        ),
        incident(
            "president-meets-envoy",
            "2024-10-14",
            [("masoud-pezeshkian", "participant"), ("azerbaijan", "participant")],
        ),
        incident(
            "old-visit", "2021-06-01", [("russia", "participant"), ("azerbaijan", "participant")]
        ),
    ]
)


def write_mini_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.yaml").write_text(MINI_ACTORS, encoding="utf-8")
    (folder / "incidents.yaml").write_text(MINI_INCIDENTS, encoding="utf-8")
    return folder


@pytest.fixture
def mini_seeds(tmp_path: Path) -> Path:
    return write_mini_seeds(tmp_path / "mini")


def retitle_and_ingest(mini_seeds: Path) -> None:
    """An ingest that changes one incident of the mini dataset (its title): a new data
    version."""
    incidents = mini_seeds / "incidents.yaml"
    incidents.write_text(
        incidents.read_text(encoding="utf-8").replace(
            "title: Spokesman accuses azerbaijan", "title: The spokesman accuses Baku"
        ),
        encoding="utf-8",
    )
    assert cli.main(["ingest", str(mini_seeds)]) == 0


@pytest.fixture
def mini_url(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, mini_seeds: Path
) -> Iterator[str]:
    """A fresh database holding only the mini dataset, ingested from files equal to
    `mini_seeds` (copied from a template: an ingest per test cost ~15 s of the suite a
    backend); DATABASE_URL points at it."""
    if "mini" not in databases.seeds:
        databases.seeds["mini"] = write_mini_seeds(databases.workdir / "mini-seeds")
    url = databases.fresh("mini")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    databases.release(url)


@pytest.fixture
def mini(mini_url: str) -> Iterator[AppClient]:
    """A client over a fresh database holding only the mini dataset."""
    with AppClient(create_app(Settings(database_url=mini_url))) as client:
        yield client


def first_two_pages(client: AppClient, queries: list[str]) -> list[tuple[Any, Any]]:
    """Each query's first page and, where there is one, its second (after its cursor)."""
    answers = []
    for query in queries:
        first = client.get(query)
        assert first.status_code == 200, (query, first.text)
        cursor = first.json()["next_cursor"]
        second = client.get(query, params={"cursor": cursor}).json() if cursor else None
        answers.append((first.json(), second))
    return answers


def assert_same_pages(
    queries: list[str],
    expected: list[tuple[Any, Any]],
    answered: list[tuple[Any, Any]],
    *,
    broad: int,
) -> None:
    """Each query's pages (`first_two_pages`) as expected, and the expected ones varied enough
    to tell two ways apart: more than `broad` with over 20 matches, more than 10 empty, more
    than 20 with a second page."""
    firsts = [first for first, _ in expected]
    assert sum(first["total"] > 20 for first in firsts) > broad
    assert sum(first["total"] == 0 for first in firsts) > 10
    assert sum(second is not None for _, second in expected) > 20
    for query, wanted, got in zip(queries, expected, answered, strict=True):
        assert got == wanted, query


def slugs(response_json: dict[str, object]) -> list[str]:
    return [item["slug"] for item in response_json["items"]]  # type: ignore[attr-defined, index]


@pytest.fixture
def pg_seeded_url(seeded_url: str, backend: str) -> str:
    """`seeded_url` on PostgreSQL; a test that takes it is skipped on SQLite."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    return seeded_url


def libpq_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg connects to it (with its password)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def generated_incidents(databases: Databases) -> Iterator[str]:
    """A database of bench.generate's 4,000 incidents (1995-2025) and their actors, with
    officials and bodies: one for each test module that asks."""
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=4000, seed=11, postings=False)
    yield url
    databases.release(url)


@pytest.fixture(scope="module")
def generated_with_postings(databases: Databases) -> Iterator[str]:
    """bench.generate's 3,000 incidents (and their statements and sources) with relevance
    postings, and on PostgreSQL every row, for every word in 40 rows or more: one for each
    test module that asks."""
    from bench.generate import generate

    url = databases.fresh("empty")
    with pytest.MonkeyPatch.context() as patched:
        patched.setenv("INCIDENTDB_SEARCH_POSTINGS_MIN_MATCHES", "40")
        patched.setenv("INCIDENTDB_SEARCH_POSTINGS_DEPTH", "100")
        generate(url, incidents=3000, seed=7)
    yield url
    databases.release(url)
