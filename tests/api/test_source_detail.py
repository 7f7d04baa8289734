"""A source's detail is written from plain rows and items (app/sources/service.py
`get_source`) and answered by a direct route (app/api/direct.py): its bytes must be what
SourceDetail makes of the same data, its values what the tables hold, and everything else as
FastAPI's route answered."""

from collections import Counter
from typing import Any

from app.main import create_app
from app.settings import Settings
from app.sources.schemas import SourceDetail
from tests.api.solved_sessions import count_solved_sessions
from tests.conftest import Probe
from tests.inprocess import AppClient


def _every_source(client: AppClient) -> list[dict[str, Any]]:
    body = client.get("/sources?limit=500").json()
    assert body["next_cursor"] is None
    return list(body["items"])


def test_source_details_are_the_bytes_their_model_makes(client: AppClient) -> None:
    sources = _every_source(client)
    statements = mentions = 0
    for item in sources:
        body = client.get(f"/sources/{item['slug']}").content
        detail = SourceDetail.model_validate_json(body)
        assert body == detail.model_dump_json().encode(), item["slug"]
        statements += sum(s.speaker is not None for s in detail.statements)
        mentions += len(detail.mentions) > 1
    # The seeds hold what each part can be, or the comparison proves little.
    assert statements and mentions


def test_source_details_say_what_the_tables_hold(client: AppClient, shared_seeded_url: str) -> None:
    probe = Probe(shared_seeded_url)
    names = dict(probe.rows("SELECT id, name FROM actor"))
    texts = {i: (text, h) for i, text, h in probe.rows("SELECT id, text, content_hash FROM source")}
    every_span = probe.rows('SELECT source_id, actor_id, start, "end" FROM mention ORDER BY start')
    for item in _every_source(client):
        detail = client.get(f"/sources/{item['id']}").json()
        assert detail == client.get(f"/sources/{item['slug']}").json()
        text, content_hash = texts[item["id"]]
        assert (detail["text"], detail["content_hash"]) == (text, content_hash)
        assert {k: v for k, v in detail.items() if k in item} == item
        listed = client.get(
            f"/statements?source={item['id']}&include_duplicates=true&limit=500"
        ).json()["items"]
        assert detail["statements"] == sorted(listed, key=lambda s: s["start"])
        spans = [(a, start, end) for i, a, start, end in every_span if i == item["id"]]
        counts = Counter(actor_id for actor_id, _, _ in spans)
        assert [(m["actor"]["id"], m["count"]) for m in detail["mentions"]] == sorted(
            counts.items(), key=lambda c: (-c[1], names[c[0]])
        )
        for mention in detail["mentions"]:
            assert mention["spans"] == [
                [start, end] for actor_id, start, end in spans if actor_id == mention["actor"]["id"]
            ]


def test_the_detail_skips_fastapis_dependencies_and_answers_the_same(
    shared_seeded_url: str,
) -> None:
    app = create_app(Settings(database_url=shared_seeded_url, kept_responses=0))
    too_long = "/sources/" + "x" * 201
    with AppClient(app) as http:
        slug = http.get("/sources?limit=1").json()["items"][0]["slug"]
        before = http.get(f"/sources/{slug}")
        solved = count_solved_sessions(app)
        detail = http.get(f"/sources/{slug}")
        head = http.head(f"/sources/{slug}")
        missing = http.get("/sources/no-such-source")
        refused = http.get(too_long)
        verified = http.get(f"/sources/{slug}/verify")

    # Only FastAPI's own routes solved the session: the long key (its 422) and /verify.
    assert solved == [too_long, f"/sources/{slug}/verify"]
    assert detail.status_code == 200 and verified.status_code == 200
    assert detail.content == before.content and detail.headers == before.headers
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == detail.headers["etag"]
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "no source with id or slug 'no-such-source'"
    assert refused.status_code == 422
    assert [p["name"] for p in refused.json()["invalid_params"]] == ["key"]
