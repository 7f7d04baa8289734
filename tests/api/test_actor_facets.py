"""Year, month and actor facets under one actor (with its officials and bodies) and a date
window are read off the participants' (actor_id, date_start, incident_id) entries (the actor
facet on SQLite): each incident counts once however many of the actor's own take part in it,
an incident starting before the window counts when it ends inside it. Each facet is compared
with a tally of the walked list, and with the same facet grouped from the incidents, after an
ingest, edits that move incidents (the participants' copy of date_start moves with them) and
--prune."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from app import cli
from app.incidents import service
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import MINI_ACTORS, incident
from tests.api.facet_walks import Params, read_facets, tally
from tests.inprocess import AppClient

# Who takes part, in turn: Iran alone, its minister's spokesman alone, Iran with its ministry
# and the spokesman (one incident, three of Iran's own: counted once), Russia alone, Russia
# with the spokesman, the ministry with the president.
CASTS = [
    [("iran", "participant")],
    [("nasser-kanani", "initiator"), ("azerbaijan", "target")],
    [("iran", "initiator"), ("iran-foreign-ministry", "participant"), ("nasser-kanani", "target")],
    [("russia", "participant")],
    [("russia", "initiator"), ("nasser-kanani", "target")],
    [("iran-foreign-ministry", "initiator"), ("masoud-pezeshkian", "participant")],
]


def _incidents() -> list[str]:
    """Incidents from 2018 to mid-2023 (more than 50 months: the month facet is cut), some
    lasting into later months, one lasting a year (how far back a window's edge reaches)."""
    rows = []
    day = date(2018, 1, 1)
    n = 0
    while day < date(2023, 7, 1):
        for offset, span in ((0, 0), (13, 45), (27, 0)):
            start = day + timedelta(days=offset)
            extra = {"date_end": (start + timedelta(days=span)).isoformat()} if span else {}
            rows.append(incident(f"i{n:03d}", start.isoformat(), CASTS[n % len(CASTS)], **extra))
            n += 1
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    rows.append(
        incident("year-long", "2021-03-10", CASTS[2], date_end="2022-03-09", date_precision="day")
    )
    return rows


def _write(folder: Path, incidents: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.yaml").write_text(MINI_ACTORS, encoding="utf-8")
    (folder / "incidents.yaml").write_text("".join(incidents), encoding="utf-8")
    return folder


ACTORS = ["Iran", "Russia", "Ministry of Foreign Affairs of Iran", "Nasser Kanani"]
WINDOWS: list[Params] = [
    [],
    [("date_from", "2019-01-01")],
    [("date_from", "2019-01-15")],  # incidents of early January end inside it
    [("date_from", "2019-01-31"), ("date_to", "2022-06-30")],
    [("date_from", "2022-01-20")],  # the year-long incident overlaps from 2021
    [("date_from", "2022-01-14"), ("date_to", "2022-01-20")],
    [("date_to", "2020-03-31")],
    [("date_from", "2016-05-05"), ("date_to", "2017-01-01")],  # before the data
    [("date_from", "2030-01-01")],  # after the data
]


def _facets(client: AppClient, params: Params) -> dict[str, list[tuple[object, int]]]:
    # count=none: a total of 0 would answer every facet empty without reading them.
    return read_facets(client, [*params, ("count", "none")], ("year", "month", "actor"))


def _check(client: AppClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """`client` groups facets in SQL; each is compared with the walk, the grouping from the
    incidents, and the incident columns (`app/incidents/columns.py`), re-read after each
    write."""
    database_url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    with AppClient(create_app(Settings(database_url=database_url))) as from_columns:
        for actor in ACTORS:
            for window in WINDOWS:
                params = [("actor", actor), *window]
                assert _facets(from_columns, params) == _facets(client, params), params
    for actor in ACTORS:
        for window in WINDOWS:
            params = [("actor", actor), *window]
            read = _facets(client, params)
            assert {name: dict(values) for name, values in read.items()} == tally(
                client, params, ("year", "month", "actor")
            ), params
            assert [v for v, _ in read["month"]] == sorted(v for v, _ in read["month"])
            with monkeypatch.context() as grouped:
                grouped.setattr(service, "_periods_of_one_actor", lambda *args: None)
                assert _facets(client, params) == read, params


def test_actor_period_facets_equal_the_walk_after_ingest_edits_and_prune(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = _incidents()
    folder = _write(tmp_path / "seeds", incidents)
    assert cli.main(["ingest", str(folder)]) == 0
    settings = Settings(database_url=database_url, incident_columns=False)
    with AppClient(create_app(settings)) as client:
        _check(client, monkeypatch)

        # Edits: incidents moved to other months and years, one of them shortened.
        moves = (("i004", "2022-02-02", "2022-02-02", 1), ("i020", "2019-01-10", "2019-02-20", 2))
        for slug, start, end, cast in moves:
            at = incidents.index(next(i for i in incidents if i.startswith(f"- slug: {slug}\n")))
            incidents[at] = incident(slug, start, CASTS[cast], date_end=end)
        at = incidents.index(next(i for i in incidents if i.startswith("- slug: year-long\n")))
        incidents[at] = incident("year-long", "2021-03-10", CASTS[2])
        _write(folder, incidents)
        assert cli.main(["ingest", str(folder)]) == 0
        _check(client, monkeypatch)

        # --prune deletes incidents.
        kept = [i for i in incidents if not i.startswith(("- slug: i01", "- slug: i020\n"))]
        _write(folder, kept)
        assert cli.main(["ingest", "--prune", "--yes", str(folder)]) == 0
        _check(client, monkeypatch)
