"""Measure each attribution pass's precision and write data/confidence.yaml.

    python -m app.extraction.calibrate

Runs the extraction over the seeds and the held-out corpora (tests/extraction/heldout/
{dev,test,final}). A pass's precision is the share of the gold statements it attributed
(among those the extraction found) whose speaker is right. A pass measured on fewer than
MIN_STATEMENTS statements gets the precision of all passes together instead, because a
handful of statements says little. Re-run it after changing a pass, and commit the file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from app.extraction import evaluate
from app.extraction.calibration import CONFIDENCE_FILE

MIN_STATEMENTS = 5
# Corpora under the project root.
CORPORA = ("seeds", "tests/extraction/heldout/dev", "tests/extraction/heldout/test",
           "tests/extraction/heldout/final")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each pass's precision on the corpora and write data/confidence.yaml."""
    root = evaluate.PROJECT_ROOT
    totals: dict[str, list[int]] = {}
    for corpus in CORPORA:
        report = evaluate.evaluate(*_corpus_paths(root, corpus))
        for method, (count, correct) in report.by_method.items():
            seen = totals.setdefault(method, [0, 0])
            seen[0] += count
            seen[1] += correct
    overall = sum(c for _, c in totals.values()) / max(1, sum(n for n, _ in totals.values()))
    precision = {"*": round(overall, 2)}
    for method, (count, correct) in sorted(totals.items()):
        precision[method] = (
            round(correct / count, 2) if count >= MIN_STATEMENTS else round(overall, 2)
        )
    out = Path(__file__).resolve().parent / "data" / CONFIDENCE_FILE
    header = (
        "# Written by `python -m app.extraction.calibration`; do not edit by hand.\n"
        f"# Precision of each attribution pass over {', '.join(CORPORA)}.\n"
        f"# `*` is all passes together, used for passes measured on fewer than "
        f"{MIN_STATEMENTS} statements.\n"
    )
    body = {
        "precision": precision,
        "statements": {m: {"attributed": n, "correct": c} for m, (n, c) in sorted(totals.items())},
    }
    out.write_text(header + yaml.safe_dump(body, sort_keys=True), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _corpus_paths(root: Path, corpus: str) -> tuple[Path, Path, Path, Path]:
    if corpus == "seeds":
        return (
            root / "seeds" / "articles",
            root / "seeds" / "actors.yaml",
            root / "seeds" / "incidents.yaml",
            root / "tests" / "extraction" / "gold.yaml",
        )
    base = root / corpus
    return base / "articles", base / "actors.yaml", base / "incidents.yaml", base / "gold.yaml"


if __name__ == "__main__":
    sys.exit(main())
