"""PostgreSQL: a rare actor's incidents in a short window from date_from are the ids of its
entries from the window's floor (date_from less the longest incident) to date_to, kept only
when their incident lasts into the window, tested on the (date_start, id, date_end) index by
the entry's date_start (`repository._mostly_before`): most of them ended before it. Each
page is the page the other ways give, incidents ending on date_from included, after an
ingest and after edits that move and shorten incidents."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app import cli
from app.incidents import repository, service
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import incident
from tests.api.test_actor_facets import CASTS, _incidents, _write
from tests.api.test_rare_actors import _walk
from tests.inprocess import AppClient

# Incidents start on the 1st, 14th (lasting 45 days) and 28th of each month; one lasts a
# year from 2021-03-10.
WINDOWS = [
    [("date_from", "2022-01-28"), ("date_to", "2022-02-04")],
    [("date_from", "2019-01-14"), ("date_to", "2019-01-20"), ("sort", "date")],
    [("date_from", "2021-06-01"), ("date_to", "2021-06-30"), ("sort", "-date")],
]
LONG = [[("date_from", "2021-06-01")], [("date_from", "2019-01-01"), ("date_to", "2022-12-31")]]
LASTING = "incident_1.date_end >= "


def _pages(client: AppClient, statements: list[str], backend: str) -> list[list[str]]:
    found = []
    for actor in ("Iran", "Russia"):
        for window in WINDOWS + LONG:
            params = [("actor", actor), *window, ("count", "none")]
            statements.clear()
            found.append(_walk(client, params))
            lasting = any(LASTING in s for s in statements)
            assert lasting == (backend == "postgresql" and window in WINDOWS), params
    return found


def test_a_rare_actors_incidents_in_a_short_window_are_those_lasting_into_it(
    database_url: str, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No count (a counted total lists the ids to cut a page from), and the window not
    # walked for being small (this corpus is): the shape a large corpus takes.
    monkeypatch.setattr(service, "_SMALL_WINDOW", 0)
    incidents = _incidents()
    folder = _write(tmp_path / "seeds", incidents)
    assert cli.main(["ingest", str(folder)]) == 0
    # Paged in SQL: from the incident columns (app/incidents/columns.py) a page is found in
    # memory.
    settings = Settings(database_url=database_url, incident_columns=False)
    with AppClient(create_app(settings)) as client:
        statements: list[str] = []

        @event.listens_for(client.app.state.engine, "before_cursor_execute")  # type: ignore[attr-defined]
        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(" ".join(statement.split()))

        def check() -> None:
            monkeypatch.setattr(repository, "RARE_PARTICIPATIONS", 10**9)
            kept = _pages(client, statements, backend)
            # i142 (2021-12-14, with Iran's spokesman) ends on the first window's date_from.
            assert "i142" in kept[0] and sum(map(len, kept)) > 50
            with monkeypatch.context() as other:
                other.setattr(repository, "_mostly_before", lambda *args: False)
                assert _pages(client, [], "") == kept  # every entry fetched
                other.setattr(repository, "RARE_PARTICIPATIONS", 0)
                assert _pages(client, [], "") == kept  # dates walked, participants probed

        check()
        # Edits: an incident moved into the first window, the year-long one shortened.
        for slug, start, end, cast in (("i010", "2022-01-20", "2022-02-01", 0),):
            at = incidents.index(next(i for i in incidents if i.startswith(f"- slug: {slug}\n")))
            incidents[at] = incident(slug, start, CASTS[cast], date_end=end)
        at = incidents.index(next(i for i in incidents if i.startswith("- slug: year-long\n")))
        incidents[at] = incident("year-long", "2021-03-10", CASTS[2], date_end="2021-06-02")
        _write(folder, incidents)
        assert cli.main(["ingest", str(folder)]) == 0
        check()
