"""The incident detail's direct route (app/api/direct.py): answered without FastAPI's
dependency solving, everything else as FastAPI's route answers it."""

from app.main import create_app
from app.settings import Settings
from tests.api.solved_sessions import count_solved_sessions
from tests.inprocess import AppClient

DETAIL = "/incidents/spokesman-accuses-azerbaijan"
TOO_LONG = "/incidents/" + "x" * 201


def test_the_detail_skips_fastapis_dependencies_and_answers_the_same(mini_url: str) -> None:
    app = create_app(Settings(database_url=mini_url, kept_responses=0))
    with AppClient(app) as http:
        before = http.get(DETAIL)
        by_id = http.get(f"/incidents/{before.json()['id']}")
        solved = count_solved_sessions(app)
        detail = http.get(DETAIL)
        head = http.head(DETAIL)
        missing = http.get("/incidents/no-such-incident")
        too_long = http.get(TOO_LONG)
        actor = http.get("/actors/nasser-kanani")

    # Only FastAPI's own routes solved the session: the long key (its 422) and the actor.
    assert solved == [TOO_LONG, "/actors/nasser-kanani"]
    assert detail.status_code == 200 and actor.status_code == 200
    assert detail.content == before.content and detail.headers == before.headers
    assert by_id.json() == before.json()
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == detail.headers["etag"]
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "no incident with id or slug 'no-such-incident'"
    assert too_long.status_code == 422
    assert [p["name"] for p in too_long.json()["invalid_params"]] == ["key"]
