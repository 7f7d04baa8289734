"""The list routes' direct path (app/api/listing.py, QueryModelReader): a list whose
parameters validate is answered without FastAPI's dependency solving; every answer, 422s and
exports included, is byte for byte the one FastAPI's own path gives."""

from typing import Any

import pytest

from app.api import listing
from app.main import create_app
from app.settings import Settings
from tests.api.solved_sessions import count_solved_sessions
from tests.inprocess import AppClient

# Every list route, every kind of parameter: repeated, scalar given twice (the last wins),
# dates, enums, facets, exports, and the ones FastAPI refuses (its 422s stay its own).
URLS = [
    "/incidents",
    "/incidents?limit=2",
    "/incidents?actor=Iran&actor=Azerbaijan",
    "/incidents?actor=iran&type=attack&type=protest&sort=date",
    "/incidents?country=irn&count=exact",
    "/incidents?q=embassy",
    "/incidents?q=embassy&sort=-date&facet=type&facet=year",
    "/incidents?facet=actor&facet=country&facet=month&count=none",
    "/incidents?date_from=2022-06-01&date_to=2023-12-31&limit=3",
    "/incidents?limit=5&limit=2",
    "/incidents?format=csv",
    "/incidents?format=ndjson&actor=Iran",
    "/incidents?format=events",
    "/incidents?actr=Iran",
    "/incidents?limit=0",
    "/incidents?limit=abc",
    "/incidents?type=nope",
    "/incidents?date_from=2024-01-01&date_to=2023-01-01",
    "/incidents?date_from=yesterday",
    "/incidents?actor=No+Such+Actor",
    "/incidents?actor=",
    "/incidents?cursor=garbage",
    "/incidents?sort=relevance",
    "/incidents?country=",
    "/statements",
    "/statements?speaker=Iran&limit=3",
    "/statements?min_confidence=0.5&sort=date",
    "/statements?q=relations&facet=speaker&facet=source",
    "/statements?include_duplicates=true&format=csv",
    "/statements?min_confidence=2",
    "/statements?speaker=Nobody",
    "/sources",
    "/sources?actor=Iran&limit=2",
    "/sources?q=relations&sort=-date",
    "/sources?format=ndjson",
    "/sources?limit=-1",
    "/actors",
    "/actors?q=iran&limit=2",
    "/actors?kind=state&format=csv",
    "/actors?kind=planet",
]


def _answers(http: AppClient) -> list[tuple[str, int, dict[str, str], bytes]]:
    answers = []
    for url in URLS:
        for headers in ({}, {"accept": "text/csv"}):
            response = http.get(url, headers=headers)
            answers.append((url, response.status_code, dict(response.headers), response.content))
        page = http.get(url)
        if page.status_code == 200 and page.headers["content-type"] == "application/json":
            cursor = page.json()["next_cursor"]
            if cursor:
                separator = "&" if "?" in url else "?"
                second = http.get(f"{url}{separator}cursor={cursor}")
                answers.append((url, second.status_code, dict(second.headers), second.content))
            etag = page.headers["etag"]
            unchanged = http.get(url, headers={"if-none-match": etag})
            answers.append((url, unchanged.status_code, dict(unchanged.headers), b""))
            head = http.head(url)
            answers.append((url, head.status_code, dict(head.headers), head.content))
    return answers


def test_lists_answer_directly_and_exactly_as_fastapi_does(
    shared_seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(database_url=shared_seeded_url, kept_responses=0))
    solved = count_solved_sessions(app)
    with AppClient(app) as http:
        direct = _answers(http)
        # Only what FastAPI answers itself solved the session: the parameters it refuses.
        refused = {url for url, status, _, _ in direct if status == 422}
        assert set(solved) <= refused
        assert "/incidents" not in refused and len(refused) >= 12
        solved.clear()

        # The same requests, every one through FastAPI's own path.
        def never(self: Any, params: Any) -> None:
            return None

        monkeypatch.setattr(listing.QueryModelReader, "__call__", never)
        through_fastapi = _answers(http)
        assert len(solved) >= len(URLS)

    assert len(direct) == len(through_fastapi)
    for ours, fastapis in zip(direct, through_fastapi, strict=True):
        assert ours == fastapis, ours[0]
    statuses = {status for _, status, _, _ in direct}
    assert {200, 304, 422} <= statuses
