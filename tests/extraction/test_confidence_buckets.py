"""Confidence discriminates within a pass: every attribution gets a calibration bucket from
how it was decided (attribution/buckets.py), the calibration measures each (pass, bucket),
and a bucket seen on a handful of statements never reaches the 0.9 users filter on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.extraction import Gazetteer, KnownActor, extract_article
from app.extraction.calibrate import CAP, CAPPED_FORMS, wilson_lower
from app.extraction.calibration import confidence_of
from tests.extraction.conftest import dev_eval_output, table_at

CONFIDENCE = Path(__file__).resolve().parents[2] / "app" / "extraction" / "data" / "confidence.yaml"

# An invented world: no real state, body or person.
WORLD = Gazetteer.build(
    [
        KnownActor("norland", "Norland", "state", "NRL", None, (), ("Norlandic",), ("Vessby",)),
        KnownActor("sudoria", "Sudoria", "state", "SUD", None, (), ("Sudorian",), ("Port Amal",)),
    ]
)

FILLER = "Crowds gathered outside the port office while the talks went on.\n\n"


@pytest.mark.parametrize(
    ("text", "speaker", "bucket"),
    [
        ('"Talks will continue," said Ivan Orlov.', "ivan-orlov", "name/same"),
        (
            'Spokesman Ivan Orlov spoke on Monday. "Talks will continue," he said.',
            "ivan-orlov",
            "pronoun/same",
        ),
        # the person the pronoun stands for was named three paragraphs back
        (
            "Spokesman Ivan Orlov spoke on Monday.\n\n" + FILLER * 2 + '"Talks will continue," '
            "he said.",
            "ivan-orlov",
            "pronoun-distant/same",
        ),
        (
            'Trade Minister Anna Berg arrived in Vessby. "We are ready," the minister said.',
            "anna-berg",
            "refer/same",
        ),
        ('Vessby said the border "stays closed until further notice."', "norland", "state/same"),
        # a body the curated data lacks, named by the article alone
        (
            'The Vessby Harbour Board said the port "stays closed until further notice."',
            "vessby-harbour-board",
            "new-body/same",
        ),
        ('"We are not leaving," a senior official said.', None, "unnamed/same"),
        # the introducing sentence is the paragraph before the quotation
        (
            'Spokesman Ivan Orlov said on Monday:\n\n"Talks will continue next week."',
            "ivan-orlov",
            "name/near",
        ),
        # carried over: the quotation opens a paragraph and continues the one before
        (
            'Talks\n\n"We are ready," said Ivan Orlov.\n\n"The rest is up to them."',
            "ivan-orlov",
            "name/near",
        ),
        ('Crowds gathered.\n\n"The rest is up to them."', None, "none/far"),
    ],
)
def test_each_attribution_gets_the_bucket_of_how_it_was_decided(
    text: str, speaker: str | None, bucket: str
) -> None:
    found = extract_article(text, WORLD).statements[-1]
    assert (found.speaker, found.attribution.bucket) == (speaker, bucket)


def test_the_same_pass_gets_different_confidence_for_different_buckets() -> None:
    named = extract_article('"Talks will continue," said Ivan Orlov.', WORLD).statements[-1]
    unnamed = extract_article('"We are not leaving," a senior official said.', WORLD)
    assert named.attribution.method == unnamed.statements[-1].attribution.method
    assert named.attribution.confidence > unnamed.statements[-1].attribution.confidence
    assert named.attribution.confidence == confidence_of("reporting_after", "name/same")


def test_a_handful_of_right_answers_never_reaches_point_nine() -> None:
    # the confidence is a lower bound on unseen text: n of n right is below 0.9 until n = 35
    assert wilson_lower(5, 5) < 0.6
    assert wilson_lower(34, 34) < 0.9 <= wilson_lower(35, 35)
    # one error among many costs more than its share
    assert wilson_lower(99, 100) < 0.99 - 0.02
    assert 0.40 < wilson_lower(50, 100) < 0.41
    assert wilson_lower(0, 0) == 0.0
    assert wilson_lower(10_000, 10_000) <= 0.99


def test_the_calibrated_table_gives_no_small_bucket_point_nine() -> None:
    table = yaml.safe_load(CONFIDENCE.read_text(encoding="utf-8"))
    seen = table["bucket_statements"]
    for method, buckets in table["buckets"].items():
        for bucket, figure in buckets.items():
            assert confidence_of(method, bucket) == figure
            counts = seen[f"{method} {bucket}"]
            # never above the lower bound of what was measured
            assert figure <= wilson_lower(counts["correct"], counts["attributed"]), (method, bucket)
            if counts["attributed"] < 35:
                assert figure < 0.9, (method, bucket)
            if bucket.split("/")[0] in CAPPED_FORMS:
                # right far less often on unseen text than here, however many statements
                assert figure < 0.9, (method, bucket)
    # a bucket no corpus ever showed: its pass's figure, below what users filter on
    assert table["precision"]["reporting_before"] >= 0.9
    assert confidence_of("reporting_before", "never-seen/far") <= CAP < 0.9
    assert confidence_of("reporting_before") == table["precision"]["reporting_before"]


BUCKET_ROW = re.compile(
    r"^(?P<id>[a-z_]+)\s+(?P<bucket>[a-z-]+/[a-z]+)\s+(?P<n>\d+)\s+(?P<ok>\d+)\s+"
    r"(?P<p>\d\.\d{3})\s+(?P<c>\d\.\d{2})$"
)


def test_eval_prints_precision_and_confidence_per_bucket(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = dev_eval_output(capsys)
    table = table_at(out, "pass                     bucket")
    header = ["pass", "bucket", "statements", "correct", "precision", "confidence"]
    assert table[0].split() == header
    rows = [BUCKET_ROW.match(line) for line in table[1:]]
    assert rows and all(rows), table
    articles = table_at(out, "source ")[1:]
    matched = sum(int(line.split()[3]) for line in articles)
    assert sum(int(r["n"]) for r in rows if r) == matched
    for row in rows:
        assert row is not None
        n, ok = int(row["n"]), int(row["ok"])
        assert float(row["p"]) == pytest.approx(ok / n, abs=0.0005)
        assert float(row["c"]) == pytest.approx(confidence_of(row["id"], row["bucket"]), abs=0.005)
