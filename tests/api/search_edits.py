"""Writes by hand (outside an ingest) that the search tests make to move a ranking."""

from sqlalchemy import create_engine, text


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
