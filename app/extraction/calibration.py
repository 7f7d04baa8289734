"""Confidence of an attribution: its pass's precision, read from data/confidence.yaml.

`python -m app.extraction.calibrate` writes that file (see there for how it is measured).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

CONFIDENCE_FILE = "confidence.yaml"


@cache
def _table() -> dict[str, float]:
    data = resources.files("app.extraction").joinpath("data", CONFIDENCE_FILE).read_text("utf-8")
    loaded = yaml.safe_load(data) or {}
    return {str(k): float(v) for k, v in (loaded.get("precision") or {}).items()}


def confidence_of(method: str) -> float:
    """The measured precision of the pass `method` (0..1); 0 for a pass never measured."""
    table = _table()
    return table.get(method, table.get("*", 0.0))
