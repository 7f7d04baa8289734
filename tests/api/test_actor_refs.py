"""A list page's actors (an incident's participants, a statement's speaker) are ActorRef items
kept per data version (app/actors/repository.py `actor_ref_items`), shared by every page that
shows the actor: each must be the actor's row as the table holds it, and an ingest that changes
an actor must show on the next page a running server answers."""

from typing import Any

from sqlalchemy import create_engine, text

from app.main import create_app
from app.settings import Settings
from tests.conftest import Probe
from tests.inprocess import AppClient

_REF_COLUMNS = ("id", "slug", "name", "kind", "country")


def _actors(probe: Probe) -> dict[int, dict[str, Any]]:
    rows = probe.rows("SELECT id, slug, name, kind, country FROM actor")
    return {row[0]: dict(zip(_REF_COLUMNS, row, strict=True)) for row in rows}


def _speakers(client: AppClient, slug: str) -> list[dict[str, Any]]:
    body = client.get(f"/statements?speaker={slug}&limit=100").json()
    return [item["speaker"] for item in body["items"]]


def _participants(client: AppClient, slug: str) -> list[dict[str, Any]]:
    body = client.get(f"/incidents?actor={slug}&limit=100").json()
    return [p["actor"] for item in body["items"] for p in item["participants"]]


def _rename(url: str, actor_id: int, name: str) -> None:
    """What an ingest that renames the actor commits: the row and a new data version."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE actor SET name = :name WHERE id = :id"), {"name": name, "id": actor_id}
            )
            conn.execute(text("UPDATE dataset_meta SET data_version = data_version + 1"))
    finally:
        engine.dispose()


def test_speakers_and_participants_are_their_actors_rows(
    client: AppClient, shared_seeded_url: str
) -> None:
    actors = _actors(Probe(shared_seeded_url))
    body = client.get("/statements?limit=500").json()
    speakers = [item["speaker"] for item in body["items"] if item["speaker"] is not None]
    assert len({s["id"] for s in speakers}) > 3, "the seeds must have several speakers"
    assert all(speaker == actors[speaker["id"]] for speaker in speakers)
    incidents = client.get("/incidents?limit=500").json()["items"]
    participants = [p["actor"] for item in incidents for p in item["participants"]]
    assert len({p["id"] for p in participants}) > 3
    assert all(actor == actors[actor["id"]] for actor in participants)


def test_an_actor_renamed_by_an_ingest_is_renamed_on_the_next_pages(seeded_url: str) -> None:
    probe = Probe(seeded_url)
    actor_id, slug = probe.rows(
        "SELECT id, slug FROM actor WHERE id IN (SELECT speaker_id FROM statement)"
        " AND id IN (SELECT actor_id FROM incident_participant) ORDER BY id LIMIT 1"
    )[0]
    with AppClient(create_app(Settings(database_url=seeded_url))) as client:
        before = _speakers(client, slug) + _participants(client, slug)
        assert any(actor["id"] == actor_id for actor in before)  # now kept by the server
        _rename(seeded_url, actor_id, "Renamed By An Ingest")
        after = _speakers(client, slug) + _participants(client, slug)
    renamed = [actor for actor in after if actor["id"] == actor_id]
    assert renamed and all(actor["name"] == "Renamed By An Ingest" for actor in renamed)
    assert all(actor == _actors(probe)[actor["id"]] for actor in after)


def test_an_actor_list_shows_an_ingests_changes_on_the_next_page(seeded_url: str) -> None:
    """The actors list's items are kept per data version too (app/actors/service.py
    `list_items`): a renamed affiliation and a new alias show on the next page."""
    probe = Probe(seeded_url)
    member_id, affiliation_id = probe.rows(
        "SELECT id, affiliation_id FROM actor WHERE affiliation_id IS NOT NULL ORDER BY id LIMIT 1"
    )[0]

    def listed(client: AppClient) -> dict[str, Any]:
        items = client.get("/actors?limit=500").json()["items"]
        return next(item for item in items if item["id"] == member_id)

    with AppClient(create_app(Settings(database_url=seeded_url))) as client:
        before = listed(client)  # now kept by the server
        _rename(seeded_url, affiliation_id, "Renamed By An Ingest")
        engine = create_engine(seeded_url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO actor_alias (actor_id, kind, alias, key)"
                        " VALUES (:id, 'alias', 'Added By An Ingest', 'added by an ingest')"
                    ),
                    {"id": member_id},
                )
                conn.execute(text("UPDATE dataset_meta SET data_version = data_version + 1"))
        finally:
            engine.dispose()
        after = listed(client)
    assert before["affiliation"]["name"] != "Renamed By An Ingest"
    assert after["affiliation"] == {**before["affiliation"], "name": "Renamed By An Ingest"}
    assert after["aliases"] == [*before["aliases"], "Added By An Ingest"]
