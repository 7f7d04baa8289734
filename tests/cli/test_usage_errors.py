"""A mistyped command line gets one clear line and exit 2, never a Python traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli

USAGE_ERRORS = [
    (["ingest", "--prune"], "incidentdb ingest: "),
    (["serve", "--port", "abc"], "incidentdb serve: Invalid value for '--port'"),
    (["serve", "--port"], "Option '--port' requires an argument"),
    (["frobnicate"], "incidentdb: No such command 'frobnicate'"),
    (["--bogus"], "incidentdb: No such option: --bogus"),
    (["db", "frob"], "incidentdb db: No such command 'frob'"),
    (["db", "downgrade"], "incidentdb db downgrade: Missing argument"),
    (["eval", "a", "b"], "incidentdb eval: Got unexpected extra argument"),
    (["serve", "--workers", "many"], "incidentdb serve: Invalid value for '--workers'"),
]


@pytest.mark.parametrize(
    ("argv", "start"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_error_is_one_line_and_exit_2(
    argv: list[str],
    start: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A database that must not be touched: a usage error stops before any command runs.
    database = tmp_path / "untouched.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert start in err
    assert "Traceback" not in err
    assert not database.exists()


@pytest.mark.parametrize(
    "argv", [["ingest", "--prune"], ["serve", "--port", "abc"], ["frobnicate"]]
)
def test_console_script_prints_no_traceback(argv: list[str], tmp_path: Path) -> None:
    """The installed command as a new user runs it, in its own process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "app", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_group_without_a_command_shows_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db"]) == 2
    out, err = capsys.readouterr()
    assert "upgrade" in out + err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("variable", "value"),
    [("INCIDENTDB_CONNECT_TIMEOUT_SECONDS", "abc"), ("INCIDENTDB_SEARCH_RANKING_MATCHES", "-5")],
)
def test_a_bad_setting_is_one_line_naming_the_variable_and_exit_2(
    variable: str, value: str, tmp_path: Path
) -> None:
    env = {**os.environ, variable: value, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"incidentdb: bad setting {variable}={value!r}: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
