"""The benchmark never rots: the generator and `bench.api --quick` run at tiny scale.

No timing is asserted here; bench/README.md holds the figures and how to reproduce them.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from bench.generate import generate
from tests.inprocess import AppClient


def test_generator_fills_an_empty_database_as_the_app_expects(database_url: str) -> None:
    report = generate(database_url, 300, seed=7)
    assert report.incidents == 300 and report.rows > 300
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            bad_offsets = conn.execute(
                text(
                    "SELECT count(*) FROM statement s JOIN source o ON o.id = s.source_id "
                    'WHERE substr(o.text, s.start + 1, s."end" - s.start) != s.text'
                )
            ).scalar_one()
            assert bad_offsets == 0
            participants = conn.execute(
                text(
                    "SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM incident_participant "
                    "GROUP BY incident_id) AS per_incident"
                )
            ).one()
            assert tuple(participants) == (2, 5)
            # The bulk load sets the triggers of the kept months aside, then counts them.
            month = "substr(date_start, 1, 7)"
            if conn.dialect.name == "postgresql":
                month = "to_char(date_start, 'YYYY-MM')"
            kept = "SELECT month, type, incidents FROM incident_month ORDER BY month, type"
            grouped = (
                f"SELECT {month} AS m, type, count(*) FROM incident "
                "GROUP BY m, type ORDER BY m, type"
            )
            assert conn.execute(text(kept)).all() == conn.execute(text(grouped)).all()
            kept = "SELECT month, country, incidents FROM incident_month_country ORDER BY 1, 2"
            grouped = (
                f"SELECT {month} AS m, coalesce(location_country, '') AS c, count(*) "
                "FROM incident GROUP BY m, c ORDER BY m, c"
            )
            assert conn.execute(text(kept)).all() == conn.execute(text(grouped)).all()
    finally:
        engine.dispose()
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        iran = client.get("/incidents", params={"actor": "Iran"}).json()
        assert iran["total"] > 0
        assert client.get("/incidents", params={"q": "pipeline"}).json()["total"] > 0
        assert client.get("/statements", params={"q": "corridor"}).json()["total"] > 0
        assert client.get("/statements", params={"speaker": "Iran"}).json()["total"] > 0


def test_generator_is_deterministic(tmp_path: Path) -> None:
    fingerprints = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        generate(url, 200, seed=3)
        engine = create_engine(url)
        with engine.connect() as conn:
            fingerprints.append(
                conn.execute(text("SELECT group_concat(slug) FROM incident")).scalar_one()
            )
        engine.dispose()
    assert fingerprints[0] == fingerprints[1]


def test_generator_names_a_database_it_cannot_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'c.sqlite3'}"
    run = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--incidents", "10", "--db", url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"{url}: cannot open the database (unable to open database file); create it first"
    ]


def test_sqlite_total_above_the_threshold_is_a_sampled_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'estimate.sqlite3'}"
    generate(url, 4000, seed=1)
    with AppClient(create_app(Settings(database_url=url))) as client:
        exact = client.get("/incidents", params={"actor": "Iran", "limit": 1}).json()
        assert exact["total_accuracy"] == "exact"
    # Settings are read once, when the app is built: a second app sees the lower threshold.
    monkeypatch.setenv("INCIDENTDB_SQLITE_EXACT_COUNT_THRESHOLD", "100")
    with AppClient(create_app(Settings(database_url=url))) as client:
        estimated = client.get("/incidents", params={"actor": "Iran", "limit": 1}).json()
    assert estimated["total_accuracy"] == "estimated"
    assert abs(estimated["total"] - exact["total"]) < 0.2 * exact["total"]
    assert estimated["items"] == exact["items"]


def test_quick_api_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """Every timed request must succeed: a timing of error responses measures nothing."""
    url = f"sqlite:///{tmp_path / 'quick.sqlite3'}"
    generate(url, 300, seed=1)
    figures = tmp_path / "quick.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.api", "--quick", "--db", url, "--json", str(figures)]
        + ["--requests", "3", "--warmup", "1", "--walk-page", "3"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(figures.read_text())["rows"]
    assert len(rows) >= 5
    for row in rows:
        assert row["ours"]["requests"] == 3 and row["ours"]["errors"] == 0, row
        if row["datasette"] is not None:
            assert row["datasette"]["errors"] == 0, row
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("quick: p99_ms=")
    assert "incident detail" in result.stdout
    try:
        import datasette  # noqa: F401
    except ImportError:
        assert "Datasette column skipped" in result.stdout
    else:
        assert "vs_datasette=skipped" not in lines[-1]


def _load_run(tmp_path: Path, *options: str) -> tuple[str, dict[str, Any]]:
    """`bench.api --concurrent ... --seconds 1` (with `options`) on a 300-incident corpus,
    without Datasette: its stdout and the figures it wrote."""
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    generate(url, 300, seed=1)
    figures = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.api", "--db", url, "--json", str(figures), "--only-modes"]
        + ["--no-datasette", "--seconds", "1", *options],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written: dict[str, Any] = json.loads(figures.read_text())
    return result.stdout, written


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (apt-get install wrk)")
def test_concurrent_mode_asks_for_a_different_incident_every_time(tmp_path: Path) -> None:
    """The random detail under load: every id it draws exists (a 404 would count as an error)."""
    _, written = _load_run(tmp_path, "--concurrent", "2", "--load-queries", "list,detail_random")
    load = {row["query"]: row["ours"] for row in written["load"]}
    assert set(load) == {"list page 1, newest first", "incident detail, a random id each time"}
    for figures_of_one in load.values():
        assert figures_of_one["rps"] > 0 and figures_of_one["errors"] == 0, load


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (apt-get install wrk)")
def test_concurrent_mode_serves_ours_with_the_workers_asked_and_counts_their_cpu(
    tmp_path: Path,
) -> None:
    """`--workers 2`: the load starts once both worker processes are up (the run fails when
    two never start), and the CPU per request is every process's."""
    stdout, written = _load_run(
        tmp_path, "--concurrent", "4", "--workers", "2", "--load-queries", "list"
    )
    assert "ours (2 worker processes)" in stdout
    assert written["workers"] == 2
    [row] = written["load"]
    assert row["ours"]["errors"] == 0 and row["ours"]["requests"] > 0, row
    # A list page costs milliseconds of CPU in the worker that answers it (4-5 ms here); the
    # supervisor alone, which answers nothing, shows 0.0-0.03 ms a request.
    assert row["ours"]["cpu_ms"] > 0.1, row


def test_ingest_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    workdir = tmp_path / "named" / "by the user"  # not there yet: made, not a traceback
    result = subprocess.run(
        [sys.executable, "-m", "bench.ingest", "--articles", "12", "--incidents", "20"]
        + ["--workdir", str(workdir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "incidentdb ingest --workers" in result.stdout
    assert "re-run over the unchanged articles" in result.stdout
    assert "peak RSS" in result.stdout
    assert workdir.is_dir() and not any(workdir.iterdir())  # the run's temp folder is gone


def test_the_kill_benchmark_compares_the_re_run_with_an_uninterrupted_ingest(
    tmp_path: Path,
) -> None:
    """`bench.ingest --reference`: the same ingest in two databases compares equal (their
    timestamps differ); one changed row makes its table, and only it, differ."""
    from app.db import migrate
    from bench.ingest import SEEDS, content_digests, time_pipeline

    urls = [f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3")]
    for url in urls:
        migrate.upgrade(url)
        time_pipeline(url, [SEEDS])
    first, second = (content_digests(url) for url in urls)
    assert first == second and "source" in first and "statement" in first
    engine = create_engine(urls[1])
    with engine.begin() as conn:
        conn.execute(text("UPDATE statement SET said_on = NULL WHERE id = 1"))
    engine.dispose()
    changed = content_digests(urls[1])
    assert sorted(t for t in first if first[t] != changed[t]) == ["statement"]


def test_in_process_benchmark_measures_each_request_beside_its_sql(tmp_path: Path) -> None:
    from bench.inprocess import measure

    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    generate(url, 200, seed=1)
    rows = {m.name: m for m in measure(url, 3, 1, ["list", "detail", "not_modified"], None)}
    assert set(rows) == {"list", "detail", "not_modified"}
    assert rows["list"].status == 200 and rows["detail"].status == 200
    assert rows["not_modified"].status == 304 and rows["not_modified"].body_bytes == 0
    # The floor is the request's own SQL: a list page issues some, a 304 none.
    assert rows["list"].statements >= 2 and rows["not_modified"].statements == 0
    assert all(m.cpu_ms > 0 for m in rows.values())


def test_kept_sessions_benchmark_times_the_cycle_beside_its_bare_round_trips(
    database_url: str,
) -> None:
    from bench.kept_sessions import measure

    generate(database_url, 50, seed=1)
    kept_cycle, bare_cycle = measure(database_url, 40)
    assert kept_cycle > 0 and bare_cycle > 0


def test_in_process_combinations_time_each_drawn_url_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.api import _date_range
    from bench.combos import combinations
    from bench.inprocess import combinations_cpu

    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    generate(url, 200, seed=1)
    timed = combinations_cpu(url, seed=2, n=30, source=None, worst=3)
    drawn = combinations(2, 30, *_date_range(url))
    # Every first page is timed; a second page only where the first had a next one.
    assert sum(not c.second_page for c in drawn) <= len(timed) <= len(drawn)
    assert all(status == 200 for _, _, status, _ in timed)
    assert [t[0] for t in timed] == sorted((t[0] for t in timed), reverse=True)
    out = capsys.readouterr().out
    assert "30 random combinations (seed 2)" in out and len(out.splitlines()) == 4


def test_in_process_combinations_asked_again_ask_each_url_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import inprocess

    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    generate(url, 200, seed=1)
    asked: list[str] = []
    get = inprocess.AsgiDriver.get

    def counted(self: inprocess.AsgiDriver, path: str, *args: object, **kwargs: object) -> object:
        asked.append(path)
        return get(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(inprocess.AsgiDriver, "get", counted)
    timed = inprocess.combinations_cpu(url, seed=2, n=30, source=None, worst=3, again=True)
    assert all(status == 200 for _, _, status, _ in timed)
    for _, _, _, path in timed:
        assert asked.count(path) >= 2, path
    assert "30 random combinations (seed 2), asked again" in capsys.readouterr().out


def test_new_words_time_each_words_first_and_second_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.inprocess import new_words

    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    monkeypatch.setenv("INCIDENTDB_SEARCH_POSTINGS_MIN_MATCHES", "20")
    generate(url, 300, seed=1)
    timed = new_words(url, "/sources?q={word}&date_from={year}-01-01", 4, None)
    assert len(timed) == 4 and len({word for word, *_ in timed}) == 4
    assert all(status == 200 and first > 0 and second > 0 for _, first, second, status in timed)
    assert "4 words, second request" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (apt-get install wrk)")
def test_served_floor_answers_our_bytes_and_loads_both_servers(tmp_path: Path) -> None:
    """The floor serves exactly our response (the run refuses to compare otherwise) and both
    servers answer their load without an error, with their CPU per request counted."""
    url = f"sqlite:///{tmp_path / 'floor.sqlite3'}"
    generate(url, 300, seed=1)
    result = subprocess.run(
        [sys.executable, "-m", "bench.served_floor", "--db", url, "--seconds", "1", "--runs", "1"]
        + ["--path", "/incidents?actor=Iran&limit=20"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    rows = {line[0]: line for line in lines if line and line[0] in ("floor", "ours")}
    assert set(rows) == {"floor", "ours"}, result.stdout
    for name, (_, run, rps, _p50, _p99, cpu) in rows.items():
        assert run == "1" and float(rps) > 0 and float(cpu) > 0, (name, result.stdout)
