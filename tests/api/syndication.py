"""The seeds with a syndicated copy of one article and another article on the same event in
other words (not a copy): the corpus of the near-duplicate tests and of the statement facets
that leave copies out."""

import shutil
from pathlib import Path

from app import cli
from tests.conftest import SEEDS

ORIGINAL = "004_ff1c3840c6ee87fa"


def syndicated(text: str) -> str:
    """The same wire story as another outlet runs it: its header, byline, footer, small edits."""
    edited = text.replace("on Monday", "on Monday afternoon").replace(
        "official spokesman", "official spokesperson"
    )
    return (
        "WORLD | Syndicated from the wires\nBy a staff correspondent\n\n"
        + edited
        + "\n\nThis story was republished under licence. All rights reserved.\n"
    )


def seeds_with_a_copy(tmp_path: Path) -> Path:
    """The seeds copied to `tmp_path/seeds`, with `zz-copy` (ORIGINAL as another outlet runs
    it) and `zz-other` (the same event in other words: not a duplicate)."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    original = (folder / "articles" / f"{ORIGINAL}.txt").read_text(encoding="utf-8")
    (folder / "articles" / "zz-copy.txt").write_text(syndicated(original), encoding="utf-8")
    (folder / "articles" / "zz-other.txt").write_text(
        "Tehran blames Israel for strained ties with Baku\n\n"
        "Iran's foreign ministry on Monday accused Israel of trying to drive a wedge between "
        "Tehran and Baku. The ministry's spokesman, Nasser Kanani, told reporters that Iran "
        'still wanted normal relations with its neighbour. "We have no problem with the people '
        'of Azerbaijan," Kanani said, adding that the two governments should keep talking.\n',
        encoding="utf-8",
    )
    return folder


def ingest(*args: str | Path) -> None:
    """`incidentdb ingest ARGS` into DATABASE_URL's database."""
    assert cli.main(["ingest", *(str(a) for a in args)]) == 0
