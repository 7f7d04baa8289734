"""A YAML block between `---` lines at the top of a .txt article: its metadata, not its text."""

import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import Problem
from app.ingest.yaml_source import Entry, read_mapping

_OPENING = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|\Z)", re.MULTILINE)


@dataclass(frozen=True)
class Split:
    entry: Entry | None  # None: the file has no front matter
    body: str


def split(path: Path, text: str) -> tuple[Split | None, list[Problem]]:
    """The front matter and the body after it; offsets into the article index the body."""
    opening = _OPENING.match(text)
    if opening is None:
        return Split(entry=None, body=text), []
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        reason = "front matter: no closing '---' line (a .txt file that starts with '---' "
        return None, [Problem(path, 1, reason + "opens a YAML block of metadata)")]
    entry, problems = read_mapping(path, text[opening.end() : closing.start()], first_line=2)
    if entry is None:
        return None, problems
    return Split(entry=entry, body=text[closing.end() :]), problems
