"""One actor per person: titles are not names, and the same person named again (by surname,
with accents, transliterated, in a later ingest) is the same actor."""

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.kit.names import match_key
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS, Probe
from tests.inprocess import AppClient

HELDOUT = Path(__file__).resolve().parent.parent / "extraction" / "heldout"
TITLE_WORDS = {"minister", "president", "foreign", "trade", "spokesman", "spokeswoman", "general"}

# Invented articles; no state or person in them is curated.
ARTICLES = {
    "tariffs": (
        "Ruritania cuts tariffs\n\n"
        "Trade Minister Paul Renard announced the cuts on Monday.\n\n"
        '"Tariffs will fall by half," Renard said.\n'
    ),
    "tariffs-again": (
        "Tariff cuts take effect\n\n"
        '"We keep our promises," Paul Renard told parliament on Friday.\n'
    ),
    "accented": (
        "Exporters welcome the cuts\n\n"
        '"This is only the beginning," Pául Rénard said in a speech on Sunday.\n'
    ),
    "yusuf": (
        "Port deal signed\n\n"
        "Transport Minister Yusuf Demirci signed the deal on Monday.\n\n"
        '"The port will open next year," Demirci said.\n'
    ),
    "councillor": (
        "Grain deal\n\n"
        "State Councillor Wang Jun spoke on Monday.\n\n"
        '"Supplies will be steady," State Councillor Wang Jun said.\n'
    ),
    "yousef": (
        "Port opens early\n\n"
        '"We finished ahead of time," Yousef Demirchi told reporters on Tuesday.\n'
    ),
}
LATER = (
    "Tariff talks resume\n\n"
    "Minister Renard met exporters on Wednesday.\n\n"
    '"Our door is open," Minister Renard said.\n'
)


def write_articles(folder: Path, articles: dict[str, str]) -> Path:
    (folder / "articles").mkdir(parents=True)
    for slug, text in articles.items():
        (folder / "articles" / f"{slug}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def client(database_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def source_ids(client: AppClient, *slugs: str) -> set[int]:
    return {client.get(f"/sources/{slug}").json()["id"] for slug in slugs}


def people(db: Probe) -> list[tuple[str, str, str | None]]:
    return [
        (str(slug), str(name), country)
        for slug, name, country in db.rows(
            "SELECT slug, name, country FROM actor WHERE kind = 'person' ORDER BY slug"
        )
    ]


def duplicates(persons: list[tuple[str, str, str | None]]) -> list[object]:
    """Pairs of stored actors that are one person: the same folded name, a lone surname
    beside a full name of the same (or no) country, or a title kept in the name."""
    found: list[object] = []
    by_name: dict[str, list[str]] = defaultdict(list)
    for slug, name, _ in persons:
        by_name[match_key(name)].append(slug)
    found += [slugs for slugs in by_name.values() if len(slugs) > 1]
    for slug, name, country in persons:
        words = match_key(name).split()
        if words and words[0] in TITLE_WORDS:
            found.append(("titled", slug, name))
        if len(words) != 1:
            continue
        for other, other_name, other_country in persons:
            other_words = match_key(other_name).split()
            same_country = None in (country, other_country) or country == other_country
            if len(other_words) > 1 and other_words[-1] == words[0] and same_country:
                found.append((slug, other))
    return found


def test_a_person_named_by_title_surname_accents_or_transliteration_is_one_actor(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    assert cli.main(["ingest", str(write_articles(tmp_path / "a", ARTICLES))]) == 0
    persons = people(db)
    assert duplicates(persons) == []
    # Whichever spelling came first names the actor; every spelling finds all its quotes.
    for spelling in ("Paul Renard", "Pául Rénard", "Renard"):
        found = client.get("/statements", params={"speaker": spelling}).json()["items"]
        assert {s["source_id"] for s in found} == source_ids(
            client, "tariffs", "tariffs-again", "accented"
        )
        assert len({s["speaker"]["id"] for s in found}) == 1
    for spelling in ("Yusuf Demirci", "Yousef Demirchi"):
        found = client.get("/statements", params={"speaker": spelling}).json()["items"]
        assert {s["source_id"] for s in found} == source_ids(client, "yusuf", "yousef")
        assert len({s["speaker"]["id"] for s in found}) == 1
    wang = client.get("/statements", params={"speaker": "Wang Jun"}).json()["items"]
    assert [s["speaker"]["name"] for s in wang] == ["Wang Jun"]  # a rank is never a name
    renard = client.get("/actors/paul-renard").json()
    assert (renard["name"], renard["title"]) == ("Pául Rénard", "Trade Minister")


def test_a_later_ingest_reuses_the_actor(tmp_path: Path, db: Probe, client: AppClient) -> None:
    assert cli.main(["ingest", str(write_articles(tmp_path / "a", ARTICLES))]) == 0
    before = people(db)
    assert cli.main(["ingest", str(write_articles(tmp_path / "b", {"later": LATER}))]) == 0
    assert people(db) == before
    later_id = source_ids(client, "later").pop()
    items = client.get("/statements", params={"speaker": "Paul Renard"}).json()["items"]
    assert later_id in {s["source_id"] for s in items}


def test_no_two_actors_for_one_person_in_the_seeds_and_heldout_corpora(db: Probe) -> None:
    for corpus in (SEEDS, HELDOUT / "dev", HELDOUT / "test", HELDOUT / "final"):
        assert cli.main(["ingest", str(corpus)]) == 0
    persons = people(db)
    assert len(persons) > 100  # the check below looks at something
    assert duplicates(persons) == []


def test_a_name_completed_later_in_the_run_is_searchable_in_earlier_quotes(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    # The first article names the speaker by title and surname; the second gives the full
    # name, which renames the actor after the first article's quote was written with its
    # search text: that quote must be found by the full name too.
    articles = {"a-surname": LATER, "b-full-name": ARTICLES["tariffs-again"]}
    assert cli.main(["ingest", str(write_articles(tmp_path / "a", articles))]) == 0
    [renard] = [p for p in people(db) if p[1].endswith("Renard")]
    assert renard[1] == "Paul Renard"
    found = client.get("/statements", params={"q": "Paul"}).json()["items"]
    assert source_ids(client, "a-surname") <= {s["source_id"] for s in found}
