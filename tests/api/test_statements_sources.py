"""GET /statements and /sources on the seeds: provenance you can check."""

from fastapi.testclient import TestClient


def test_every_statement_offset_points_at_its_text(client: TestClient) -> None:
    statements = client.get("/statements", params={"limit": 500}).json()["items"]
    assert statements
    texts: dict[int, str] = {}
    for statement in statements:
        source_id = statement["source_id"]
        if source_id not in texts:
            texts[source_id] = client.get(f"/sources/{source_id}").json()["text"]
        assert texts[source_id][statement["start"] : statement["end"]] == statement["text"]


def test_a_state_matches_its_officials_statements(client: TestClient) -> None:
    speakers = {
        s["speaker"]["slug"]
        for s in client.get("/statements", params={"speaker": "Iran", "limit": 500}).json()["items"]
    }
    assert "nasser-kanani" in speakers
    for slug in speakers:
        chain = client.get(f"/actors/{slug}").json()
        seen = set()
        while chain["slug"] != "iran":
            assert chain["affiliation"] is not None, f"{slug} is not Iranian"
            assert chain["slug"] not in seen
            seen.add(chain["slug"])
            chain = client.get(f"/actors/{chain['affiliation']['id']}").json()


def test_speaker_spelling_variants_find_the_same_statements(client: TestClient) -> None:
    results = [
        client.get("/statements", params={"speaker": name}).json()["items"]
        for name in ("Nasser Kanani", "Kenani", "nasser kanaani")
    ]
    assert results[0] and results[0] == results[1] == results[2]


def test_statement_detail_and_404(client: TestClient) -> None:
    first = client.get("/statements", params={"limit": 1}).json()["items"][0]
    detail = client.get(f"/statements/{first['id']}").json()
    assert {k: detail[k] for k in first if k != "snippet"} == {
        k: first[k] for k in first if k != "snippet"
    }
    assert client.get("/statements/999999").status_code == 404
    assert client.get("/statements/abc").status_code == 422


def test_statements_filter_by_source_incident_and_dates(client: TestClient) -> None:
    source = client.get("/sources/004_ff1c3840c6ee87fa").json()
    by_source = client.get("/statements", params={"source": source["slug"]}).json()
    assert by_source["total"] == len(source["statements"]) > 0
    assert client.get("/statements", params={"source": str(source["id"])}).json() == by_source
    assert client.get("/statements", params={"source": "nope"}).status_code == 422
    dated = client.get(
        "/statements", params={"date_from": "2023-04-17", "date_to": "2023-04-17"}
    ).json()
    assert all(s["said_on"] == "2023-04-17" for s in dated["items"])
    linked = [
        s
        for s in client.get("/statements", params={"limit": 500}).json()["items"]
        if s["incident_id"]
    ]
    if linked:
        incident_id = linked[0]["incident_id"]
        by_incident = client.get("/statements", params={"incident": incident_id}).json()["items"]
        assert by_incident and all(s["incident_id"] == incident_id for s in by_incident)
        detail = client.get(f"/incidents/{incident_id}").json()
        assert {s["id"] for s in detail["statements"]} == {s["id"] for s in by_incident}


def test_statement_search_highlights_the_match(client: TestClient) -> None:
    body = client.get("/statements", params={"q": "Zionist"}).json()
    assert body["total"] >= 1
    assert all("<mark>" in s["snippet"] for s in body["items"])


def test_source_detail_has_text_statements_and_mention_counts(client: TestClient) -> None:
    source = client.get("/sources/000_71c336a4ce27892d").json()
    assert source["published_on"] == "2022-11-21"
    assert source["text"].startswith(" date 2022-11-21 BAKU")
    assert source["statements"]
    mentions = {m["actor"]["slug"]: m for m in source["mentions"]}
    assert mentions["iran"]["count"] >= 5
    assert mentions["iran"]["count"] == len(mentions["iran"]["spans"])
    for start, end in mentions["iran"]["spans"]:
        assert source["text"][start:end]


def test_sources_filter_by_actor_publisher_and_q(client: TestClient) -> None:
    everything = client.get("/sources").json()
    assert everything["total"] == 5
    mentioning = client.get("/sources", params={"actor": "Israel"}).json()
    assert 0 < mentioning["total"] <= 5
    publisher = client.get("/sources/000_71c336a4ce27892d").json()["publisher"]
    if publisher:
        found = client.get("/sources", params={"publisher": publisher.upper()}).json()
        assert "000_71c336a4ce27892d" in [s["slug"] for s in found["items"]]
    found = client.get("/sources", params={"q": "embassy"}).json()
    assert found["total"] >= 1 and "<mark>" in found["items"][0]["snippet"]
    assert client.get("/sources/nope").status_code == 404
