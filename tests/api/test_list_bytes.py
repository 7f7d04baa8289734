"""List pages are serialised from plain dicts (app.api.pages.PlainPage), not from models: their
bytes must still be exactly what the documented models make of the same data."""

from typing import Any

import pytest

from app.actors.schemas import ActorRead
from app.api.pages import Page
from app.incidents.schemas import IncidentRead
from app.sources.schemas import SourceRead
from app.statements.schemas import StatementRead
from tests.inprocess import AppClient

INCIDENT_LISTS = [
    "/incidents",
    "/incidents?limit=3",
    "/incidents?actor=Iran",
    "/incidents?q=embassy",
    "/incidents?q=embassy&sort=-date",
    "/incidents?facet=type&facet=actor&facet=country&facet=year",
    "/incidents?count=none&limit=2",
    "/incidents?sort=date&limit=2",
]
STATEMENT_LISTS = [
    "/statements",
    "/statements?limit=3",
    "/statements?speaker=Iran",
    "/statements?q=relations",
    "/statements?q=relations&sort=-date",
    "/statements?facet=speaker&facet=source&facet=month",
    "/statements?include_duplicates=true&limit=100",
]
SOURCE_LISTS = [
    "/sources",
    "/sources?limit=3",
    "/sources?actor=Iran",
    "/sources?q=relations",
    "/sources?q=relations&sort=-date",
]
ACTOR_LISTS = [
    "/actors",
    "/actors?limit=3",
    "/actors?kind=person",
    "/actors?country=IRN",
    "/actors?q=ministry",
]


def _pages(client: AppClient, path: str) -> list[bytes]:
    """Every page of a list (up to five), following its cursors."""
    bodies = []
    url: str | None = path
    while url is not None and len(bodies) < 5:
        r = client.get(url)
        assert r.status_code == 200, r.text
        bodies.append(r.content)
        cursor = r.json()["next_cursor"]
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}cursor={cursor}" if cursor else None
    return bodies


def _as_the_model_makes_it(model: Any, body: bytes) -> bytes:
    return Page[model].model_validate_json(body).model_dump_json().encode()


@pytest.mark.parametrize(
    ("model", "paths"),
    [
        (IncidentRead, INCIDENT_LISTS),
        (StatementRead, STATEMENT_LISTS),
        (SourceRead, SOURCE_LISTS),
        (ActorRead, ACTOR_LISTS),
    ],
)
def test_list_pages_are_the_bytes_their_models_make(
    client: AppClient, model: Any, paths: list[str]
) -> None:
    items: list[dict[str, Any]] = []
    for path in paths:
        for body in _pages(client, path):
            assert body == _as_the_model_makes_it(model, body), path
            items += Page[dict[str, Any]].model_validate_json(body).items
    # The pages above hold what each field can be, or the comparison proves little.
    if model is ActorRead:
        assert any(i["affiliation"] for i in items)
        assert any(i["title"] for i in items)
        for field in ("aliases", "demonyms", "metonyms"):
            assert any(len(i[field]) > 1 for i in items), field
        return
    assert any(i.get("score") is not None for i in items)
    assert any(i.get("highlights") for i in items)
    assert any(i.get("snippet") for i in items)
    if model is StatementRead:
        assert any(i["speaker"] is not None for i in items)
        assert any(i["attribution"]["evidence"] for i in items)
        assert any(h.get("source_start") is not None for i in items for h in i["highlights"] or [])
    elif model is SourceRead:
        assert any(i["published_on"] is not None for i in items)
        assert any(i["duplicate_of"] is not None for i in items) or len(items) > 10
    else:
        assert any(i["participants"] for i in items)
        assert any(i["plover_type"] is None for i in items) or any(
            i["severity"] is None for i in items
        )


def test_actor_list_items_are_the_actors_details(client: AppClient) -> None:
    """A list item of an actor (built from plain rows, kept per data version) says what the
    actor's own page (built from its ORM object) says."""
    for body in _pages(client, "/actors?limit=40"):
        for item in Page[dict[str, Any]].model_validate_json(body).items:
            detail = client.get(f"/actors/{item['slug']}").json()
            assert item == {k: v for k, v in detail.items() if k in item}, item["slug"]
            assert list(item) == list(ActorRead.model_fields)
