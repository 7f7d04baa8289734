"""What several test modules check a list or a statement against."""

from sqlalchemy import create_engine

from tests.inprocess import AppClient

Params = list[tuple[str, str]]


def exact_walk(client: AppClient, path: str, params: Params) -> tuple[int, list[str]]:
    """(the first page's total, every item's slug over the whole walk), two items a page;
    every page's total is exact."""
    slugs: list[str] = []
    cursor, total = None, None
    while True:
        page = client.get(
            path, params=[*params, ("limit", "2"), *([("cursor", cursor)] if cursor else [])]
        ).json()
        assert page["total_accuracy"] == "exact", page
        total = page["total"] if total is None else total
        slugs += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return total, slugs


def sqlite_plan(url: str, sql: str) -> str:
    """SQLite's plan for `sql` (EXPLAIN QUERY PLAN), its steps joined by " | "."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    finally:
        engine.dispose()
    return " | ".join(str(row[-1]) for row in rows)
