"""Incident evidence at ingest: quotes placed exactly, participants named, or PATH:LINE errors.

Every refusal leaves the database byte-for-byte as it was (the fingerprint of every row).
"""

from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS, Probe
from tests.inprocess import AppClient

ARTICLE_004 = "004_ff1c3840c6ee87fa"
EXPULSION = (
    "On April 6, four employees of the Iranian embassy in Baku were declared persona non grata "
    "and ordered to leave Azerbaijan within 48 hours."
)


def incident(
    evidence: str,
    participants: str = "    - {actor: azerbaijan, role: initiator}\n"
    "    - {actor: iran-embassy-baku, role: target}\n",
    sources: str = f"[{ARTICLE_004}]",
) -> str:
    return (
        "- slug: expulsion-under-test\n"
        "  title: Four Iranian embassy employees expelled\n"
        "  summary: Declared persona non grata.\n"
        "  type: reduce_relations\n"
        "  date_start: 2023-04-06\n"
        "  participants:\n"
        f"{participants}"
        f"  sources: {sources}\n"
        "  evidence:\n"
        f"{evidence}"
    )


def quote(text: str, source: str = ARTICLE_004, occurrence: int | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = f'    - source: {source}\n      quote: "{escaped}"\n'
    if occurrence is not None:
        lines += f"      occurrence: {occurrence}\n"
    return lines


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def refused(
    tmp_path: Path, content: str, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, list[str]]:
    path = tmp_path / "incidents.yaml"
    path.write_text(content, encoding="utf-8")
    probe = Probe(seeded_url)
    before = probe.fingerprint()
    capsys.readouterr()
    assert cli.main(["ingest", str(path)]) == 1
    assert probe.fingerprint() == before, "a refused ingest changed the database"
    return path, capsys.readouterr().err.splitlines()


def test_a_participant_the_evidence_does_not_name_is_refused(
    tmp_path: Path, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The expulsion sentence names Azerbaijan and the Iranian embassy, not Russia.
    participants = (
        "    - {actor: azerbaijan, role: initiator}\n    - {actor: russia, role: target}\n"
    )
    path, errors = refused(tmp_path, incident(quote(EXPULSION), participants), seeded_url, capsys)
    line = line_of(path, "actor: russia")
    assert errors == [f"{path}:{line}: participant 'russia' is not named in the evidence"]


def test_a_state_is_named_through_its_members_and_a_person_by_surname(
    tmp_path: Path, seeded_url: str
) -> None:
    # "Iranian embassy in Baku" names the embassy, so its ministry and Iran; "Kanani" alone
    # names Nasser Kanani.
    participants = (
        "    - {actor: iran, role: target}\n"
        "    - {actor: iran-foreign-ministry, role: target}\n"
        "    - {actor: nasser-kanani, role: unknown}\n"
    )
    evidence = quote(EXPULSION) + quote("Kanani stressed that")
    path = tmp_path / "incidents.yaml"
    path.write_text(incident(evidence, participants), encoding="utf-8")
    assert cli.main(["ingest", str(path)]) == 0
    with AppClient(create_app(Settings(database_url=seeded_url))) as client:
        detail = client.get("/incidents/expulsion-under-test").json()
    roles = {p["actor"]["slug"]: p["role"] for p in detail["participants"]}
    assert roles == {
        "iran": "target",
        "iran-foreign-ministry": "target",
        "nasser-kanani": "unknown",
    }


def test_a_quote_that_is_not_in_its_source_is_refused(
    tmp_path: Path, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # One character off (the article says "within 48 hours").
    wrong = EXPULSION.replace("48 hours", "72 hours")
    path, errors = refused(tmp_path, incident(quote(wrong)), seeded_url, capsys)
    line = line_of(path, "72 hours")
    assert errors == [f"{path}:{line}: quote not found in source '{ARTICLE_004}'"]


def test_an_ambiguous_quote_without_occurrence_is_refused(
    tmp_path: Path, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = quote(EXPULSION) + quote("Azerbaijan")
    path, errors = refused(tmp_path, incident(evidence), seeded_url, capsys)
    count = (
        (SEEDS / "articles" / f"{ARTICLE_004}.txt").read_text(encoding="utf-8").count("Azerbaijan")
    )
    line = line_of(path, 'quote: "Azerbaijan"')
    assert count > 1
    assert errors == [
        f"{path}:{line}: quote occurs {count} times in source '{ARTICLE_004}'; "
        f"say which with occurrence: 1 to {count}"
    ]


def test_an_occurrence_past_the_last_is_refused(
    tmp_path: Path, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path, errors = refused(tmp_path, incident(quote(EXPULSION, occurrence=2)), seeded_url, capsys)
    line = line_of(path, "occurrence: 2")
    assert errors == [f"{path}:{line}: occurrence 2: the quote occurs once in '{ARTICLE_004}'"]


def test_every_cited_source_needs_a_quote_and_every_quote_a_cited_source(
    tmp_path: Path, seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = incident(
        quote(EXPULSION) + quote("Velayati", source="000_71c336a4ce27892d", occurrence=1),
        sources=f"[{ARTICLE_004}, 001_9c023848c90714b3]",
    )
    path, errors = refused(tmp_path, content, seeded_url, capsys)
    assert errors == [
        f"{path}:{line_of(path, 'source: 000_')}: evidence source '000_71c336a4ce27892d' "
        "is not one of the incident's sources",
        f"{path}:{line_of(path, 'sources: [')}: source '001_9c023848c90714b3' has no evidence: "
        "quote the words that report the incident",
    ]


def test_occurrence_picks_the_passage_and_offsets_index_the_source(
    tmp_path: Path, database_url: str
) -> None:
    # A new article in the same run: its text is not in the database yet.
    text = "Baku said no.\nLater, Baku said no.\r\nThe Iranian side said yes.\n"
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "actors.yaml").write_text(
        "- {slug: azerbaijan, name: Azerbaijan, kind: state, country: AZE, metonyms: [Baku]}\n"
        "- {slug: iran, name: Iran, kind: state, country: IRN, demonyms: [Iranian]}\n",
        encoding="utf-8",
    )
    (tmp_path / "incidents.yaml").write_text(
        incident(
            quote("Baku said no.", source="a", occurrence=2)
            + quote("The Iranian side said yes.", source="a"),
            "    - {actor: azerbaijan, role: initiator}\n    - {actor: iran, role: target}\n",
            sources="[a]",
        ),
        encoding="utf-8",
    )
    assert cli.main(["ingest", str(tmp_path)]) == 0
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        detail = client.get("/incidents/expulsion-under-test").json()
        source = client.get(f"/sources/{detail['source_ids'][0]}").json()
    spans = [(e["start"], e["end"], e["text"]) for e in detail["evidence"]]
    second = text.index("Baku said no.", 1)
    assert spans[0] == (second, second + len("Baku said no."), "Baku said no.")
    for e in detail["evidence"]:
        assert source["text"][e["start"] : e["end"]] == e["text"]
    # Re-running changes nothing.
    assert cli.main(["ingest", str(tmp_path)]) == 0
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        assert (
            client.get("/incidents/expulsion-under-test").json()["evidence"] == detail["evidence"]
        )
