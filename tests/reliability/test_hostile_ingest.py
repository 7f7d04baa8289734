"""Hostile ingest input: one `PATH:LINE: reason` line, exit 1, and the database unchanged.

tests/cli/test_bad_input.py covers the schema's refusals (bad dates and country codes,
duplicate slugs, unknown actors, affiliation cycles, empty/binary/non-UTF-8 articles); this
file adds what a hostile or broken file system and a hostile YAML author can do, and checks
that text with a BOM or CRLF/mixed newlines keeps exact offsets all the way to the API.
"""

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS, Probe
from tests.inprocess import AppClient

DEFAULT_LIMIT = Settings().max_article_bytes
ACTOR = "- slug: {slug}\n  name: {name}\n  kind: person\n"


@pytest.fixture
def seeded_db(seeded_url: str) -> Probe:
    return Probe(seeded_url)


def refused(paths: list[Path], probe: Probe, capsys: pytest.CaptureFixture[str]) -> str:
    """Ingest `paths` in-process; assert exit 1 and no change; return the one error line."""
    before = probe.fingerprint()
    assert cli.main(["ingest", *map(str, paths)]) == 1
    assert probe.fingerprint() == before, "a refused ingest changed the database"
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def refused_in_a_process(paths: list[Path], probe: Probe, runner: Sequence[str] = ()) -> str:
    """As `refused`, in a bounded child: a regression here hangs or eats memory, not the suite.

    `runner` goes before the command (e.g. setpriv, to run it with fewer privileges).
    """

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    before = probe.fingerprint()
    result = subprocess.run(
        [*runner, sys.executable, "-m", "app", "ingest", *map(str, paths)],
        env={**os.environ, "DATABASE_URL": probe.url},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
    )
    assert result.returncode == 1, result.stderr
    assert probe.fingerprint() == before, "a refused ingest changed the database"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def article(folder: Path, name: str = "hostile.txt") -> Path:
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    return folder / "articles" / name


# -- the file system ---------------------------------------------------------------------------


def test_a_50_mb_article_is_refused_at_the_default_limit(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    path = article(tmp_path)
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: instant, and takes no disk
    assert refused([tmp_path], seeded_db, capsys) == (
        f"{path}:1: file is 52,428,800 bytes, over the limit of {DEFAULT_LIMIT:,} "
        "(set INCIDENTDB_MAX_ARTICLE_BYTES to raise it)"
    )


def test_the_article_limit_is_configurable(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INCIDENTDB_MAX_ARTICLE_BYTES", str(60 * 1024 * 1024))
    path = article(tmp_path)
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    # Past the size check, the same 50 MB are read and refused for what they hold.
    assert refused([tmp_path], seeded_db, capsys) == (
        f"{path}:1: binary file (NUL byte); expected UTF-8 text"
    )


def test_a_symlink_loop_between_articles_is_reported(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = article(tmp_path, "a.txt"), article(tmp_path, "b.txt")
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    before = seeded_db.fingerprint()
    assert cli.main(["ingest", str(tmp_path)]) == 1
    assert seeded_db.fingerprint() == before
    assert capsys.readouterr().err.splitlines() == [
        f"{a}:1: cannot read: Too many levels of symbolic links",
        f"{b}:1: cannot read: Too many levels of symbolic links",
    ]


def test_a_path_that_is_a_symlink_loop_says_so(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "seeds"
    loop.symlink_to(loop.name)
    assert refused([loop], seeded_db, capsys) == (
        f"{loop}:1: cannot read: Too many levels of symbolic links"
    )


def without_root_read_override() -> list[str]:
    """How to run a command so that a chmod-000 file is unreadable to it, as CI's root too.

    Root reads any file through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; dropping both from
    the bounding set (util-linux's setpriv; .ci/run installs it) leaves a root process the
    owner's permission bits, so it still reads the checkout and the database it owns.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (Debian util-linux) is needed to run this test as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_an_unreadable_article_is_reported(tmp_path: Path, seeded_db: Probe) -> None:
    path = article(tmp_path)
    path.write_text("Text nobody may read.\n")
    path.chmod(0)
    runner = without_root_read_override()
    assert refused_in_a_process([tmp_path], seeded_db, runner) == (
        f"{path}:1: cannot read: Permission denied"
    )


def test_a_folder_named_like_an_article_is_reported(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    # Unreadable as an article whoever runs the ingest, root included.
    path = article(tmp_path, "folder.txt")
    path.mkdir()
    assert refused([tmp_path], seeded_db, capsys) == f"{path}:1: cannot read: Is a directory"


def test_an_endless_device_is_refused_without_reading_it(tmp_path: Path, seeded_db: Probe) -> None:
    # A link to /dev/zero says 0 bytes and never ends: reading it exhausted memory.
    path = article(tmp_path, "zero.txt")
    path.symlink_to("/dev/zero")
    assert refused_in_a_process([tmp_path], seeded_db) == f"{path}:1: not a regular file"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, seeded_db: Probe) -> None:
    path = article(tmp_path, "pipe.txt")
    os.mkfifo(path)
    assert refused_in_a_process([tmp_path], seeded_db) == f"{path}:1: not a regular file"


# -- hostile YAML ------------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (BILLION_LAUGHS, 2, "YAML syntax error: YAML aliases (*name) are not allowed"),
        # An alias bomb inside an otherwise well-formed entry.
        (
            ACTOR.format(slug="lol", name="&x lol") + "  aliases: [*x, *x]\n",
            4,
            "YAML syntax error: YAML aliases (*name) are not allowed",
        ),
        # 100,000 nested lists: a RecursionError trace before the depth limit.
        ("[" * 100_000 + "]" * 100_000, 1, "YAML syntax error: nested deeper than 50 levels"),
        # Tags that construct objects are not YAML data; SafeLoader refuses them.
        (
            "- slug: !!python/object/apply:os.system ['true']\n",
            1,
            "YAML error: could not determine a constructor for the tag",
        ),
        (ACTOR.format(slug="a", name="!!float abc"), 1, "YAML error: could not convert string"),
        (ACTOR.format(slug="a", name="9" * 5000), 1, "YAML error: Exceeds the limit"),
        # PostgreSQL text cannot hold NUL: it failed at INSERT with a trace.
        (ACTOR.format(slug="a", name='"x\\0y"'), 2, "name: must not contain NUL characters"),
        (ACTOR.format(slug="a", name='"\\ud800"'), 2, "name: Input should be a valid string"),
        (b"\xef\xbb\xbf" + b"- slug: a\n  name: \xc0\n  kind: person\n", 2, "not valid UTF-8"),
        # CRLF and CR-only line ends still give the right line.
        (
            (ACTOR.format(slug="a", name="A") + "  country: XYZ\n").replace("\n", "\r\n"),
            4,
            "country: 'XYZ' is not an ISO 3166-1 alpha-3 country code",
        ),
        (
            (ACTOR.format(slug="a", name="A") + "  country: XYZ\n").replace("\n", "\r"),
            4,
            "country: 'XYZ' is not an ISO 3166-1 alpha-3 country code",
        ),
    ],
    ids=[
        "billion-laughs",
        "alias-in-entry",
        "deep-nesting",
        "python-tag",
        "bad-float-tag",
        "5000-digit-int",
        "nul-escape",
        "lone-surrogate",
        "bom-then-invalid-utf8",
        "crlf-line-numbers",
        "cr-line-numbers",
    ],
)
def test_hostile_yaml_is_one_line_with_its_place(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes,
    line: int,
    reason: str,
) -> None:
    path = tmp_path / "actors.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    error = refused([tmp_path], seeded_db, capsys)
    assert error.startswith(f"{path}:{line}: {reason}"), error


def test_a_truncated_seed_file_is_refused(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cut the real incidents file mid-way through a flow mapping, as a failed copy would.
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    incidents = seeds / "incidents.yaml"
    text = incidents.read_text(encoding="utf-8")
    cut = text.index("- {actor:", len(text) // 2) + len("- {actor:")
    incidents.write_text(text[:cut], encoding="utf-8")
    error = refused([seeds], seeded_db, capsys)
    assert error.startswith(f"{incidents}:{text[:cut].count(chr(10)) + 1}: YAML syntax error"), (
        error
    )


def test_a_bom_and_crlf_in_seed_files_are_read_as_text(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "actors.yaml").write_bytes(
        b"\xef\xbb\xbf"
        + ACTOR.format(slug="bom-actor", name="Bom Actor").encode().replace(b"\n", b"\r\n")
    )
    assert cli.main(["ingest", str(tmp_path)]) == 0, capsys.readouterr().err
    assert seeded_db.scalar("SELECT name FROM actor WHERE slug = 'bom-actor'") == "Bom Actor"


# -- exact offsets whatever the newlines -------------------------------------------------------


def test_offsets_are_exact_with_a_bom_crlf_and_mixed_newlines(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    articles = sorted((seeds / "articles").glob("*.txt"))
    crlf, mixed = articles[0], articles[1]
    crlf.write_bytes(b"\xef\xbb\xbf" + crlf.read_bytes().replace(b"\n", b"\r\n"))
    lines = mixed.read_bytes().split(b"\n")
    mixed.write_bytes(
        b"".join(line + (b"\n", b"\r\n", b"\r")[i % 3] for i, line in enumerate(lines))
    )
    assert cli.main(["ingest", str(seeds)]) == 0, capsys.readouterr().err

    with AppClient(create_app(Settings(database_url=database_url))) as client:
        for path in (crlf, mixed):
            source = client.get(f"/sources/{path.stem}").json()
            # Stored as published (CR included); only the BOM, an encoding mark, is dropped.
            assert source["text"] == path.read_bytes().decode("utf-8").removeprefix("\ufeff")
            assert "\r" in source["text"]
            statements = client.get("/statements", params={"source": path.stem, "limit": 500})
            items = statements.json()["items"]
            assert items, f"no statements extracted from {path.name}"
            for statement in items:
                assert source["text"][statement["start"] : statement["end"]] == statement["text"]
