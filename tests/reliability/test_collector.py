"""The served process's garbage collector runs its young collections less often (the tail)."""

import gc

from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient


def test_a_served_app_sets_the_young_threshold_and_restores_it(shared_seeded_url: str) -> None:
    before = gc.get_threshold()
    try:
        settings = Settings(database_url=shared_seeded_url, gc_threshold=12_345)
        with AppClient(create_app(settings)) as client:
            assert client.get("/incidents").status_code == 200
            assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_threshold() == before
        with AppClient(create_app(Settings(database_url=shared_seeded_url, gc_threshold=0))) as c:
            assert c.get("/incidents").status_code == 200
            assert gc.get_threshold() == before  # 0: Python's thresholds left alone
    finally:
        gc.set_threshold(*before)


def test_the_default_threshold_is_raised() -> None:
    assert Settings().gc_threshold == 10_000
