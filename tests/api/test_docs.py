"""OpenAPI: described, snapshotted, and rendered offline."""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient

SNAPSHOT = Path(__file__).parent / "openapi.json"


@pytest.fixture
def schema(client: AppClient) -> dict[str, object]:
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def test_openapi_matches_the_committed_snapshot(schema: dict[str, object]) -> None:
    """A contract change must be a deliberate diff: run with UPDATE_OPENAPI_SNAPSHOT=1."""
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert schema == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_openapi_examples_are_real_seed_data() -> None:
    """Refresh with `python -m app.examples` after a deliberate seed or API change."""
    from app import examples
    from app.api.openapi import load_examples

    assert examples.generate() == load_examples()


def test_every_response_model_has_an_example(schema: dict[str, object]) -> None:
    components = schema["components"]["schemas"]  # type: ignore[index]
    for name in (
        "IncidentRead",
        "IncidentDetail",
        "ActorRead",
        "ActorDetail",
        "StatementRead",
        "StatementDetail",
        "SourceRead",
        "SourceDetail",
        "Page_IncidentRead_",
        "Page_StatementRead_",
        "Page_SourceRead_",
        "Page_ActorRead_",
        "Health",
    ):
        assert components[name].get("examples"), name


def test_every_operation_and_parameter_is_described(schema: dict[str, object]) -> None:
    paths = schema["paths"]
    assert isinstance(paths, dict)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("description") or operation.get("summary"), (method, path)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])


def test_contract_endpoints_are_all_documented(schema: dict[str, object]) -> None:
    assert {
        "/incidents",
        "/incidents/{key}",
        "/actors",
        "/actors/{key}",
        "/statements",
        "/statements/{statement_id}",
        "/sources",
        "/sources/{key}",
        "/health",
    } <= set(schema["paths"])  # type: ignore[arg-type]


class AssetLinks(HTMLParser):
    """Every URL a page makes the browser fetch: scripts, stylesheets, icons, images, specs."""

    LINKING = {"script": "src", "img": "src", "link": "href", "redoc": "spec-url"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        url = dict(attrs).get(self.LINKING.get(tag, ""))
        if url:
            self.urls.append((tag, url))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:  # url(...) and @import inside an inline stylesheet
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", data):
                self.urls.append(("style", url[0] or url[1]))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_their_assets_from_this_server(client: AppClient, page: str) -> None:
    """The docs work offline: every asset URL is a path on this server, and it answers."""
    html = client.get(page).text
    parser = AssetLinks()
    parser.feed(html)
    tags = [tag for tag, _ in parser.urls]
    assert "script" in tags and "link" in tags, parser.urls
    for tag, url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), (tag, url)
        response = client.get(url)
        assert response.status_code == 200, (tag, url)
        if tag == "script":  # the real bundle, not a stub
            assert len(response.content) > 100_000, url
    # Inline scripts that fetch something name it as a string: only our own paths.
    for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL):
        for url in re.findall(r"['\"]((?:https?:)?//[^'\"]+)['\"]", script):
            raise AssertionError(f"{page} fetches {url}")


def test_no_stack_trace_on_docs_when_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.sqlite3"))
    with AppClient(app, raise_server_exceptions=False) as client:
        assert client.get("/openapi.json").status_code == 200
        response = client.get("/health")
    # Unreachable is a 503 a load balancer acts on (issue 17), never a 500.
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert str(tmp_path) not in response.text
