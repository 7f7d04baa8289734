"""The extraction over the held-out corpora (tests/extraction/heldout/README.md).

`dev` is what the attribution rules were improved against; `test` was run once, at the
end, and its floors sit just under that single measurement, so that a regression shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extraction.evaluate import EvalReport, evaluate, format_report

HELDOUT = Path(__file__).resolve().parent / "heldout"


def report_for(corpus: str) -> EvalReport:
    base = HELDOUT / corpus
    if not (base / "gold.yaml").exists():
        pytest.skip(f"heldout/{corpus} is not there")
    return evaluate(
        base / "articles", base / "actors.yaml", base / "incidents.yaml", base / "gold.yaml"
    )


def test_dev_corpus_meets_its_floor() -> None:
    report = report_for("dev")
    detail = format_report(report)
    assert report.precision >= 0.97, detail
    assert report.recall >= 0.97, detail
    assert report.attribution >= 0.96, detail
