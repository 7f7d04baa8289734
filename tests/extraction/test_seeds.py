"""The extraction over the five seed articles: exact offsets, gold-set floor and speed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.extraction import Gazetteer, extract_article
from app.extraction.evaluate import (
    DEFAULT_ACTORS,
    DEFAULT_ARTICLES,
    DEFAULT_GOLD,
    DEFAULT_INCIDENTS,
    evaluate,
    main,
)
from tests.extraction.conftest import assert_no_worse_than_measured, check_spans

ARTICLES = sorted(DEFAULT_ARTICLES.glob("*.txt"))


def read_article(path: Path) -> str:
    # newline="" keeps CRLF as written: offsets index the file's exact text.
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def gold_statements() -> dict[str, list[tuple[int, int, str]]]:
    """The hand-annotated statements of each seed article, as (start, end, text)."""
    rows = yaml.safe_load(DEFAULT_GOLD.read_text(encoding="utf-8"))
    return {
        row["source"]: [(g["start"], g["end"], g["text"]) for g in row.get("statements") or []]
        for row in rows
    }


@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_every_offset_points_into_the_seed_article(seed_gazetteer: Gazetteer, path: Path) -> None:
    """Spans equal the annotators' offsets and words (gold.yaml), not just each other."""
    text = read_article(path)
    result = extract_article(text, seed_gazetteer, source_slug=path.stem)
    gold = gold_statements()[path.stem]  # one article quotes nobody: [] is its gold
    for start, end, words in gold:
        assert text[start:end] == words, "gold.yaml agrees with the article"
    assert [(s.start, s.end, s.text) for s in result.statements] == gold
    check_spans(text, result, seed_gazetteer)
    assert result.mentions


def test_seed_statements_meet_the_gold_floor() -> None:
    # Measured (`incidentdb eval`): 23 of 23 found, none extra, all 23 attributed right.
    report = evaluate(DEFAULT_ARTICLES, DEFAULT_ACTORS, DEFAULT_INCIDENTS, DEFAULT_GOLD)
    assert_no_worse_than_measured(report, gold=23, missed=0, false_positives=0, wrong_speakers=0)


def test_evaluate_command_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("precision")
    assert "attribution" in out
