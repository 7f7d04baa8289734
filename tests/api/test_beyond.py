"""Facets, streamed exports, conditional requests, honest counts, ranked highlights, provenance."""

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import incident, slugs
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

# -- 1. facets ----------------------------------------------------------------------------


def test_facets_count_over_the_whole_filtered_set(mini: AppClient) -> None:
    body = mini.get(
        "/incidents",
        params=[("actor", "Azerbaijan"), ("facet", "type"), ("facet", "actor"), ("limit", "1")],
    ).json()
    assert len(body["items"]) == 1 and body["total"] == 6
    types = {v["value"]: v["count"] for v in body["facets"]["type"]["values"]}
    assert types == {"consultation": 4, "accusation": 1, "attack": 1}
    actors = body["facets"]["actor"]["values"]
    assert actors[0] == {"value": "azerbaijan", "label": "Azerbaijan", "count": 6}
    assert {"value": "russia", "label": "Russia", "count": 2} in actors
    assert body["facets"]["type"]["truncated"] is False


def test_date_facets_are_a_histogram_in_order(mini: AppClient) -> None:
    facets = mini.get("/incidents", params=[("facet", "year"), ("facet", "month")]).json()["facets"]
    assert [(v["value"], v["count"]) for v in facets["year"]["values"]] == [
        ("2021", 1),
        ("2022", 1),
        ("2023", 5),
        ("2024", 1),
    ]
    assert ("2023-03", 3) in [(v["value"], v["count"]) for v in facets["month"]["values"]]


def test_country_facet_is_labelled_with_the_country_name(mini: AppClient) -> None:
    values = mini.get("/incidents", params={"facet": "country"}).json()["facets"]["country"][
        "values"
    ]
    assert {"value": "IRN", "label": "Iran, Islamic Republic of", "count": 2} in values


def test_the_analysts_first_question_is_one_request(client: AppClient) -> None:
    """Which actors show up most in incidents involving Iran in 2023?"""
    body = client.get(
        "/incidents",
        params={
            "actor": "Iran",
            "date_from": "2023-01-01",
            "date_to": "2023-12-31",
            "facet": "actor",
        },
    ).json()
    values = body["facets"]["actor"]["values"]
    counts = [v["count"] for v in values]
    assert counts == sorted(counts, reverse=True) and values[0]["count"] <= body["total"]
    assert "azerbaijan" in [v["value"] for v in values[:3]]


def test_statement_facets_by_speaker(client: AppClient) -> None:
    values = client.get("/statements", params={"facet": "speaker"}).json()["facets"]["speaker"][
        "values"
    ]
    statements = client.get("/statements", params={"limit": 500}).json()["items"]
    speakers = Counter(s["speaker"]["slug"] for s in statements if s["speaker"])
    assert {v["value"]: v["count"] for v in values} == speakers
    assert len(set(speakers.values())) > 1, "the seeds give the ordering something to do"
    # Most statements first, ties by name: every neighbouring pair, not just the two ends.
    assert values == sorted(values, key=lambda v: (-v["count"], v["label"]))


def test_unknown_facet_is_a_422(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"facet": "colour"})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "facet"


# -- 2. exports ---------------------------------------------------------------------------


def test_csv_export_streams_the_whole_filtered_set(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"format": "csv", "actor": "Iran", "limit": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="incidents.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    page = mini.get("/incidents", params={"actor": "Iran", "limit": 500}).json()["items"]
    assert [r["slug"] for r in rows] == [i["slug"] for i in page], "limit does not cut an export"
    embassy = next(r for r in rows if r["slug"] == "embassy-attack")
    assert embassy["participants"] == "iran:initiator;azerbaijan:target"
    assert embassy["cameo_code"] == "18"


def test_accept_header_chooses_ndjson(mini: AppClient) -> None:
    response = mini.get("/actors", headers={"Accept": "application/x-ndjson"})
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [a["slug"] for a in lines] == slugs(mini.get("/actors").json())


def test_events_export_lines_up_with_gdelt_columns(mini: AppClient) -> None:
    text = mini.get("/incidents", params={"format": "events", "type": "attack"}).text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["actor1_code"] == "IRN" and row["actor1_role"] == "initiator"
    assert row["actor2_code"] == "AZE" and row["actor2_role"] == "target"
    assert row["cameo_root_code"] == "18" and row["plover_type"] == "ASSAULT"
    assert row["event_date"] == "2023-01-27"


def test_export_with_a_bad_filter_is_a_422_not_a_broken_stream(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"format": "csv", "actor": "Atlantis"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_every_list_exports_csv_and_ndjson(client: AppClient) -> None:
    for path in ("/incidents", "/actors", "/statements", "/sources"):
        total = client.get(path, params={"count": "exact"}).json()["total"]
        ndjson = client.get(path, params={"format": "ndjson"}).text.splitlines()
        rows = list(csv.DictReader(io.StringIO(client.get(path, params={"format": "csv"}).text)))
        assert len(ndjson) == len(rows) == total, path


class BodyMessages:
    """The application, counting the body messages each response is sent in."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.router = app.router  # AppClient runs the application's lifespan
        self.sent: list[list[bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        bodies: list[bytes] = []

        async def keeping(message: Any) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                bodies.append(message["body"])
            await send(message)

        if scope["type"] == "http":
            self.sent.append(bodies)
        await self.app(scope, receive, keeping)


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_an_export_is_sent_in_chunks_its_first_row_at_once(
    shared_seeded_url: str, fmt: str
) -> None:
    """Starlette steps a streamed body on a worker thread: a step a row once made exports
    wait on thread hops for 90% of their time (40,000 incidents: 8.7 s, now 4.4)."""
    counting = BodyMessages(create_app(Settings(database_url=shared_seeded_url)))
    with AppClient(counting) as http:
        for path in ("/incidents", "/statements"):
            lines = http.get(path, params={"format": fmt}).text.splitlines()
            first, *rest = counting.sent[-1]
            assert len(first.decode().splitlines()) == (2 if fmt == "csv" else 1), path
            assert len(lines) > 20 and len(rest) == 1, (path, len(rest))


SMALL_EXPORT = 4_000
LARGE_EXPORT = 40_000
# What the served process's peak memory may grow between exporting 4,000 rows and 40,000.
# Streaming in keyset batches holds one batch at a time, so the peak hardly moves; holding the
# export (a list of rows, or the whole body) costs several hundred bytes a row, so the 36,000
# extra rows would add tens of MiB (holding the rows' models: 60-100 MiB, measured). Sizes
# chosen for CI's time: generating the corpus is most of this test (100,000 incidents took
# 80 s of a PostgreSQL CI run, most of it the relevance postings, which it does not build).
MAX_PEAK_GROWTH_KIB = 8 * 1024


def peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM, Linux /proc), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


@pytest.mark.slow
def test_export_memory_stays_flat_as_the_set_grows(database_url: str, backend: str) -> None:
    """The served process, not the test client: its peak memory at 4,000 and 40,000 rows."""
    from bench.generate import generate
    from tests.serving import served

    generate(database_url, incidents=LARGE_EXPORT, seed=3, postings=False)  # no search here
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            cutoff = conn.execute(
                text("SELECT date_start FROM incident ORDER BY date_start LIMIT 1 OFFSET :n"),
                {"n": SMALL_EXPORT - 1},
            ).scalar_one()
    finally:
        engine.dispose()

    with served(database_url) as server, httpx.Client(base_url=server.base, timeout=300) as http:

        def export(**params: str) -> tuple[int, int]:
            rows = 0
            with http.stream("GET", "/incidents", params={"format": "ndjson", **params}) as r:
                assert r.status_code == 200
                for chunk in r.iter_bytes():
                    rows += chunk.count(b"\n")
            return rows, peak_kib(server.pid)

        export(date_to="1900-01-01")  # pools, caches and imports are warm before measuring
        small_rows, small_peak = export(date_to=str(cutoff))
        large_rows, large_peak = export()
    print(
        f"\n[{backend}] export peak RSS: {small_peak / 1024:.0f} MiB after {small_rows:,} rows, "
        f"{large_peak / 1024:.0f} MiB after {large_rows:,} rows"
    )
    assert SMALL_EXPORT <= small_rows < 2 * SMALL_EXPORT and large_rows == LARGE_EXPORT
    assert large_peak - small_peak < MAX_PEAK_GROWTH_KIB, (small_peak, large_peak)


# -- 3. conditional requests --------------------------------------------------------------


def test_etag_and_304_until_an_ingest_changes_the_data(mini: AppClient, mini_seeds: Path) -> None:
    first = mini.get("/incidents", params={"actor": "Iran"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = mini.get("/incidents", params={"actor": "Iran"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = mini.get("/incidents", params={"actor": "Russia"}, headers={"If-None-Match": etag})
    assert other.status_code == 200, "another query is another resource"
    assert cli.main(["ingest", str(mini_seeds)]) == 0  # nothing changes: same version
    assert (
        mini.get(
            "/incidents", params={"actor": "Iran"}, headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
        fh.write(incident("new-talks", "2025-01-01", [("iran", "participant")]))
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    changed = mini.get("/incidents", params={"actor": "Iran"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_head_answers_like_get_without_a_body(mini: AppClient) -> None:
    get = mini.get("/incidents", params={"actor": "Iran"})
    head = mini.head("/incidents", params={"actor": "Iran"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert mini.head("/incidents/nope").status_code == 404


def test_errors_carry_no_etag(mini: AppClient) -> None:
    response = mini.get("/incidents/nope")
    assert response.status_code == 404 and "etag" not in response.headers


def test_cache_control_is_configurable(mini_url: str) -> None:
    settings = Settings(database_url=mini_url, cache_control="public, max-age=60")
    with AppClient(create_app(settings)) as configured:
        assert configured.get("/actors").headers["cache-control"] == "public, max-age=60"


# -- 4. honest counts ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/incidents", "/statements", "/sources", "/actors"])
def test_count_modes(client: AppClient, path: str) -> None:
    exact = client.get(path, params={"count": "exact"}).json()
    assert exact["total_accuracy"] == "exact"
    estimated = client.get(path).json()
    assert estimated["total"] == exact["total"]  # small sets are always counted exactly
    none = client.get(path, params={"count": "none", "limit": 2}).json()
    assert none["total_accuracy"] == "at_least"
    assert none["total"] == min(3, exact["total"])
    assert client.get(path, params={"count": "roughly"}).status_code == 422


# -- 5. ranked search with highlights -----------------------------------------------------


def test_q_sorts_by_relevance_with_scores_and_highlight_offsets(client: AppClient) -> None:
    body = client.get("/incidents", params={"q": "embassy", "limit": 500}).json()
    scores = [i["score"] for i in body["items"]]
    assert scores and scores == sorted(scores, reverse=True)
    # Every "embassy" in a title or summary is highlighted, and nothing else is.
    for item in body["items"]:
        expected = {
            (field, m.start(), m.end())
            for field in ("title", "summary")
            for m in re.finditer(r"\bembass\w*", item[field] or "", flags=re.IGNORECASE)
        }
        assert {(h["field"], h["start"], h["end"]) for h in item["highlights"]} == expected
    assert sum(len(item["highlights"]) for item in body["items"]) >= 8
    dated = client.get("/incidents", params={"q": "embassy", "sort": "-date"}).json()["items"]
    assert [i["date_start"] for i in dated] == sorted(
        (i["date_start"] for i in dated), reverse=True
    )


def test_statement_highlights_point_into_the_source_too(client: AppClient) -> None:
    items = client.get("/statements", params={"q": "Azerbaijan"}).json()["items"]
    assert items
    for item in items:
        text = client.get(f"/sources/{item['source_id']}").json()["text"]
        # Every "Azerbaijan" (or "Azerbaijani") of the quotation is highlighted; a statement
        # found through its speaker's name alone has nothing in its text to highlight.
        expected = {m.span() for m in re.finditer(r"\bAzerbaijan\w*", item["text"])}
        assert {(h["start"], h["end"]) for h in item["highlights"]} == expected
        for h in item["highlights"]:
            assert h["field"] == "text"
            assert h["source_start"] == item["start"] + h["start"]
            assert text[h["source_start"] : h["source_end"]] == item["text"][h["start"] : h["end"]]
    assert sum(len(item["highlights"]) for item in items) >= 10


def test_relevance_walk_visits_every_match_once(client: AppClient) -> None:
    total = client.get("/incidents", params={"q": "Azerbaijan", "count": "exact"}).json()["total"]
    seen, cursor = [], None
    while True:
        params = {"q": "Azerbaijan", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/incidents", params=params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == total


def test_relevance_without_q_is_a_422_naming_sort(client: AppClient) -> None:
    for path in ("/incidents", "/statements", "/sources"):
        response = client.get(path, params={"sort": "relevance"})
        assert response.status_code == 422
        assert response.json()["invalid_params"][0]["name"] == "sort"


# -- 6. provenance ------------------------------------------------------------------------


def test_statement_detail_carries_its_sentence_and_hashes(client: AppClient) -> None:
    import hashlib

    first = client.get("/statements", params={"limit": 1}).json()["items"][0]
    detail = client.get(f"/statements/{first['id']}").json()
    source = client.get(f"/sources/{first['source_id']}").json()
    assert detail["verified"] is True
    assert detail["text"] in detail["sentence"]
    assert source["text"][detail["sentence_start"] : detail["sentence_end"]] == detail["sentence"]
    assert detail["text_sha256"] == hashlib.sha256(detail["text"].encode()).hexdigest()
    assert detail["source_sha256"] == source["content_hash"]


def test_verify_reports_a_source_in_order(client: AppClient) -> None:
    report = client.get("/sources/000_71c336a4ce27892d/verify").json()
    assert report["ok"] is True and report["content_hash_ok"] is True
    assert report["statements_checked"] >= 1 and report["drifted"] == []
    assert client.get("/sources/nope/verify").status_code == 404


def test_verify_finds_drift_after_the_text_is_tampered_with(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine, text

    assert cli.main(["verify"]) == 0
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE source SET text = 'X' || text WHERE slug = '004_ff1c3840c6ee87fa'")
        )
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "004_ff1c3840c6ee87fa" in out and "drifted" in out
    with AppClient(create_app(Settings(database_url=seeded_url))) as tampered:
        report = tampered.get("/sources/004_ff1c3840c6ee87fa/verify").json()
    assert report["ok"] is False and report["content_hash_ok"] is False and report["drifted"]


def test_verify_checks_incident_evidence_offsets_too(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine, text

    with AppClient(create_app(Settings(database_url=seeded_url))) as client:
        report = client.get("/sources/004_ff1c3840c6ee87fa/verify").json()
    assert report["ok"] is True and report["evidence_checked"] >= 10
    assert report["evidence_drifted"] == []
    # Shift one evidence span by a character: the text and every statement still agree.
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                'UPDATE incident_evidence SET start = start + 1, "end" = "end" + 1 '
                "WHERE position = 0 AND incident_id = "
                "(SELECT id FROM incident WHERE slug = 'azerbaijan-expels-iranian-diplomats-2023')"
            )
        )
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "004_ff1c3840c6ee87fa: content hash ok, 0 drifted statements, 1 drifted" in out
    with AppClient(create_app(Settings(database_url=seeded_url))) as client:
        report = client.get("/sources/004_ff1c3840c6ee87fa/verify").json()
    assert report["ok"] is False and report["content_hash_ok"] is True and not report["drifted"]
    [drift] = report["evidence_drifted"]
    assert drift["stored"].startswith("On April 6") and drift["found"].startswith("n April 6")


def test_whole_dataset_facets_are_kept_until_an_ingest_changes_the_data(
    mini: AppClient, mini_seeds: Path
) -> None:
    """Unfiltered facets are kept per data version: the next ingest's rows are counted."""

    def facets() -> dict[str, dict[object, int]]:
        body = mini.get("/incidents", params=[("facet", "type"), ("facet", "year")]).json()
        return {
            name: {v["value"]: v["count"] for v in facet["values"]}
            for name, facet in body["facets"].items()
        }

    before = facets()
    assert facets() == before  # kept, and the same
    with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
        fh.write(incident("late-news", "2030-01-01", [("iran", "participant")], type="arrest"))
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    after = facets()
    assert after["year"] == {**before["year"], "2030": 1}
    assert after["type"] == {**before["type"], "arrest": before["type"].get("arrest", 0) + 1}


def test_a_filtered_lists_facets_are_kept_for_its_next_pages_until_an_ingest(
    mini: AppClient, mini_seeds: Path
) -> None:
    """A filtered list's facets are the same on each of its pages: counted on the first,
    read back on the next ones (no GROUP BY run again), the next ingest's rows counted."""
    params = [("actor", "Iran"), ("facet", "type"), ("facet", "year"), ("limit", "1")]

    def counts(body: dict[str, Any]) -> dict[str, dict[object, int]]:
        return {
            name: {v["value"]: v["count"] for v in facet["values"]}
            for name, facet in body["facets"].items()
        }

    # Grouped in SQL: from the incident columns (app/incidents/columns.py) nothing is grouped.
    url = mini.app.state.settings.database_url  # type: ignore[attr-defined]
    grouping = AppClient(create_app(Settings(database_url=url, incident_columns=False)))
    with grouping:
        first = grouping.get("/incidents", params=params).json()
        assert first["next_cursor"] and counts(first)["type"], first
        with counted_statements(grouping) as seen:
            second = grouping.get("/incidents", params=[*params, ("cursor", first["next_cursor"])])
        assert counts(second.json()) == counts(first)
        assert not [s for s in seen if "GROUP BY" in s], seen
        with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
            fh.write(
                incident("late-arrest", "2030-01-01", [("iran", "participant")], type="arrest")
            )
        assert cli.main(["ingest", str(mini_seeds)]) == 0
        after = counts(grouping.get("/incidents", params=params).json())
    before = counts(first)
    assert after["year"] == {**before["year"], "2030": 1}
    assert after["type"] == {**before["type"], "arrest": before["type"].get("arrest", 0) + 1}


def test_a_state_matches_an_official_added_by_a_later_ingest(
    mini: AppClient, mini_seeds: Path
) -> None:
    """What an actor's name resolves to is kept per data version: the next ingest's new
    official of a state is matched by the state's name at once."""
    before = slugs(mini.get("/incidents", params={"actor": "Iran", "limit": 100}).json())
    assert slugs(mini.get("/incidents", params={"actor": "Iran", "limit": 100}).json()) == before
    with (mini_seeds / "actors.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "- slug: new-envoy\n  name: Parviz Newenvoy\n  kind: person\n  country: IRN\n"
            "  affiliation: iran\n"
        )
    with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
        fh.write(incident("envoy-visit", "2025-02-02", [("new-envoy", "participant")]))
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    after = slugs(mini.get("/incidents", params={"actor": "Iran", "limit": 100}).json())
    assert after == ["envoy-visit", *before]


def test_a_filtered_total_counts_the_next_ingests_rows(mini: AppClient, mini_seeds: Path) -> None:
    """Totals of the same filters are kept per data version: the next ingest's match counts."""

    def total() -> int:
        body = mini.get("/incidents", params={"type": "attack", "country": "IRN"}).json()
        return int(body["total"])

    before = total()
    assert before > 0 and total() == before  # asked twice: the second is the kept one
    with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            incident(
                "second-attack", "2024-05-05", [("iran", "target")], type="attack", country="IRN"
            )
        )
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    assert total() == before + 1


@pytest.mark.parametrize(
    ("path", "name", "values"),
    [
        ("/incidents", "type", ["attack", "protest", "accusation"]),
        ("/incidents", "country", ["IRN", "AZE", "ISR"]),
        ("/incidents", "actor", ["Iran", "Azerbaijan", "Israel"]),
        ("/statements", "speaker", ["Iran", "Azerbaijan", "Israel"]),
    ],
)
def test_kept_totals_are_per_filter_value(
    client: AppClient, path: str, name: str, values: list[str]
) -> None:
    """Totals kept per data version are kept per value too: the same filter with another
    value (the same statement, other parameters) is counted on its own."""
    totals = []
    for value in values:
        for _ in range(2):  # the second answer is the kept one
            body = client.get(path, params={name: value, "limit": 100}).json()
            assert body["total"] == len(body["items"]), (name, value)
        totals.append(body["total"])
    assert len(set(totals)) > 1, totals  # the values must match different sets to prove it
