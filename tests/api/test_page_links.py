"""What the database now assembles for the API (issue 17, request path seventh pass): a list
page's participants and source ids, and a detail's participants, sources and evidence, come
as JSON arrays built in SQL; list statements without actors or a search are built once per
process. The answers must be the same as the tables say, in the same order, byte for byte
what the documented models make of them."""

from collections import defaultdict
from typing import Any

import pytest

from app.incidents.schemas import IncidentDetail
from tests.conftest import Probe
from tests.inprocess import AppClient


def _every_incident(client: AppClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = "/incidents?limit=100&sort=date"
    while url is not None:
        body = client.get(url).json()
        items += body["items"]
        url = (
            f"/incidents?limit=100&sort=date&cursor={body['next_cursor']}"
            if body["next_cursor"]
            else None
        )
    return items


def test_participants_sources_and_evidence_in_the_tables_order(
    client: AppClient, shared_seeded_url: str
) -> None:
    """Participants in curated order (position, then actor id), sources by id, evidence by
    position: on every list item and every detail, as the tables hold them."""
    probe = Probe(shared_seeded_url)
    participants: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for incident_id, slug, role in probe.rows(
        "SELECT p.incident_id, a.slug, p.role FROM incident_participant p "
        "JOIN actor a ON a.id = p.actor_id ORDER BY p.incident_id, p.position, a.id"
    ):
        participants[incident_id].append((slug, role))
    sources: dict[int, list[int]] = defaultdict(list)
    for incident_id, source_id in probe.rows(
        "SELECT incident_id, source_id FROM incident_source ORDER BY incident_id, source_id"
    ):
        sources[incident_id].append(source_id)
    evidence: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
    for incident_id, source_id, start, end, text in probe.rows(
        'SELECT incident_id, source_id, start, "end", text FROM incident_evidence '
        "ORDER BY incident_id, position"
    ):
        evidence[incident_id].append((source_id, start, end, text))
    # The seeds must be able to tell the orders apart, or this test could not fail.
    by_actor_id = dict(
        probe.rows(
            "SELECT slug, id FROM actor WHERE id IN (SELECT actor_id FROM incident_participant)"
        )
    )
    assert any(
        [by_actor_id[slug] for slug, _ in found] != sorted(by_actor_id[slug] for slug, _ in found)
        for found in participants.values()
    ), "no incident whose curated order differs from its actors' ids"
    assert any(len(ids) > 1 for ids in sources.values())
    assert any(len(found) > 1 for found in evidence.values())

    items = _every_incident(client)
    assert len(items) == probe.scalar("SELECT count(*) FROM incident")
    for item in items:
        expected = participants[item["id"]]
        assert [(p["actor"]["slug"], p["role"]) for p in item["participants"]] == expected
        assert item["source_ids"] == sources[item["id"]]
        detail = client.get(f"/incidents/{item['id']}").json()
        assert detail["participants"] == item["participants"]
        assert [s["id"] for s in detail["sources"]] == sources[item["id"]]
        assert [
            (e["source_id"], e["start"], e["end"], e["text"]) for e in detail["evidence"]
        ] == evidence[item["id"]]


def test_incident_details_are_the_bytes_their_model_makes(client: AppClient) -> None:
    """A detail is written from plain dicts (the detail query's JSON), not from its model:
    its bytes must be what IncidentDetail makes of the same data."""
    items = _every_incident(client)
    with_statements = 0
    for item in items:
        body = client.get(f"/incidents/{item['slug']}").content
        detail = IncidentDetail.model_validate_json(body)
        assert body == detail.model_dump_json().encode(), item["slug"]
        with_statements += bool(detail.statements)
    assert with_statements, "no seeded incident has statements: the test would miss them"


FILTERED = [
    {"type": "arrest"},
    {"type": "protest"},
    {"type": ["arrest", "protest"]},
    {"country": "IRN"},
    {"country": "USA"},
    {"date_from": "2023-01-01"},
    {"date_from": "2024-01-01"},
    {"date_to": "2023-06-30"},
    {"date_from": "2023-01-01", "date_to": "2023-06-30"},
    {"type": "arrest", "country": "IRN"},
]


@pytest.mark.parametrize("sort", ["-date", "date"])
def test_statements_built_once_answer_each_filter(
    client: AppClient, shared_seeded_url: str, sort: str
) -> None:
    """Lists without actors or a search reuse the statement built for the same filters: each
    filter value, asked in turn and again, gives its own matches, as the table counts them."""
    probe = Probe(shared_seeded_url)

    def expected(params: dict[str, Any]) -> int:
        where = ["1 = 1"]
        types = params.get("type")
        if types:
            types = [types] if isinstance(types, str) else types
            where.append("type IN (" + ", ".join(f"'{t}'" for t in types) + ")")
        if "country" in params:
            where.append(f"location_country = '{params['country']}'")
        if "date_from" in params:
            where.append(f"date_end >= '{params['date_from']}'")
        if "date_to" in params:
            where.append(f"date_start <= '{params['date_to']}'")
        return int(probe.scalar(f"SELECT count(*) FROM incident WHERE {' AND '.join(where)}"))

    totals = []
    for _ in range(2):  # the second round reads the statements kept by the first
        for params in FILTERED:
            body = client.get("/incidents", params={**params, "limit": 100, "sort": sort}).json()
            assert body["total"] == expected(params) == len(body["items"]), params
            totals.append(body["total"])
    assert len(set(totals)) > 3, totals  # the filters must match different sets
