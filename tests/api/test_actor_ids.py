"""PostgreSQL keeps each incident's participants' actor ids on the incident (`actor_ids_pg`,
migration 0020), which a search under actors reads instead of the participants. Kept by
triggers, the column must hold what incident_participant does after every ingest, re-run,
edit, --prune and failed ingest, and after bench.generate's bulk load (which skips triggers);
a search under actors must find what the participants say. SQLite has no such column."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app import cli
from app.incidents.repository import IncidentRepository
from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import MINI_ACTORS, incident
from tests.api.search_edits import client_with_count_threshold
from tests.conftest import Databases, Probe
from tests.inprocess import AppClient

ACTORS = ("iran", "russia", "azerbaijan", "nasser-kanani")


def _incidents() -> list[str]:
    """Incidents about talks or a pipeline, with one to three of the actors each."""
    casts = [
        [("iran", "initiator"), ("russia", "target")],
        [("russia", "participant")],
        [("azerbaijan", "initiator"), ("iran", "target"), ("nasser-kanani", "participant")],
        [("nasser-kanani", "initiator"), ("azerbaijan", "target")],
        [("iran", "participant")],
    ]
    return [
        incident(
            f"i{n:02d}",
            f"2020-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
            casts[n % len(casts)],
            summary=("Talks on the pipeline." if n % 3 else "Border talks."),
        )
        for n in range(30)
    ]


def _write(folder: Path, incidents: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.yaml").write_text(MINI_ACTORS, encoding="utf-8")
    (folder / "incidents.yaml").write_text("".join(incidents), encoding="utf-8")
    return folder


def _assert_kept(db: Probe) -> None:
    kept = db.rows("SELECT id, actor_ids_pg FROM incident ORDER BY id")
    truth = dict(
        db.rows(
            "SELECT incident_id, array_agg(DISTINCT actor_id ORDER BY actor_id) "
            "FROM incident_participant GROUP BY incident_id"
        )
    )
    assert kept == [(i, truth.get(i, [])) for i, _ in kept]


def _assert_searches_follow_the_participants(client: AppClient, db: Probe) -> None:
    """Each actor's (and two actors') searches find the incidents their participants say,
    counted exactly, in date order and by relevance."""
    ids = dict(db.rows("SELECT slug, id FROM actor"))
    # A state matches its ministries and officials: Iran's set holds the spokesman.
    sets = {slug: {ids[slug]} for slug in ACTORS}
    sets["iran"] |= {ids["iran-foreign-ministry"], ids["nasser-kanani"], ids["masoud-pezeshkian"]}
    members = {
        slug: {
            i
            for (i,) in db.rows(
                "SELECT DISTINCT incident_id FROM incident_participant "
                f"WHERE actor_id IN ({', '.join(str(a) for a in sorted(actor_set))})"
            )
        }
        for slug, actor_set in sets.items()
    }
    for word in ("pipeline", "border"):
        matching = {
            i
            for (i,) in db.rows(
                "SELECT id FROM incident "
                f"WHERE search_fts @@ websearch_to_tsquery('english', '{word}')"
            )
        }
        for named in [[a] for a in ACTORS] + [["iran", "russia"], ["azerbaijan", "iran"]]:
            expected = set(matching)
            for slug in named:
                expected &= members[slug]
            for sort in ("-date", "relevance"):
                params = [("q", word), ("sort", sort), ("count", "exact"), ("limit", "100")]
                body = client.get("/incidents", params=params + [("actor", a) for a in named])
                assert body.status_code == 200, body.text
                page = body.json()
                assert {item["id"] for item in page["items"]} == expected, (word, named, sort)
                assert page["total"] == len(expected)


def test_each_incidents_actor_ids_follow_its_participants_through_every_kind_of_write(
    database_url: str, backend: str, db: Probe, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL column (migration 0020)")
    incidents = _incidents()
    folder = _write(tmp_path / "seeds", incidents)
    assert cli.main(["ingest", str(folder)]) == 0
    _assert_kept(db)
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        _assert_searches_follow_the_participants(client, db)

        # Edits: participants replaced, one added, one removed, an incident's only one swapped.
        incidents[0] = incident("i00", "2020-01-01", [("azerbaijan", "initiator")])
        incidents[1] = incident(
            "i01",
            "2020-02-02",
            [("russia", "participant"), ("iran", "target")],
            summary="Talks on the pipeline.",
        )
        incidents[2] = incident(
            "i02",
            "2020-03-03",
            [("azerbaijan", "initiator"), ("iran", "target")],
            summary="Talks on the pipeline.",
        )
        # One of two participants dropped, the other kept as it was: a delete alone.
        assert incidents[5].startswith("- slug: i05\n") and "actor: russia" in incidents[5]
        incidents[5] = incidents[5].replace("    - {actor: russia, role: target}\n", "")
        assert "russia" not in incidents[5]
        incidents.append(
            incident("new", "2021-05-05", [("russia", "initiator")], summary="Border.")
        )
        _write(folder, incidents)
        assert cli.main(["ingest", str(folder)]) == 0
        _assert_kept(db)
        _assert_searches_follow_the_participants(client, db)

        # A re-run changes nothing.
        before = db.fingerprint()
        assert cli.main(["ingest", str(folder)]) == 0
        assert db.fingerprint() == before

        # A failed ingest (an unknown actor) rolls the column back with everything else.
        broken = incident("i03", "2020-04-04", [("iran", "target"), ("nobody", "initiator")])
        _write(folder, [*incidents[:3], broken, *incidents[4:]])
        assert cli.main(["ingest", str(folder)]) != 0
        assert db.fingerprint() == before

        # --prune deletes incidents (their participants by cascade).
        _write(folder, incidents[5:])
        assert cli.main(["ingest", "--prune", "--yes", str(folder)]) == 0
        _assert_kept(db)
        _assert_searches_follow_the_participants(client, db)

    # Writes by hand, outside an ingest (an ingest replaces an incident's participants): a
    # participant deleted alone, another moved to a different actor and incident; each changed
    # incident touched by one statement only.
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            two = "SELECT incident_id FROM incident_participant GROUP BY 1 HAVING count(*) > 1"
            first, second, third = [r[0] for r in conn.execute(text(f"{two} ORDER BY 1 LIMIT 3"))]
            conn.execute(
                text(
                    "DELETE FROM incident_participant WHERE incident_id = :i AND actor_id = "
                    "(SELECT max(actor_id) FROM incident_participant WHERE incident_id = :i)"
                ),
                {"i": first},
            )
            conn.execute(
                text(
                    "UPDATE incident_participant SET incident_id = :to, actor_id = "
                    "(SELECT id FROM actor WHERE slug = 'masoud-pezeshkian') "
                    "WHERE incident_id = :i AND actor_id = "
                    "(SELECT min(actor_id) FROM incident_participant WHERE incident_id = :i)"
                ),
                {"i": second, "to": third},
            )
    finally:
        engine.dispose()
    _assert_kept(db)


def test_a_generated_corpus_carries_its_actor_ids(databases: Databases, backend: str) -> None:
    """bench.generate loads without triggers, then fills the column itself."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL column (migration 0020)")
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=300, seed=3)
    db = Probe(url)
    _assert_kept(db)
    assert db.rows("SELECT count(*) FROM incident WHERE actor_ids_pg = '{}'") == [(0,)]


@pytest.mark.parametrize("count", ["estimated", "exact"])
def test_searches_under_actors_answer_as_through_the_participants(
    databases: Databases, backend: str, monkeypatch: pytest.MonkeyPatch, count: str
) -> None:
    """Every body (items, order, totals, and the planner's estimated totals: a threshold of 1
    makes every total an estimate) equals the one the participants give."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL column (migration 0020)")
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=2000, seed=5)
    cases = [
        [("actor", "Iran"), ("q", "talks")],
        [("actor", "Russia"), ("q", "pipeline"), ("sort", "-date")],
        [("actor", "France"), ("actor", "Iran"), ("q", "border"), ("sort", "date")],
        [("actor", "China"), ("q", "embassy"), ("date_from", "2000-01-01"), ("type", "arrest")],
    ]

    def bodies() -> list[Any]:
        search.RANKINGS.clear()
        search.MATCH_SETS.clear()
        search.DATE_ORDERS.clear()
        with client_with_count_threshold(url, 1) as client:
            found = []
            for params in cases:
                page = client.get("/incidents", params=[*params, ("count", count)])
                assert page.status_code == 200, page.text
                found.append(page.json())
                cursor = page.json()["next_cursor"]
                if cursor:
                    found.append(client.get("/incidents", params={"cursor": cursor}).json())
            return found

    ours = bodies()
    assert count == "exact" or any(b.get("total_accuracy") == "estimated" for b in ours)
    with monkeypatch.context() as patched:
        patched.setattr(
            IncidentRepository, "_actor_ids_searched", lambda self, f, actor_sets: False
        )
        assert bodies() == ours
