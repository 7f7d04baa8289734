"""A Python client generated from /openapi.json works against the running server, as a new
user would try it: function names are the route names, pages are typed, errors are problems."""

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.serving import Server, served

PACKAGE = "incidentdb_client"


@pytest.fixture(scope="module")
def server(shared_seeded_url: str) -> Iterator[Server]:
    with served(shared_seeded_url) as running:
        yield running


@pytest.fixture(scope="module")
def generated(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The client package openapi-python-client writes from the live schema."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "openapi.json"
    schema.write_bytes(httpx.get(f"{server.base}/openapi.json", timeout=30).content)
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter needed on PATH
    result = subprocess.run(
        [str(Path(sys.executable).with_name("openapi-python-client")), "generate"]
        + ["--path", str(schema), "--meta", "none", "--config", str(config)]
        + ["--output-path", str(folder / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield folder / PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def api(generated: Path, server: Server) -> Any:
    return _module("client").Client(base_url=server.base, timeout=30)


def test_generated_functions_are_named_after_the_routes(generated: Path) -> None:
    modules = {p.stem for p in (generated / "api").glob("*/*.py") if p.stem != "__init__"}
    assert {
        "list_incidents",
        "get_incident",
        "list_incident_types",
        "list_actors",
        "get_actor",
        "list_statements",
        "get_statement",
        "list_sources",
        "get_source",
        "verify_source",
        "list_versions",
        "list_changes",
        "health",
    } == modules


def test_a_cursor_walk_through_typed_pages_visits_every_incident_once(api: Any) -> None:
    list_incidents = _module("api.incidents.list_incidents")
    page_type = _module("models").PageIncidentRead
    seen: list[int] = []
    cursor: Any = _module("types").UNSET
    total = None
    while True:
        page = list_incidents.sync(client=api, limit=3, cursor=cursor)
        assert isinstance(page, page_type)
        total = page.total
        seen.extend(item.id for item in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == total > 3


def test_a_detail_and_a_verification_come_back_typed(api: Any) -> None:
    first = _module("api.incidents.list_incidents").sync(client=api, limit=1).items[0]
    detail = _module("api.incidents.get_incident").sync(client=api, key=first.slug)
    assert isinstance(detail, _module("models").IncidentDetail)
    assert detail.id == first.id
    source = detail.sources[0]
    verification = _module("api.sources.verify_source").sync(client=api, key=source.slug)
    assert isinstance(verification, _module("models").VerificationRead)
    assert verification.ok is True


def test_a_bad_parameter_is_parsed_as_a_problem(api: Any) -> None:
    response = _module("api.statements.list_statements").sync_detailed(
        client=api, speaker=["Atlantis"]
    )
    assert response.status_code == 422
    problem = response.parsed
    assert isinstance(problem, _module("models").ProblemDetail)
    assert problem.status == 422
    assert [p.name for p in problem.invalid_params] == ["speaker"]
