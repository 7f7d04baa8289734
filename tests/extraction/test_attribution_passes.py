"""Every pass of the attribution sieve decides its own invented examples, and leaves its
counterexamples to another pass (or to no one), with the speaker the whole sieve must give."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extraction import ExtractedStatement, Gazetteer, KnownActor, extract_article
from app.extraction.attribution import PASSES, Pass
from app.extraction.attribution.passes import Example
from app.extraction.evaluate import load_actors

# An invented world: no real state, body or person.
WORLD = Gazetteer.build(
    [
        KnownActor("norland", "Norland", "state", "NRL", None, (), ("Norlandic",), ("Vessby",)),
        KnownActor("sudoria", "Sudoria", "state", "SUD", None, (), ("Sudorian",), ("Port Amal",)),
    ]
)


def target_statement(text: str, target: int = -1) -> ExtractedStatement:
    statements = extract_article(text, WORLD).statements
    assert statements, f"no statement found in {text!r}"
    return statements[target]


CASES = [pytest.param(p, e, id=f"{p.id}-{n}") for p in PASSES for n, e in enumerate(p.examples)]
COUNTER_CASES = [
    pytest.param(p, e, id=f"{p.id}-{n}") for p in PASSES for n, e in enumerate(p.counterexamples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_pass_decides_its_examples(rule: Pass, example: Example) -> None:
    found = target_statement(example.text, example.target)
    assert (found.attribution.method, found.speaker) == (rule.id, example.speaker)


@pytest.mark.parametrize(("rule", "example"), COUNTER_CASES)
def test_pass_leaves_its_counterexamples(rule: Pass, example: Example) -> None:
    found = target_statement(example.text, example.target)
    assert found.attribution.method != rule.id
    assert found.speaker == example.speaker


def test_every_pass_has_an_id_a_description_and_both_kinds_of_example() -> None:
    ids = [p.id for p in PASSES]
    assert len(set(ids)) == len(ids)
    for p in PASSES:
        assert p.description and "\n" not in p.description
        assert p.examples and p.counterexamples, p.id


def test_evidence_spans_point_into_the_article() -> None:
    text = (
        'Spokesman Ivan Orlov said President Karl Weiss had discussed the matter. "Talks will '
        'continue," he said.'
    )
    found = target_statement(text)
    assert found.speaker == "ivan-orlov"
    assert all(text[e.start : e.end] == e.text for e in found.attribution.evidence)
    assert [e.text for e in found.attribution.evidence] == ["he said", "Ivan Orlov"]


CORPORA = Path(__file__).resolve().parent / "heldout"


@pytest.mark.parametrize("corpus", ["dev", "test", "final"])
def test_every_statement_of_a_corpus_has_exact_evidence(corpus: str) -> None:
    base = CORPORA / corpus
    if not (base / "actors.yaml").exists():
        pytest.skip(f"heldout/{corpus} is not there")
    gazetteer = Gazetteer.build(load_actors(base / "actors.yaml"))
    ids = {p.id for p in PASSES} | {"none"}
    for path in sorted((base / "articles").glob("*.txt")):
        with path.open(encoding="utf-8", newline="") as fh:
            text = fh.read()
        for s in extract_article(text, gazetteer).statements:
            a = s.attribution
            assert a.method in ids and 0.0 <= a.confidence <= 1.0
            assert all(text[e.start : e.end] == e.text and e.text for e in a.evidence)
            # a decided speaker always shows where the text says so
            assert a.method == "none" or a.evidence, (path.name, s.text)
