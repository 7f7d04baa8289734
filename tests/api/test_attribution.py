"""Every statement says how its speaker was decided, how far to trust it, and where the source
shows it (issue 11): `attribution` {method, confidence, evidence}, `min_confidence`, and
`verify` re-checking the evidence offsets. On SQLite and PostgreSQL, through HTTP and the CLI."""

import csv
import io
import json

import pytest
from sqlalchemy import JSON, bindparam, create_engine, text

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient


def _all_statements(client: AppClient, **params: object) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/statements", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_every_statement_has_an_attribution_whose_evidence_is_in_its_source(
    client: AppClient,
) -> None:
    statements = _all_statements(client)
    assert len(statements) == 23
    texts: dict[int, str] = {}
    for statement in statements:
        attribution = statement["attribution"]
        assert 0.0 <= attribution["confidence"] <= 1.0
        if statement["speaker"] is None:
            continue
        assert attribution["method"] != "none", statement
        assert attribution["evidence"], statement
        source_id = statement["source_id"]
        if source_id not in texts:
            texts[source_id] = client.get(f"/sources/{source_id}").json()["text"]
        for span in attribution["evidence"]:
            assert texts[source_id][span["start"] : span["end"]] == span["text"]
        # The words the article uses for the speaker are among the evidence (the name, the
        # role phrase or the pronoun with its reporting verb).
        assert any(statement["speaker_text"] in span["text"] for span in attribution["evidence"])


def test_a_pronoun_is_backed_by_the_name_it_stands_for(client: AppClient) -> None:
    velayati = [s for s in _all_statements(client, speaker="Velayati") if s["speaker_text"] == "he"]
    assert len(velayati) == 1
    evidence = [span["text"] for span in velayati[0]["attribution"]["evidence"]]
    assert "he said" in evidence and "Ali Akbar Velayati" in evidence


def test_min_confidence_keeps_exactly_the_statements_at_or_above_it(client: AppClient) -> None:
    everything = _all_statements(client)
    confidences = sorted({s["attribution"]["confidence"] for s in everything})
    assert len(confidences) >= 2, "the seeds should exercise passes of different precision"
    threshold = confidences[-1]  # the most precise pass only
    kept = _all_statements(client, min_confidence=threshold)
    expected = {s["id"] for s in everything if s["attribution"]["confidence"] >= threshold}
    assert {s["id"] for s in kept} == expected
    assert 0 < len(kept) < len(everything)
    total = client.get("/statements", params={"min_confidence": threshold}).json()["total"]
    assert total == len(expected)
    assert len(_all_statements(client, min_confidence=0)) == len(everything)


def _walk(client: AppClient, **params: object) -> tuple[list[int], int | None]:
    """Every page's ids, two at a time through the cursors, and the first page's total."""
    ids: list[int] = []
    body = client.get("/statements", params={"limit": 2, **params}).json()
    total = body["total"]
    while True:
        ids += [s["id"] for s in body["items"]]
        if not body["next_cursor"]:
            return ids, total
        cursor = body["next_cursor"]
        body = client.get("/statements", params={"limit": 2, "cursor": cursor, **params}).json()


@pytest.mark.parametrize("listed", [0, 3, 10**6])
def test_min_confidence_with_the_other_filters_in_either_shape(
    shared_seeded_url: str, monkeypatch: pytest.MonkeyPatch, listed: int
) -> None:
    """SQLite gives a confidence kept by at most LISTED_CONFIDENT statements as their ids, and
    a more common one as a walk no index serves (0: every confidence but an empty one
    walked; 10**6: every one listed): the same statements, order, pages and totals as the
    statements of the same filters without it, kept by confidence."""
    from app.statements import repository

    monkeypatch.setattr(repository, "LISTED_CONFIDENT", listed)
    with AppClient(create_app(Settings(database_url=shared_seeded_url))) as client:
        everything = _all_statements(client)
        confidence = {s["id"]: s["attribution"]["confidence"] for s in everything}
        speaker = next(s["speaker"]["slug"] for s in everything if s["speaker"])
        word = everything[0]["text"].split()[0].strip(".,\"'")
        said = sorted(s["said_on"] for s in everything if s["said_on"])
        filters: list[dict[str, object]] = [
            {},
            {"speaker": speaker},
            {"speaker": "iran"},
            {"q": word},
            {"q": word, "sort": "relevance"},
            {"date_from": said[len(said) // 3], "date_to": said[-2]},
            {"source": everything[0]["source_id"]},
        ]
        thresholds = [0.0, *sorted(set(confidence.values())), 0.999]
        for params in filters:
            unfiltered, _ = _walk(client, **params)
            for at in thresholds:
                ids, total = _walk(client, min_confidence=at, **params)
                expected = [i for i in unfiltered if confidence[i] >= at]
                assert ids == expected, (params, at)
                assert total == len(expected), (params, at)
                years = client.get(
                    "/statements", params={"min_confidence": at, "facet": "year", **params}
                ).json()["facets"]["year"]
                assert sum(v["count"] for v in years["values"]) == sum(
                    1 for i in expected if next(s for s in everything if s["id"] == i)["said_on"]
                ), (params, at)


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "high", "nan"])
def test_min_confidence_outside_0_to_1_is_a_422_naming_it(client: AppClient, bad: str) -> None:
    response = client.get("/statements", params={"min_confidence": bad})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in response.json()["invalid_params"]] == ["min_confidence"]


def test_csv_export_carries_the_attribution_method_and_confidence(client: AppClient) -> None:
    response = client.get("/statements", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 23
    served = {s["id"]: s["attribution"] for s in _all_statements(client)}
    for row in rows:
        attribution = served[int(row["id"])]
        assert row["attribution_method"] == attribution["method"]
        assert float(row["attribution_confidence"]) == attribution["confidence"]


def test_verify_finds_evidence_that_no_longer_points_at_its_words(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["verify"]) == 0
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        statement_id, source_id, stored = conn.execute(
            text(
                "SELECT id, source_id, attribution_evidence FROM statement"
                " WHERE speaker_text = 'he' ORDER BY id LIMIT 1"
            )
        ).one()
        evidence = json.loads(stored) if isinstance(stored, str) else stored
        first = evidence[0]
        # Shift one evidence span by a character: the quotation itself still matches.
        evidence[0] = {**first, "start": first["start"] + 1, "end": first["end"] + 1}
        conn.execute(
            text("UPDATE statement SET attribution_evidence = :evidence WHERE id = :id").bindparams(
                bindparam("evidence", evidence, type_=JSON), id=statement_id
            )
        )
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["verify"]) == 1
    assert f"statement {statement_id}" in capsys.readouterr().out
    with AppClient(create_app(Settings(database_url=seeded_url))) as tampered:
        report = tampered.get(f"/sources/{source_id}/verify").json()
    assert report["ok"] is False and report["content_hash_ok"] is True
    assert [(d["statement_id"], d["part"], d["stored"]) for d in report["drifted"]] == [
        (statement_id, "attribution_evidence", first["text"])
    ]
    assert report["attribution_evidence_checked"] >= 1
