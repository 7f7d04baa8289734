"""Aggregates over the whole dataset, kept until an ingest changes the data.

A monthly timeline or the most frequent actors over a million incidents cost hundreds of
milliseconds to count, and their answer only changes when `dataset_meta.data_version` does
(every ingest that changes something bumps it). Each is counted once per data version and
served from memory after that.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
RETRY_SECONDS = 60.0


class VersionedCache:
    def __init__(self, max_entries: int = 256) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._values: OrderedDict[Hashable, tuple[Any, float | None]] = OrderedDict()
        self._max_entries = max_entries

    def get(
        self,
        version: int | None,
        key: Hashable,
        compute: Callable[[], T],
        keep: Callable[[T], bool] = lambda _: True,
    ) -> T:
        """The value for `key` under `version`, computed on first use.

        A value `keep` refuses (facets cut short by their time budget) is served for
        RETRY_SECONDS only, then counted again: a busy moment should not fix it for good,
        and a filter set too large to count should not cost its budget on every request.
        """
        if version is None:  # no version row (a database never ingested into): nothing to key on
            return compute()
        now = time.monotonic()
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._version = version
            if key in self._values:
                value, expires = self._values[key]
                if expires is None or now < expires:
                    self._values.move_to_end(key)
                    return value  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if self._version == version:
                self._values[key] = (value, None if keep(value) else now + RETRY_SECONDS)
                self._values.move_to_end(key)
                while len(self._values) > self._max_entries:
                    self._values.popitem(last=False)
        return value
