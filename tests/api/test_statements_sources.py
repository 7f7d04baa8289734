"""GET /statements and /sources on the seeds: provenance you can check."""

import re
from pathlib import Path

import yaml

from tests.inprocess import AppClient

GOLD = Path(__file__).resolve().parents[1] / "extraction" / "gold.yaml"


def test_every_statement_offset_points_at_its_text(client: AppClient) -> None:
    """After a round trip through the database, spans are the annotators' (gold.yaml)."""
    statements = client.get("/statements", params={"limit": 500}).json()["items"]
    assert statements
    sources = {s["id"]: s["slug"] for s in client.get("/sources").json()["items"]}
    texts: dict[int, str] = {}
    served = set()
    for statement in statements:
        source_id = statement["source_id"]
        if source_id not in texts:
            texts[source_id] = client.get(f"/sources/{source_id}").json()["text"]
        assert texts[source_id][statement["start"] : statement["end"]] == statement["text"]
        served.add((sources[source_id], statement["start"], statement["end"], statement["text"]))
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    assert served == {
        (row["source"], g["start"], g["end"], g["text"])
        for row in gold
        for g in row.get("statements") or []
    }


def test_a_state_matches_its_officials_statements(client: AppClient) -> None:
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


def test_speaker_spelling_variants_find_the_same_statements(client: AppClient) -> None:
    results = [
        client.get("/statements", params={"speaker": name}).json()["items"]
        for name in ("Nasser Kanani", "Kenani", "nasser kanaani")
    ]
    assert results[0] and results[0] == results[1] == results[2]


def test_statement_detail_and_404(client: AppClient) -> None:
    first = client.get("/statements", params={"limit": 1}).json()["items"][0]
    detail = client.get(f"/statements/{first['id']}").json()
    assert {k: detail[k] for k in first if k != "snippet"} == {
        k: first[k] for k in first if k != "snippet"
    }
    assert client.get("/statements/999999").status_code == 404
    assert client.get("/statements/abc").status_code == 422


def test_statements_filter_by_source_and_dates(client: AppClient) -> None:
    source = client.get("/sources/004_ff1c3840c6ee87fa").json()
    by_source = client.get("/statements", params={"source": source["slug"]}).json()
    assert by_source["total"] == len(source["statements"]) > 0
    assert client.get("/statements", params={"source": str(source["id"])}).json() == by_source
    assert client.get("/statements", params={"source": "nope"}).status_code == 422
    # The TASS report of 17 April 2023 (004) is the only source dated that day.
    dated = client.get(
        "/statements", params={"date_from": "2023-04-17", "date_to": "2023-04-17"}
    ).json()
    assert {s["id"] for s in dated["items"]} == {s["id"] for s in by_source["items"]}
    assert dated["total"] == 4
    between = {"date_from": "2023-04-18", "date_to": "2024-10-13"}  # the next report: 14 Oct
    assert client.get("/statements", params=between).json()["items"] == []


def test_statements_filter_by_incident(client: AppClient) -> None:
    statements = client.get("/statements", params={"limit": 500}).json()["items"]
    linked = {s["incident_id"] for s in statements if s["incident_id"]}
    assert len(linked) >= 5
    for incident_id in linked:
        by_incident = client.get("/statements", params={"incident": incident_id}).json()["items"]
        assert {s["id"] for s in by_incident} == {
            s["id"] for s in statements if s["incident_id"] == incident_id
        }
        detail = client.get(f"/incidents/{incident_id}").json()
        assert {s["id"] for s in detail["statements"]} == {s["id"] for s in by_incident}
    # The five quotations of the Iranian side's protest in the 31 March 2023 report (001).
    incident = client.get("/incidents/iran-demands-explanation-from-azerbaijan-2023").json()
    by_incident = client.get("/statements", params={"incident": incident["id"]}).json()["items"]
    assert sorted(s["start"] for s in by_incident) == [2962, 3041, 3577, 3642, 4019]
    source = client.get("/sources/001_9c023848c90714b3").json()
    assert {s["source_id"] for s in by_incident} == {source["id"]}


def test_statement_search_highlights_the_match(client: AppClient) -> None:
    body = client.get("/statements", params={"q": "Zionist"}).json()
    assert body["total"] >= 1
    assert all("<mark>" in s["snippet"] for s in body["items"])


def test_source_detail_has_text_statements_and_mention_counts(client: AppClient) -> None:
    source = client.get("/sources/000_71c336a4ce27892d").json()
    assert source["published_on"] == "2022-11-21"
    assert source["text"].startswith(" date 2022-11-21 BAKU")
    assert source["statements"]
    text = source["text"]
    named = {
        m["actor"]["slug"]: sorted({text[start:end] for start, end in m["spans"]})
        for m in source["mentions"]
    }
    assert named == {
        "azerbaijan": ["Azerbaijan", "Azerbaijani", "BAKU"],
        "iran": ["Iran", "Iranian"],
        "armenia": ["Armenia"],
        "ali-akbar-velayati": ["Ali Akbar Velayati", "Velayati"],
        "ilham-aliyev": ["Ilham Aliyev"],
        "organization-of-turkic-states": ["Organization of Turkic States"],
        "trend-news-agency": ["Trend"],
    }
    iran = next(m for m in source["mentions"] if m["actor"]["slug"] == "iran")
    # Every "Iran" and "Iranian" of the article, counted here from the text itself.
    assert iran["count"] == len(iran["spans"]) == len(re.findall(r"\bIran(?:ian)?\b", text))


def test_sources_filter_by_actor_publisher_and_q(client: AppClient) -> None:
    everything = client.get("/sources").json()
    assert everything["total"] == 5
    mentioning = client.get("/sources", params={"actor": "Israel"}).json()
    # Israel's names in seeds/actors.yaml, looked for in each article's text.
    israel = re.compile(r"\b(?:Israel|Israeli|State of Israel|Zionist regime|Tel Aviv|Jerusalem)\b")
    expected = {
        s["slug"]
        for s in everything["items"]
        if israel.search(client.get(f"/sources/{s['slug']}").json()["text"])
    }
    assert expected == {
        "001_9c023848c90714b3",
        "002_db466e0518d6d314",
        "003_e88328541b0bf3a9",
        "004_ff1c3840c6ee87fa",
    }
    assert {s["slug"] for s in mentioning["items"]} == expected
    publisher = client.get("/sources/000_71c336a4ce27892d").json()["publisher"]
    assert publisher == "Trend"
    found = client.get("/sources", params={"publisher": publisher.upper()}).json()
    assert [s["slug"] for s in found["items"]] == ["000_71c336a4ce27892d"]
    found = client.get("/sources", params={"q": "embassy"}).json()
    assert found["total"] >= 1 and "<mark>" in found["items"][0]["snippet"]
    assert client.get("/sources/nope").status_code == 404
