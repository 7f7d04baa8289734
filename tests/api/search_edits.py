"""What the search tests share: a client with low count thresholds, and the writes by hand
(outside an ingest) that move a ranking."""

from sqlalchemy import create_engine, text

from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient


def client_with_count_threshold(
    url: str, threshold: int, *, incident_columns: bool | None = None
) -> AppClient:
    """A client whose exact-count thresholds are `threshold` on both backends: a low one makes
    broad totals estimates, so both ways of totalling are compared. `incident_columns`: on or
    off whatever the environment says."""
    settings = Settings(
        database_url=url, sqlite_exact_count_threshold=threshold, exact_count_threshold=threshold
    )
    if incident_columns is not None:
        settings = settings.model_copy(update={"incident_columns": incident_columns})
    return AppClient(create_app(settings))


def make_last_incident_the_best_match(url: str, word: str) -> int:
    """Give the newest incident a search text of `word` forty times and bump the data
    version, as an edit outside the ingest would; return that incident's id."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            last: int = conn.execute(text("SELECT max(id) FROM incident")).scalar_one()
            conn.execute(
                text("UPDATE incident SET search_text = :t WHERE id = :id"),
                {"t": f"{word} " * 40, "id": last},
            )
            conn.execute(text("UPDATE dataset_meta SET data_version = data_version + 1"))
    finally:
        engine.dispose()
    return last
