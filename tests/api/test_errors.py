"""One error shape everywhere (as Datasette's test_error_shape): RFC 9457 problem+json."""

import pytest

from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient

BAD_REQUESTS = [
    ("GET", "/nowhere", 404),
    ("GET", "/incidents/no-such-slug", 404),
    ("GET", "/actors/no-such-slug", 404),
    ("GET", "/sources/no-such-slug", 404),
    ("GET", "/statements/123456789", 404),
    ("GET", "/statements/not-a-number", 422),
    # A key FastAPI refuses (over Path's max_length): the direct detail route hands it back.
    ("GET", "/incidents/" + "x" * 201, 422),
    # A key with a NUL cannot be stored on PostgreSQL: refused as every parameter's NUL is
    # (it answered 500 there), by the direct routes too.
    ("GET", "/incidents/%00", 422),
    ("GET", "/sources/a%00b", 422),
    ("GET", "/sources/a%00b/verify", 422),
    ("GET", "/actors/iran%00", 422),
    ("GET", "/incidents?limit=0", 422),
    ("GET", "/actors?limit=9999", 422),
    ("GET", "/statements?date_from=2023-13-01", 422),
    ("GET", "/sources?date_to=soon", 422),
    ("GET", "/incidents?sort=sideways", 422),
    ("GET", "/incidents?cursor=abc", 422),
    ("GET", "/statements?speaker=Nobody%20At%20All", 422),
    ("GET", "/sources?actor=Nobody%20At%20All", 422),
    ("POST", "/incidents", 405),
    ("DELETE", "/incidents/1", 405),
    ("PUT", "/actors/iran", 405),
    ("PATCH", "/statements/1", 405),
]


@pytest.mark.parametrize(("method", "url", "status"), BAD_REQUESTS)
def test_every_error_is_problem_json(client: AppClient, method: str, url: str, status: int) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("https://")
    if status == 422:
        names = [p["name"] for p in body["invalid_params"]]
        assert names and all(name and name != "query" for name in names)


def test_unexpected_errors_are_a_500_without_internals(shared_seeded_url: str) -> None:
    app = create_app(Settings(database_url=shared_seeded_url))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM /etc/passwd")

    with AppClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json()["title"] == "Internal Server Error"


def test_health_reports_the_database(client: AppClient, backend: str) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["database"] == backend


@pytest.mark.parametrize("page", ["incidents", "sources", "actors"])
def test_the_sites_pages_refuse_a_nul_in_their_key(client: AppClient, page: str) -> None:
    response = client.get(f"/browse/{page}/a%00b")
    assert response.status_code == 422
