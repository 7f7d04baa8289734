"""Measure each attribution pass's precision and write data/confidence.yaml.

    python -m app.extraction.calibrate

Runs the extraction over the seeds and the held-out corpora (tests/extraction/heldout/
{dev,test,final}). A pass's precision is the share of the gold statements it attributed
(among those the extraction found) whose speaker is right. Few statements say little, so
each pass's figure is drawn towards the precision of all passes together as if PRIOR_WEIGHT
statements at that precision had been seen too: (correct + w * overall) / (attributed + w).
A pass that never decided a gold statement gets the overall figure. Re-run it after
changing a pass, and commit the file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from app.extraction import evaluate
from app.extraction.calibration import CONFIDENCE_FILE

PRIOR_WEIGHT = 5
# Corpora under the project root.
# `blind` and `blind2` joined once each had been measured blind (their README): calibrating on them
# tunes no rule, and without it every figure would come from text the rules were fitted to.
CORPORA = ("seeds", "tests/extraction/heldout/dev", "tests/extraction/heldout/test",
           "tests/extraction/heldout/final", "tests/extraction/heldout/blind",
           "tests/extraction/heldout/blind2")  # fmt: skip


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
        shrunk = (correct + PRIOR_WEIGHT * overall) / (count + PRIOR_WEIGHT)
        precision[method] = round(shrunk, 2)
    out = Path(__file__).resolve().parent / "data" / CONFIDENCE_FILE
    header = (
        "# Written by `python -m app.extraction.calibrate`; do not edit by hand.\n"
        f"# Precision of each attribution pass over {', '.join(CORPORA)}.\n"
        f"# Each figure is drawn towards `*` (all passes together) with the weight of "
        f"{PRIOR_WEIGHT} statements.\n"
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
