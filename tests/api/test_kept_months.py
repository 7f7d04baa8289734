"""Year, month and type facets of a date window (and types) add up the incidents kept per
(start month, type) in incident_month for the months wholly inside the window, and count the
edges from the incidents. Kept by triggers, the table must hold what the incidents do after
every ingest, re-run, edit, --prune and failed ingest: each facet is compared with a tally of
the walked list, and with the same facet grouped from the incidents."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from app import cli
from app.incidents import service
from app.kit import facets
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import MINI_ACTORS, incident
from tests.api.facet_walks import Params, read_facets, tally
from tests.conftest import Probe
from tests.inprocess import AppClient

TYPES = ("attack", "protest", "consultation")
FACETS = ("year", "month", "type", "country")


def _incidents() -> list[str]:
    """Incidents from 2018 to mid-2023 (more than 50 months, so the month facet is cut),
    on every kind of day: the first and last of a month, mid-month; some lasting into later
    months, one lasting a year (the longest: how far back a window's edge is read)."""
    rows = []
    day = date(2018, 1, 1)
    n = 0
    while day < date(2023, 7, 1):
        for offset, span in ((0, 0), (14, 40), (27, 0)):
            start = day + timedelta(days=offset)
            extra = {"type": TYPES[n % 3]}
            if span:
                extra["date_end"] = (start + timedelta(days=span)).isoformat()
            if n % 4:
                extra["country"] = ("IRN", "AZE", "RUS")[n % 4 - 1]
            rows.append(
                incident(f"i{n:03d}", start.isoformat(), [("iran", "participant")], **extra)
            )
            n += 1
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    # Starts in 2021, ends in 2022: inside every window of 2022's first half.
    rows.append(
        incident("year-long", "2021-03-10", [("russia", "participant")], date_end="2022-03-09")
    )
    return rows


def _write(folder: Path, incidents: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.yaml").write_text(MINI_ACTORS, encoding="utf-8")
    (folder / "incidents.yaml").write_text("".join(incidents), encoding="utf-8")
    return folder


WINDOWS: list[Params] = [
    [],
    [("type", "attack")],
    [("date_from", "2019-01-01")],
    [("date_from", "2019-01-15")],
    [("date_from", "2019-01-31"), ("date_to", "2022-06-30")],
    [("date_from", "2018-12-31"), ("date_to", "2022-06-29")],
    [("date_from", "2022-02-01"), ("date_to", "2022-05-31"), ("type", "protest")],
    [
        ("date_from", "2022-02-10"),
        ("date_to", "2022-04-01"),
        ("type", "attack"),
        ("type", "protest"),
    ],
    [("date_to", "2020-03-31")],
    [("date_to", "2020-03-30"), ("type", "consultation")],
    [("date_from", "2021-12-01")],  # the year-long incident overlaps from before
    [("date_from", "2022-01-14"), ("date_to", "2022-01-20")],  # no whole month
    [("date_from", "2022-03-01"), ("date_to", "2022-03-31")],  # exactly one month
    [("date_from", "2016-05-05"), ("date_to", "2017-01-01")],  # before the data
    [("date_from", "2030-01-01")],  # after the data
    [("date_from", "9999-12-20")],  # at the calendar's end
    [("country", "IRN")],
    [("date_from", "2019-01-15"), ("country", "AZE")],
    [("date_from", "2020-02-02"), ("date_to", "2022-06-15"), ("country", "IRN")],
    [("date_from", "2020-02-02"), ("country", "RUS"), ("type", "attack")],  # grouped
]


def _facets(client: AppClient, params: Params) -> dict[str, list[tuple[object, int]]]:
    return read_facets(client, params, FACETS)


def _check(client: AppClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """`client` groups facets in SQL (kept months, or grouped); each is compared with the
    walk, the grouping, and the incident columns (`app/incidents/columns.py`), re-read after
    each write."""
    database_url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    with AppClient(create_app(Settings(database_url=database_url))) as from_columns:
        for params in WINDOWS:
            assert _facets(from_columns, params) == _facets(client, params), params
    for params in WINDOWS:
        kept = _facets(client, params)
        walked = tally(client, params, FACETS)
        assert {name: dict(values) for name, values in kept.items()} == walked, params
        # In the order the grouping statements give: dates in order, types by count then name.
        assert [v for v, _ in kept["month"]] == sorted(walked["month"])
        assert kept["type"] == sorted(walked["type"].items(), key=lambda kv: (-kv[1], kv[0]))
        with monkeypatch.context() as grouped:
            grouped.setattr(service, "_KEPT_FACETS", ())
            assert _facets(client, params) == kept, params


def _kept_table_matches_the_incidents(db: Probe, backend: str) -> None:
    month = "substr(date_start, 1, 7)" if backend == "sqlite" else "to_char(date_start, 'YYYY-MM')"
    kept = db.rows("SELECT month, type, incidents FROM incident_month ORDER BY month, type")
    grouped = db.rows(
        f"SELECT {month} AS m, type, count(*) FROM incident GROUP BY m, type ORDER BY m, type"
    )
    assert kept == grouped
    by_country = db.rows(
        "SELECT month, country, incidents FROM incident_month_country ORDER BY month, country"
    )
    country = "coalesce(location_country, '')"
    assert by_country == db.rows(
        f"SELECT {month} AS m, {country} AS c, count(*) FROM incident GROUP BY m, c ORDER BY m, c"
    )
    days = (
        "julianday(date_end) - julianday(date_start)"
        if backend == "sqlite"
        else "date_end - date_start"
    )
    longest = db.scalar(f"SELECT max({days}) FROM incident")
    bound = db.scalar("SELECT max(longest_days) FROM incident_month")
    assert (longest is None and bound is None) or int(bound) >= int(longest)  # type: ignore[arg-type]


def test_kept_month_facets_equal_the_walk_after_every_kind_of_write(
    database_url: str,
    backend: str,
    db: Probe,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    incidents = _incidents()
    folder = _write(tmp_path / "seeds", incidents)
    assert cli.main(["ingest", str(folder)]) == 0
    _kept_table_matches_the_incidents(db, backend)
    settings = Settings(database_url=database_url, incident_columns=False)
    with AppClient(create_app(settings)) as client:
        _check(client, monkeypatch)

        # A later ingest: new incidents, one in a month and type nothing had yet.
        incidents.append(incident("new-one", "2022-03-15", [("iran", "target")], type="arrest"))
        incidents.append(incident("newer", "2023-08-01", [("iran", "target")]))
        _write(folder, incidents)
        assert cli.main(["ingest", str(folder)]) == 0
        _kept_table_matches_the_incidents(db, backend)
        _check(client, monkeypatch)

        # Edits: an incident moved to another month and type, the longest one shortened.
        moved = incidents.index(next(i for i in incidents if i.startswith("- slug: i010\n")))
        incidents[moved] = incident("i010", "2020-11-30", [("iran", "target")], type="protest")
        incidents[-3] = incident("year-long", "2021-03-10", [("russia", "participant")])
        # Only the country changes (i013: in Iran).
        moved_abroad = incidents.index(next(i for i in incidents if i.startswith("- slug: i013\n")))
        incidents[moved_abroad] = incidents[moved_abroad].replace("country: IRN", "country: RUS")
        assert "country: RUS" in incidents[moved_abroad]
        # Only the type changes (i012 was an attack on a single day).
        retyped = incidents.index(next(i for i in incidents if i.startswith("- slug: i012\n")))
        incidents[retyped] = incidents[retyped].replace("type: attack", "type: protest")
        assert "type: protest" in incidents[retyped]
        _write(folder, incidents)
        assert cli.main(["ingest", str(folder)]) == 0
        _kept_table_matches_the_incidents(db, backend)
        _check(client, monkeypatch)

        # A re-run changes nothing.
        before = db.fingerprint()
        assert cli.main(["ingest", str(folder)]) == 0
        assert db.fingerprint() == before

        # A failed ingest (an unknown actor) rolls the counts back with everything else.
        _write(folder, [*incidents, incident("broken", "2022-03-02", [("nobody", "target")])])
        assert cli.main(["ingest", str(folder)]) != 0
        assert db.fingerprint() == before

        # --prune deletes incidents: the month of "new-one" (its only arrest) and others.
        kept = [i for i in incidents if not i.startswith(("- slug: new-one\n", "- slug: i02"))]
        _write(folder, kept)
        assert cli.main(["ingest", "--prune", "--yes", str(folder)]) == 0
        _kept_table_matches_the_incidents(db, backend)
        emptied = "SELECT incidents FROM incident_month WHERE month = '2022-03' AND type = 'arrest'"
        assert db.rows(emptied) == []
        _check(client, monkeypatch)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/incidents", [("date_from", "2030-01-01"), ("actor", "Iran")]),
        ("/incidents", [("date_to", "2001-01-01"), ("type", "attack")]),
        ("/incidents", [("actor", "Russia"), ("country", "IRN")]),
        ("/statements", [("date_from", "2030-01-01"), ("speaker", "Iran")]),
    ],
)
def test_an_empty_answer_has_every_facet_empty_without_grouping_again(
    mini: AppClient, monkeypatch: pytest.MonkeyPatch, path: str, params: Params
) -> None:
    """A total counted exactly as 0 answers every facet: nothing is grouped again (the
    grouping read as much as the count to find nothing). The same facets as grouped."""
    names = ["year", "month"] + (["type", "actor", "country"] if path == "/incidents" else [])
    asked = [*params, ("count", "exact"), *(("facet", name) for name in names)]
    with monkeypatch.context() as grouping:
        grouping.setattr(facets, "of_nothing", lambda *args: None)
        grouped = mini.get(path, params=asked).json()
    assert grouped["total"] == 0
    assert grouped["facets"] == {name: {"values": [], "truncated": False} for name in names}

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("grouped an empty answer")

    monkeypatch.setattr("app.incidents.service._facets", not_again)
    monkeypatch.setattr("app.statements.service._facets", not_again)
    assert mini.get(path, params=asked).json() == grouped
    # A total that is not exact (count=none) is no proof of nothing: the facets are grouped.
    with pytest.raises(AssertionError, match="grouped an empty answer"):
        mini.get(path, params=[*params, ("count", "none"), ("facet", "year")])
