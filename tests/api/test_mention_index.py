"""SQLite probes a source's mentions for actors off (source_id, start, actor_id) alone
(migration 0022): a source list under actors walks sources newest first probing each one's
mentions, without a mention row read each for its actor; a source's mentions still come in
the order of their start, as its detail reads them."""

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.sources.models import Source
from app.sources.repository import SourceRepository
from app.sources.schemas import SourceFilters
from tests.api.walks import sqlite_plan

DETAIL = "SELECT mention.actor_id FROM mention WHERE mention.source_id = 1 ORDER BY mention.start"


def test_sqlite_probes_a_sources_mentions_for_actors_off_the_index_alone(
    shared_seeded_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's planner weighs its own statistics)")
    engine = create_engine(shared_seeded_url)
    with Session(engine) as session:
        # The statement a list page under two actors walks.
        f = SourceFilters(actor=["Iran", "Israel"])
        stmt = SourceRepository(session).filtered(f, [{1, 2, 3}, {4, 5}], rows=True)
        stmt = stmt.order_by(Source.published_on.desc(), Source.id.desc()).limit(51)
        sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    engine.dispose()
    page = sqlite_plan(shared_seeded_url, sql)
    assert "COVERING INDEX ix_mention_source_id_start_actor_id" in page, page
    detail = sqlite_plan(shared_seeded_url, DETAIL)
    assert "COVERING INDEX ix_mention_source_id_start_actor_id" in detail, detail
    assert "TEMP B-TREE" not in detail, detail
