"""Confidence of an attribution: the measured precision of its pass and calibration bucket,
read from data/confidence.yaml.

`python -m app.extraction.calibrate` writes that file (see there for how it is measured).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

CONFIDENCE_FILE = "confidence.yaml"


@cache
def _tables() -> tuple[dict[str, float], dict[tuple[str, str], float], float]:
    data = resources.files("app.extraction").joinpath("data", CONFIDENCE_FILE).read_text("utf-8")
    loaded = yaml.safe_load(data) or {}
    by_pass = {str(k): float(v) for k, v in (loaded.get("precision") or {}).items()}
    by_bucket = {
        (str(method), str(bucket)): float(v)
        for method, buckets in (loaded.get("buckets") or {}).items()
        for bucket, v in (buckets or {}).items()
    }
    return by_pass, by_bucket, float(loaded.get("unmeasured_cap", 1.0))


def confidence_of(method: str, bucket: str | None = None) -> float:
    """The measured precision of the pass `method` on attributions of `bucket` (0..1).

    A bucket never measured gets its pass's figure capped below what users filter on
    (`unmeasured_cap`), and a pass never measured the figure of all passes together.
    """
    by_pass, by_bucket, cap = _tables()
    if bucket is not None and (method, bucket) in by_bucket:
        return by_bucket[method, bucket]
    figure = by_pass.get(method, by_pass.get("*", 0.0))
    return min(figure, cap) if bucket is not None else figure
