"""`incidentdb eval` gives the precision of every attribution pass, and the confidence each
statement carries is its pass's precision, read from the file the calibration writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.extraction.attribution import PASSES
from app.extraction.calibration import confidence_of
from tests.extraction.conftest import dev_eval_output, table_at

CONFIDENCE = Path(__file__).resolve().parents[2] / "app" / "extraction" / "data" / "confidence.yaml"
ROW = re.compile(r"^(?P<id>[a-z_]+)\s+(?P<n>\d+)\s+(?P<ok>\d+)\s+(?P<p>\d\.\d{3})$")


def test_eval_prints_statements_correct_and_precision_per_pass(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = dev_eval_output(capsys)
    table = table_at(out, "pass ")
    assert table[0].split() == ["pass", "statements", "correct", "precision"]
    rows = [ROW.match(line) for line in table[1:]]
    assert rows and all(rows), table
    known = {p.id for p in PASSES} | {"none"}
    for row in rows:
        assert row is not None
        n, ok = int(row["n"]), int(row["ok"])
        assert row["id"] in known and 0 <= ok <= n
        assert float(row["p"]) == pytest.approx(ok / n, abs=0.0005)
    # every matched statement is counted under exactly one pass
    articles = table_at(out, "source ")[1:]
    matched = sum(int(line.split()[3]) for line in articles)
    assert sum(int(r["n"]) for r in rows if r) == matched > 0


def test_confidence_is_the_calibrated_precision_of_the_pass() -> None:
    table = yaml.safe_load(CONFIDENCE.read_text(encoding="utf-8"))
    for p in PASSES:
        expected = table["precision"].get(p.id, table["precision"]["*"])
        assert confidence_of(p.id) == expected
        assert 0.0 <= confidence_of(p.id) <= 1.0


CONFIDENT_LINE = re.compile(
    r"^confidence ≥ 0\.9: (?P<n>\d+) of (?P<m>\d+) matched statements \(\d+\.\d%\), "
    r"right (?P<p>\d\.\d{3})$",
    re.M,
)


def test_eval_prints_how_many_statements_are_confident_and_how_often_right(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = dev_eval_output(capsys)
    line = CONFIDENT_LINE.search(out)
    assert line is not None, out[:400]
    articles = table_at(out, "source ")[1:]
    matched = sum(int(row.split()[3]) for row in articles)
    assert int(line["m"]) == matched
    assert 0 < int(line["n"]) <= matched
