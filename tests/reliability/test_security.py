"""Security posture: read-only, bounded requests, no internals in any response, CORS off."""

import re
import shlex
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml
from dockerfile_parse import DockerfileParser
from sqlalchemy import URL, create_engine, event, make_url, text

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.inprocess import AppClient
from tests.serving import served

# Each of these was a 500 (found by the schemathesis run): '¹' passes str.isdigit() but not
# int(); a 23-digit id cannot be bound by SQLite; 2**31 cannot be cast to integer by PostgreSQL.
HOSTILE_IDS = ["%C2%B9", "99999999999999999999999", "2147483648", "4611686018427387903"]


@pytest.mark.parametrize("key", HOSTILE_IDS)
@pytest.mark.parametrize("kind", ["incidents", "actors", "sources", "statements"])
def test_an_id_that_cannot_exist_is_a_404(client: AppClient, kind: str, key: str) -> None:
    response = client.get(f"/{kind}/{key}")
    # /statements/{id} is typed: the schema's own bound (2**62) answers 422 above it.
    typed_out_of_range = not key.isdigit() or int(key) > 2**62
    expected = 422 if kind == "statements" and typed_out_of_range else 404
    assert response.status_code == expected, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("key", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/incidents", "actor"),
        ("/statements", "speaker"),
        ("/statements", "source"),
        ("/statements", "incident"),
        ("/sources", "actor"),
    ],
)
def test_an_id_filter_that_cannot_exist_is_a_422_naming_it(
    client: AppClient, path: str, parameter: str, key: str
) -> None:
    response = client.get(f"{path}?{parameter}={key}")
    assert response.status_code == 422, response.text
    assert [p["name"] for p in response.json()["invalid_params"]] == [parameter]


# Found by the schemathesis run: pydantic read `date_to=0` as a Unix timestamp (1970-01-01) and
# answered 200, and a reversed window was a 422 naming `query` instead of the parameter.
@pytest.mark.parametrize("value", ["0", "1700000000", "2023-01-01T00:00", "20230101"])
@pytest.mark.parametrize("path", ["/incidents", "/statements", "/sources"])
def test_a_date_is_only_yyyy_mm_dd(client: AppClient, path: str, value: str) -> None:
    response = client.get(path, params={"date_to": value})
    assert response.status_code == 422, response.text
    assert [p["name"] for p in response.json()["invalid_params"]] == ["date_to"]


def test_a_reversed_date_window_names_date_to(client: AppClient) -> None:
    response = client.get("/incidents", params={"date_from": "2024-01-01", "date_to": "2023-01-01"})
    assert response.status_code == 422
    assert response.json()["invalid_params"] == [
        {"name": "date_to", "reason": "date_to is before date_from"}
    ]


# -- read-only ---------------------------------------------------------------------------------

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


def test_the_api_documents_no_write_operation(client: AppClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    methods = {method for operations in paths.values() for method in operations}
    assert methods == {"get"}


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_every_route_refuses_writes(client: AppClient, method: str) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in paths:
        url = path.replace("{key}", "1").replace("{statement_id}", "1")
        response = client.request(method, url, json={"title": "defaced"})
        assert response.status_code == 405, (method, url, response.text)
        assert response.headers["content-type"] == "application/problem+json"


READ_ONLY_ROLE_SQL = PROJECT_ROOT / "scripts" / "read-only-role.sql"


@pytest.fixture
def reader_url(seeded_url: str, backend: str) -> Iterator[str]:
    """A login role made by scripts/read-only-role.sql, as documented, on a seeded database."""
    if backend != "postgresql":
        pytest.skip("a database role is a PostgreSQL feature")
    role = f"incidentdb_reader_{uuid.uuid4().hex[:8]}"
    url = make_url(seeded_url)
    sql = (
        READ_ONLY_ROLE_SQL.read_text(encoding="utf-8")
        .replace("incidentdb_reader", role)
        .replace("DATABASE incidentdb", f'DATABASE "{url.database}"')
    )
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(sql.encode())  # type: ignore[call-overload]
    try:
        yield url.set(username=role, password="CHANGE-ME").render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"'.encode())  # type: ignore[call-overload]
            conn.execute(f'DROP ROLE "{role}"'.encode())  # type: ignore[call-overload]


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_serve_runs_with_a_read_only_role(reader_url: str) -> None:
    with served(reader_url) as server, httpx.Client(base_url=server.base, timeout=30) as http:
        assert http.get("/health").json()["status"] == "ok"
        for path in ("/incidents?actor=Iran", "/actors?q=Iran", "/statements", "/sources"):
            response = http.get(path)
            assert response.status_code == 200, response.text
            assert response.json()["total"] > 0
        incident = http.get("/incidents").json()["items"][0]["slug"]
        assert http.get(f"/incidents/{incident}").status_code == 200


def test_the_read_only_role_cannot_write(reader_url: str) -> None:
    with psycopg.connect(_libpq(make_url(reader_url)), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE incident SET title = 'defaced'")
        # The role may lift its own read-only default; its privileges still refuse the write.
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE incident SET title = 'defaced'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE statement")


def test_a_runaway_query_is_cancelled_by_the_statement_timeout(
    shared_seeded_url: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    monkeypatch.setenv("INCIDENTDB_STATEMENT_TIMEOUT_MS", "200")
    app = create_app(Settings(database_url=shared_seeded_url))

    # Stand-in for a pathological query: the list's first statement becomes a 5 s sleep.
    @event.listens_for(app.state.engine, "before_cursor_execute", retval=True)
    def slow(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> tuple[str, Any]:
        if "FROM incident" in statement:
            return "SELECT pg_sleep(5)", {}
        return statement, params

    with AppClient(app, raise_server_exceptions=False) as http:
        started = time.monotonic()
        response = http.get("/incidents")
        assert time.monotonic() - started < 3
        # Not a server bug: a 503 that tells the client to ask for less.
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/query-timeout")
        assert "pg_sleep" not in response.text and "cancel" not in response.text
        event.remove(app.state.engine, "before_cursor_execute", slow)
        assert http.get("/incidents").status_code == 200  # the worker is free again


# -- request limits ----------------------------------------------------------------------------


def test_an_overlong_query_string_is_a_422_before_any_query(client: AppClient) -> None:
    response = client.get("/incidents?" + "&".join(["type=attack"] * 900))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalid_params"] == [
        {"name": "query_string", "reason": "10,799 bytes, over the limit of 8,192"}
    ]


@pytest.mark.parametrize(("path", "name"), [("/incidents", "actor"), ("/statements", "speaker")])
def test_a_parameter_repeated_too_often_is_a_422_naming_it(
    client: AppClient, path: str, name: str
) -> None:
    ok = client.get(f"{path}?" + "&".join([f"{name}=Iran"] * 20))
    assert ok.status_code == 200, ok.text
    response = client.get(f"{path}?" + "&".join([f"{name}=Iran"] * 21))
    assert response.status_code == 422
    assert response.json()["invalid_params"] == [
        {"name": name, "reason": "given 21 times; at most 20"}
    ]


@pytest.mark.parametrize(
    ("params", "name"),
    [({"limit": "501"}, "limit"), ({"limit": "0"}, "limit"), ({"q": "x" * 501}, "q")],
)
def test_limit_and_q_are_capped_with_a_422(
    client: AppClient, params: dict[str, str], name: str
) -> None:
    response = client.get("/incidents", params=params)
    assert response.status_code == 422
    assert [p["name"] for p in response.json()["invalid_params"]] == [name]


def test_a_long_url_through_the_real_server_is_refused_cleanly(seeded_url: str) -> None:
    with served(seeded_url) as server, httpx.Client(base_url=server.base, timeout=30) as http:
        for size in (9_000, 15_000, 60_000):
            response = http.get("/incidents?q=" + "x" * size)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["invalid_params"][0]["name"] == "query_string"
        assert http.get("/health").status_code == 200


# -- CORS --------------------------------------------------------------------------------------


def test_cors_is_off_by_default(client: AppClient) -> None:
    response = client.get("/incidents", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/incidents",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins(shared_seeded_url: str) -> None:
    settings = Settings(database_url=shared_seeded_url, cors_origins=["https://app.example.org"])
    with AppClient(create_app(settings)) as http:
        allowed = http.get("/incidents", headers={"Origin": "https://app.example.org"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
        error = http.get("/incidents?limit=0", headers={"Origin": "https://app.example.org"})
        assert error.headers["access-control-allow-origin"] == "https://app.example.org"
        other = http.get("/incidents", headers={"Origin": "https://evil.example.net"})
        assert "access-control-allow-origin" not in other.headers
        preflight = http.options(
            "/incidents",
            headers={"Origin": "https://app.example.org", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 200
        assert "GET" in preflight.headers["access-control-allow-methods"]


# -- no internals in any response --------------------------------------------------------------

INTERNALS = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "SELECT", "FROM ")


def test_a_broken_database_answers_without_internals(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    with AppClient(app, raise_server_exceptions=False) as http:
        assert http.get("/statements").status_code == 200
        admin = create_engine(seeded_url)  # the API's own connections are read-only
        with admin.begin() as conn:
            conn.execute(text("DROP TABLE statement"))
        admin.dispose()
        for path in ("/statements", "/statements/1", "/sources/1", "/incidents/1"):
            response = http.get(path)
            assert response.status_code == 500, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            leaked = [m for m in (*INTERNALS, 'statement"', seeded_url) if m in response.text]
            assert not leaked, (path, response.text)


def test_an_unreachable_database_answers_without_internals(tmp_path: Path) -> None:
    for url in (
        f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3",
        "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/nowhere",
    ):
        with AppClient(create_app(Settings(database_url=url)), raise_server_exceptions=False) as c:
            for path in ("/health", "/incidents"):
                response = c.get(path)
                assert response.status_code >= 500, response.text
                assert response.headers["content-type"] == "application/problem+json"
                leaked = [m for m in (*INTERNALS, "s3cret", str(tmp_path)) if m in response.text]
                assert not leaked, (url, path, response.text)


# -- the container -----------------------------------------------------------------------------


def final_stage(dockerfile: Path) -> list[dict[str, Any]]:
    """The instructions of the Dockerfile's last stage (the image `docker build` produces)."""
    structure = DockerfileParser(path=str(dockerfile)).structure
    last_from = max(i for i, step in enumerate(structure) if step["instruction"] == "FROM")
    return [step for step in structure[last_from:] if step["instruction"] != "COMMENT"]


def created_uids(run: str) -> dict[str, int]:
    """User name -> uid for every `useradd --uid N NAME` in a RUN command."""
    uids = {}
    for command in re.split(r"&&|;|\|\|", run):
        words = shlex.split(command)
        if not words or words[0] != "useradd":
            continue
        uid = next(
            (int(v) for flag, v in zip(words, words[1:], strict=False) if flag in ("--uid", "-u")),
            None,
        )
        assert uid is not None, f"useradd without an explicit uid: {command}"
        uids[words[-1]] = uid
    return uids


def test_the_dockerfile_final_stage_switches_to_a_non_root_user() -> None:
    """Read from the Dockerfile (no image is built here): the last stage's last USER.

    The process runs as that user: it must be created in that stage with a uid that is not 0,
    or be given as a non-zero uid, and docker-compose.yml must not override it.
    """
    stage = final_stage(PROJECT_ROOT / "Dockerfile")
    users = [step["value"].strip() for step in stage if step["instruction"] == "USER"]
    assert users, "the final stage never leaves root"
    name = users[-1].split(":", 1)[0]
    uids: dict[str, int] = {}
    for step in stage:
        if step["instruction"] == "RUN":
            uids |= created_uids(step["value"])
    uid = int(name) if name.isdigit() else uids.get(name)
    assert uid is not None, f"USER {name} is not created in the final stage"
    assert uid != 0, users[-1]
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in compose["services"].values():
        assert str(service.get("user", name)).split(":", 1)[0] not in ("root", "0"), service
