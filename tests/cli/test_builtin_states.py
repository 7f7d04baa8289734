"""Every state is known out of the box: a corpus about states nobody curated still answers
`speaker=<state>` and `actor=<state>` with their officials (CLI ingest, then HTTP)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import Probe
from tests.inprocess import AppClient

# Invented text: no state in it is curated.
NORDIC = """\
Finland and Chile sign a fisheries pact

HELSINKI, March 3 (Wire) - Finnish Foreign Minister Aino Virtanen welcomed the agreement on \
Tuesday.

"This is a good day for both our peoples," Virtanen told reporters in Helsinki.

Chilean Foreign Minister Rodrigo Fuentes said the pact would last a decade. "We have waited a \
long time for this," Fuentes said.
"""
LATER = """\
Fisheries talks go on

VALPARAISO, April 9 (Wire) - Aino Virtanen returned to the talks on Monday.

"We will keep our word," Virtanen said.

Santiago said it would host the next round, and Kosovar and Taiwanese observers attended.
"""
INCIDENTS = """\
- slug: fisheries-pact
  title: Fisheries pact
  summary: Two states nobody curated sign a pact.
  type: agreement
  date_start: 2026-03-03
  participants:
    - {actor: chile, role: initiator}
    - {actor: finland, role: target}
  sources: [nordic]
"""


def write_corpus(folder: Path, *, actors: str | None = None, incidents: bool = True) -> Path:
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "nordic.txt").write_text(NORDIC, encoding="utf-8")
    (folder / "articles" / "later.txt").write_text(LATER, encoding="utf-8")
    if incidents:
        (folder / "incidents.yaml").write_text(INCIDENTS, encoding="utf-8")
    if actors is not None:
        (folder / "actors.yaml").write_text(actors, encoding="utf-8")
    return folder


@pytest.fixture
def client(database_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def speakers(client: AppClient, speaker: str) -> set[str]:
    r = client.get("/statements", params={"speaker": speaker})
    assert r.status_code == 200, r.text
    return {s["speaker"]["name"] for s in r.json()["items"]}


def test_uncurated_states_answer_speaker_and_actor(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    assert cli.main(["ingest", str(write_corpus(tmp_path / "corpus"))]) == 0
    assert speakers(client, "Finland") == {"Aino Virtanen"}
    assert speakers(client, "finnish") == {"Aino Virtanen"}  # a demonym names the state too
    assert speakers(client, "Chile") == {"Rodrigo Fuentes"}
    virtanen = client.get("/actors/aino-virtanen").json()
    assert (virtanen["country"], virtanen["affiliation"]["slug"]) == ("FIN", "finland")
    # the capital speaks for the state: "Santiago said" is a mention of Chile in the 2nd article
    sources = client.get("/sources", params={"actor": "Chile"}).json()["items"]
    assert {s["slug"] for s in sources} == {"nordic", "later"}
    incidents = client.get("/incidents", params={"actor": "Finland"}).json()["items"]
    assert [i["slug"] for i in incidents] == ["fisheries-pact"]
    finland = client.get("/actors/finland").json()
    assert (finland["kind"], finland["country"], finland["origin"]) == ("state", "FIN", "builtin")
    assert "Finnish" in finland["demonyms"] and "Helsinki" in finland["metonyms"]
    page = client.get("/browse/actors/finland")
    assert page.status_code == 200 and "(a state known without curation)" in page.text


def test_only_states_the_data_refers_to_are_listed_but_all_are_known(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    assert cli.main(["ingest", str(write_corpus(tmp_path / "corpus"))]) == 0
    listed = {a["slug"] for a in client.get("/actors", params={"kind": "state"}).json()["items"]}
    assert listed == {"finland", "chile", "kosovo", "taiwan"}
    assert db.scalar("SELECT country FROM actor WHERE slug = 'kosovo'") == "XKX"
    # Peru is named nowhere: known all the same, with no statement.
    r = client.get("/statements", params={"speaker": "Peru"})
    assert (r.status_code, r.json()["items"]) == (200, [])
    assert client.get("/statements", params={"speaker": "Narnia"}).status_code == 422


def test_a_curated_state_wins_over_the_builtin_one(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    curated = (
        "- slug: suomi\n  name: Suomi Curated\n  kind: state\n  country: FIN\n"
        "  demonyms: [Finnish]\n"
    )
    corpus = write_corpus(tmp_path / "corpus", actors=curated, incidents=False)
    assert cli.main(["ingest", str(corpus)]) == 0
    states = db.rows("SELECT slug, origin FROM actor WHERE country = 'FIN' AND kind = 'state'")
    assert states == [("suomi", "curated")]
    assert speakers(client, "Suomi Curated") == {"Aino Virtanen"}
    assert client.get("/actors/finland").status_code == 404


def test_a_state_curated_later_takes_over_and_reingest_changes_nothing(
    tmp_path: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert cli.main(["ingest", str(corpus)]) == 0
    assert db.scalar("SELECT origin FROM actor WHERE slug = 'finland'") == "builtin"
    before = db.fingerprint()
    assert cli.main(["ingest", str(corpus)]) == 0
    assert db.fingerprint() == before
    (corpus / "actors.yaml").write_text(
        "- slug: finland\n  name: Finland\n  kind: state\n  country: FIN\n"
        "  aliases: [Suomi]\n  demonyms: [Finnish]\n",
        encoding="utf-8",
    )
    assert cli.main(["ingest", str(corpus)]) == 0
    row = db.rows("SELECT origin FROM actor WHERE slug = 'finland'")
    assert row == [("curated",)]
    aliases = db.rows(
        "SELECT l.alias FROM actor_alias l JOIN actor a ON a.id = l.actor_id "
        "WHERE a.slug = 'finland' AND l.kind = 'alias'"
    )
    assert aliases == [("Suomi",)]  # exactly the curated ones: curated wins, never merged


def test_a_builtin_state_no_longer_named_is_pruned_with_a_tombstone(
    tmp_path: Path, db: Probe, client: AppClient
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert cli.main(["ingest", str(corpus)]) == 0
    kosovo = client.get("/actors/kosovo").json()  # named in the second article only
    assert kosovo["origin"] == "builtin"
    base = client.get("/versions").json()["items"][0]["number"]
    (corpus / "articles" / "later.txt").unlink()
    assert cli.main(["ingest", "--prune", "--yes", str(corpus)]) == 0
    assert client.get("/actors/kosovo").status_code == 404
    assert client.get("/actors/finland").status_code == 200  # the incident still names it
    changes = client.get("/changes", params={"since": base}).json()["items"]
    gone = {(c["id"], c["slug"]) for c in changes if c["kind"] == "actor" and c["op"] == "deleted"}
    assert (kosovo["id"], "kosovo") in gone and "taiwan" in {slug for _, slug in gone}
    newest = client.get("/versions").json()["items"][0]
    assert newest["counts"]["actor"]["deleted"] == len(gone)


CURATED = "".join(
    f"- slug: {slug}\n  name: {name}\n  kind: organization\n"
    for slug, name in [("un", "United Nations"), ("nato", "NATO"), ("asean", "ASEAN")]
)
MANY_STATES = """\
Summit opens

GENEVA, May 2 (Wire) - Delegates from France, Germany, Italy, Spain, Portugal, Poland, \
Austria, Belgium, Sweden, Norway, Denmark and Ireland met the United Nations, NATO and ASEAN.
"""


def test_the_prune_guard_counts_curated_actors_not_the_builtin_states(
    tmp_path: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "articles").mkdir(parents=True)
    (corpus / "articles" / "summit.txt").write_text(MANY_STATES, encoding="utf-8")
    (corpus / "actors.yaml").write_text(CURATED, encoding="utf-8")
    assert cli.main(["ingest", str(corpus)]) == 0
    assert db.scalar("SELECT count(*) FROM actor WHERE origin = 'builtin'") == 12
    (corpus / "actors.yaml").write_text(CURATED[: CURATED.index("- slug: asean")])
    before = db.fingerprint()
    capsys.readouterr()
    # 1 of 15 actors, but 1 of the 3 the inputs hold: a forgotten actors.yaml looks like this.
    assert cli.main(["ingest", "--prune", str(corpus)]) == 1
    out, err = capsys.readouterr()
    assert "1 of 3 curated actors (33%)" in out
    assert err.startswith("prune refused: it would delete 33% of the curated actors (1 of 3)")
    assert db.fingerprint() == before


def test_evidence_must_name_a_builtin_state_first_stored_by_a_later_incident(
    tmp_path: Path, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    evidenced = INCIDENTS + (
        "  evidence:\n"
        "    - {source: nordic, quote: Finland and Chile sign a fisheries pact}\n"
        "- slug: next-round\n"
        "  title: Next round\n"
        "  summary: Chile hosts, Peru is named nowhere.\n"
        "  type: agreement\n"
        "  date_start: 2026-04-09\n"
        "  participants:\n"
        "    - {actor: chile, role: initiator}\n"
        "    - {actor: peru, role: target}\n"
        "  sources: [later]\n"
        "  evidence:\n"
        "    - {source: later, quote: Santiago said it would host the next round}\n"
    )
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "incidents.yaml").write_text(evidenced, encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["ingest", str(corpus)]) == 1
    path = corpus / "incidents.yaml"
    line = evidenced.splitlines().index("    - {actor: peru, role: target}") + 1
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:{line}: participant 'peru' is not named in the evidence"
    ]
    assert db.scalar("SELECT count(*) FROM actor") == 0
