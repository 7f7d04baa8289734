"""A real `incidentdb serve` process on loopback, shared by the CLI-level tests."""

from collections.abc import Iterator

import pytest

from tests.serving import served


@pytest.fixture
def server(seeded_url: str) -> Iterator[str]:
    with served(seeded_url) as running:
        yield running.base
