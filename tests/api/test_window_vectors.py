"""PostgreSQL counts a frequent word's matches in a date window off the vectors an index keeps
beside the dates (migration 0023, `_searched_in_window`): those with longer vectors from the
table. Either way, the total is what the walk finds."""

import pytest
from sqlalchemy import text

from app.incidents import columns as incident_columns
from app.incidents import repository
from app.kit import search
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

# Words and windows of the seeded corpus; both sort orders' totals count the same rows.
SEARCHES = [
    "/incidents?q=iran&date_from=2022-06-01&date_to=2023-03-31",
    "/incidents?q=embassy&date_from=2023-01-01",
    "/incidents?q=azerbaijan&date_to=2023-03-30&sort=date",
]


def _walk(client: AppClient, path: str) -> list[int]:
    ids, url = [], f"{path}&count=none&limit=2"
    while url:
        body = client.get(url).json()
        ids += [item["id"] for item in body["items"]]
        url = (
            f"{path}&count=none&limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else ""
        )
    return ids


@pytest.mark.parametrize("indexed", [0, 40, repository._INDEXED_VECTOR_TEXT])
@pytest.mark.parametrize("path", SEARCHES)
def test_a_frequent_words_total_in_a_window_is_the_walks(
    client: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch, path: str, indexed: int
) -> None:
    """Every word counts as frequent here; the vectors the index keeps are cut at `indexed`
    (the SQL's bound, not the index's), so both parts count rows."""
    monkeypatch.setattr(repository, "_FREQUENT_WORD_SHARE", 10**9)
    monkeypatch.setattr(repository, "_INDEXED_VECTOR_TEXT", indexed)
    # The corpus is small enough for the ranking of the window's matches to be its total.
    monkeypatch.setattr(search, "_searched_few", lambda *_: False)
    # The incident columns would count them: a kept ranking, or the words' every row kept
    # (migration 0025), lists their matches.
    monkeypatch.setattr(incident_columns, "ready", lambda *_: None)
    with counted_statements(client) as seen:
        body = client.get(f"{path}&count=exact").json()
    monkeypatch.undo()
    walked = _walk(client, path)  # after: its ranking, kept, would give the total
    assert (body["total"], body["total_accuracy"]) == (len(walked), "exact")
    assert walked, "a search that finds nothing tells nothing"
    counted = [s for s in seen if "IS true" in s and "octet_length" in s]
    if backend == "postgresql" and "sort=" not in path:
        assert len(counted) == 1, seen
        assert "incident_participant" not in counted[0]
    else:
        assert counted == []  # SQLite, and the ids a date order lists, count otherwise


def test_a_rare_words_total_in_a_window_is_counted_through_its_index(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "_FREQUENT_WORD_SHARE", 0)
    monkeypatch.setattr(search, "_searched_few", lambda *_: False)
    with counted_statements(client) as seen:
        client.get(f"{SEARCHES[0]}&count=exact")
    assert not [s for s in seen if "IS true" in s]


def test_the_index_keeps_the_vectors_the_count_says_it_does(
    client: AppClient, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches its FTS5 index")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        definitions = dict(
            connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incident'")
            ).all()
        )
    bound = f"<= {repository._INDEXED_VECTOR_TEXT})"
    assert bound in definitions["ix_incident_dates_vector_pg"]
    assert "INCLUDE (search_fts)" in definitions["ix_incident_dates_vector_pg"]
    assert bound in definitions["ix_incident_dates_long_vector_pg"]
