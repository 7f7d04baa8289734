"""What every domain's write functions share. They flush and never commit: ingest owns the
transaction."""

from collections.abc import Mapping
from typing import Any


def assign(obj: Any, values: Mapping[str, Any]) -> bool:
    """Set only the attributes that differ; report whether anything changed.

    Re-running an ingest must change nothing: an attribute written with its own value would
    still count as a change and bump the data version (and every client's ETag).
    """
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
