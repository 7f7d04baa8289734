"""Bad ingest input: one `PATH:LINE: reason` line per problem, exit 1, database unchanged."""

from pathlib import Path

import pytest

from app import cli
from tests.conftest import Probe

ACTORS = """\
- slug: iran
  name: Iran
  kind: state
  country: IRN
- slug: azerbaijan
  name: Azerbaijan
  kind: state
  country: AZE
"""

INCIDENT = """\
- slug: talks
  title: Talks
  summary: The two sides talked.
  type: consultation
  date_start: 2023-03-01
  participants:
    - {actor: iran, role: participant}
    - {actor: azerbaijan, role: participant}
"""


@pytest.fixture
def seeded_db(seeded_url: str) -> Probe:
    return Probe(seeded_url)


def run_bad(folder: Path, probe: Probe, capsys: pytest.CaptureFixture[str]) -> list[str]:
    before = probe.fingerprint()
    assert cli.main(["ingest", str(folder)]) == 1
    assert probe.fingerprint() == before, "a failed ingest changed the database"
    err = capsys.readouterr().err
    return err.splitlines()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("actors", "line", "reason"),
    [
        (ACTORS + "- slug: [unclosed\n", 10, "flow sequence that starts on line 9"),
        (
            ACTORS.replace("  country: AZE\n", "  country: AZE\n  colour: red\n"),
            9,
            "colour: Extra inputs are not permitted",
        ),
        (
            ACTORS.replace("AZE", "XYZ"),
            8,
            "country: 'XYZ' is not an ISO 3166-1 alpha-3 country code",
        ),
        (ACTORS.replace("slug: azerbaijan", "slug: iran"), 5, "duplicate actor slug 'iran'"),
        (
            ACTORS + "- slug: armenia\n  name: Armenia\n  kind: kingdom\n  country: ARM\n",
            11,
            "kind: Input should be",
        ),
        (
            ACTORS.replace("  country: IRN\n", "  country: IRN\n  affiliation: nobody\n"),
            5,
            "affiliation: unknown actor 'nobody'",
        ),
        (
            ACTORS.replace("  country: IRN\n", "  country: IRN\n  affiliation: iran\n"),
            1,
            "an actor cannot be affiliated to itself",
        ),
        ("a: &x [1, 2]\nb: *x\n", 2, "YAML aliases"),
        # PyYAML refuses it before parsing, and that once escaped as a traceback.
        ("- slug: a\r\n  kind: person\r\n  name: A\x07B\r\n", 3, "character #x0007"),
        ("", 1, "file is empty"),
    ],
)
def test_bad_actors_file_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    actors: str,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path, "actors.yaml", actors)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert any(e.startswith(f"{path}:{line}: ") and reason in e for e in errors), errors


def test_affiliation_cycle_is_refused(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    actors = ACTORS.replace("  country: IRN\n", "  country: IRN\n  affiliation: azerbaijan\n")
    actors = actors.replace("  country: AZE\n", "  country: AZE\n  affiliation: iran\n")
    path = write(tmp_path, "actors.yaml", actors)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert any(e.startswith(f"{path}:5: ") and "cycle" in e for e in errors), errors


@pytest.mark.parametrize(
    ("incidents", "line", "reason"),
    [
        (INCIDENT.replace("2023-03-01", "2023-02-30"), 5, "not a real date"),
        (INCIDENT.replace("2023-03-01", "13/01/2023"), 5, "not a date in YYYY-MM-DD form"),
        (INCIDENT.replace("actor: azerbaijan", "actor: atlantis"), 8, "unknown actor 'atlantis'"),
        (INCIDENT.replace("consultation", "picnic"), 4, "unknown incident type 'picnic'"),
        (INCIDENT + INCIDENT, 9, "duplicate incident slug 'talks'"),
        (INCIDENT + "  sources: [no-such-article]\n", 9, "unknown source 'no-such-article'"),
        (INCIDENT + "  date_end: 2023-01-01\n", 1, "date_end is before date_start"),
        (INCIDENT + "  severity: 9\n", 9, "severity: Input should be less than or equal to 5"),
        (
            INCIDENT[: INCIDENT.index("  participants")] + "  participants: [\n",
            7,
            "YAML syntax error",
        ),
    ],
)
def test_bad_incidents_file_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    incidents: str,
    line: int,
    reason: str,
) -> None:
    write(tmp_path, "actors.yaml", ACTORS)
    path = write(tmp_path, "incidents.yaml", incidents)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert any(e.startswith(f"{path}:{line}: ") and reason in e for e in errors), errors


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"", 1, "article is empty"),
        (b"  \n\n ", 1, "article is empty"),
        (b"Tehran said\nthe talks \xff\xfe went well", 2, "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", 3, "binary file"),
    ],
)
def test_bad_article_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path / "articles", "bad.txt", content)
    write(tmp_path / "articles", "good.txt", "A good article that would load.\n")
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert errors == [e for e in errors if e.startswith(f"{path}:{line}: ") and reason in e], errors
    assert len(errors) == 1


def test_oversized_article_is_refused_with_the_limit(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INCIDENTDB_MAX_ARTICLE_BYTES", "1000")
    path = write(tmp_path / "articles", "huge.txt", "word " * 1000)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert errors == [
        f"{path}:1: file is 5,000 bytes, over the limit of 1,000 "
        "(set INCIDENTDB_MAX_ARTICLE_BYTES to raise it)"
    ]


def test_missing_path_is_reported(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = run_bad(tmp_path / "nowhere", seeded_db, capsys)
    assert errors == [f"{tmp_path / 'nowhere'}:1: no such file or folder"]


def test_every_problem_is_reported_not_just_the_first(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "actors.yaml", ACTORS.replace("IRN", "QQQ").replace("AZE", "ZZZ"))
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert len(errors) == 2


def test_a_bad_last_article_undoes_the_slices_already_written(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    # Articles are written a slice (500) at a time while they are read: the bad one, read
    # last, is found after whole slices are in the transaction, which must roll back.
    for i in range(600):
        write(tmp_path / "articles", f"a{i:04d}.txt", f"Good article number {i}.\n")
    bad = write(tmp_path / "articles", "z-last.txt", "   \n")
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert errors == [f"{bad}:1: article is empty"], errors
