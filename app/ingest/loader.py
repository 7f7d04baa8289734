"""Reads and validates ingest input. Every problem is found before anything is written."""

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import InputError, Problem
from app.ingest.records import SLUG_PATTERN, ActorRecord, IncidentRecord
from app.ingest.yaml_source import Entry, read_entries

ACTORS_FILE = "actors.yaml"
INCIDENTS_FILE = "incidents.yaml"
ARTICLES_DIR = "articles"
ARTICLE_SUFFIX = ".txt"

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Located(Generic[R]):
    """A validated record and where it was written, for errors found later (in the database)."""

    record: R
    path: Path
    entry: Entry

    def where(self, *loc: str | int) -> tuple[Path, int]:
        return self.path, self.entry.line_of(loc)


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    text: str
    content_hash: str


@dataclass
class Batch:
    actors: list[Located[ActorRecord]] = field(default_factory=list)
    incidents: list[Located[IncidentRecord]] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.actors or self.incidents or self.articles)


def load(paths: Sequence[Path], *, max_article_bytes: int) -> Batch:
    """Read every path (seed folder or article file); raise InputError listing all problems."""
    batch = Batch()
    problems: list[Problem] = []
    for path in paths:
        problems += _load_path(path, batch, max_article_bytes)
    problems += _duplicates(batch)
    if not problems and batch.empty:
        problems.append(Problem(paths[0] if paths else Path("."), 1, "nothing to ingest"))
    if problems:
        raise InputError(problems)
    return batch


def _load_path(path: Path, batch: Batch, max_article_bytes: int) -> list[Problem]:
    try:
        if path.is_dir():
            return _load_folder(path, batch, max_article_bytes)
        if not path.exists():
            if path.is_symlink():
                path.stat()  # a symlink loop or a dangling link: raise, to say which
            return [Problem(path, 1, "no such file or folder")]
    except OSError as exc:  # a symlink loop, a permission error on the folder
        return [Problem(path, 1, f"cannot read: {exc.strerror or exc}")]
    if path.name == ACTORS_FILE:
        return _load_records(path, ActorRecord, batch.actors, max_article_bytes)
    if path.name == INCIDENTS_FILE:
        return _load_records(path, IncidentRecord, batch.incidents, max_article_bytes)
    if path.suffix == ARTICLE_SUFFIX:
        return _load_article(path, batch, max_article_bytes)
    return [Problem(path, 1, f"not an article ({ARTICLE_SUFFIX}) or a seed file")]


def _load_folder(folder: Path, batch: Batch, max_article_bytes: int) -> list[Problem]:
    problems: list[Problem] = []
    found = False
    actors, incidents = folder / ACTORS_FILE, folder / INCIDENTS_FILE
    if actors.exists() or actors.is_symlink():
        found = True
        problems += _load_records(actors, ActorRecord, batch.actors, max_article_bytes)
    if incidents.exists() or incidents.is_symlink():
        found = True
        problems += _load_records(incidents, IncidentRecord, batch.incidents, max_article_bytes)
    articles_dir = folder / ARTICLES_DIR
    # A folder of articles alone (no seed layout) is accepted too.
    article_dirs = [articles_dir] if articles_dir.is_dir() else [folder]
    for directory in article_dirs:
        for article in sorted(directory.glob(f"*{ARTICLE_SUFFIX}")):
            found = True
            problems += _load_article(article, batch, max_article_bytes)
    if not found:
        problems.append(
            Problem(
                folder,
                1,
                f"nothing to ingest: expected {ACTORS_FILE}, {INCIDENTS_FILE} "
                f"or {ARTICLES_DIR}/*{ARTICLE_SUFFIX}",
            )
        )
    return problems


def _read_bytes(path: Path, limit: int) -> tuple[bytes | None, list[Problem]]:
    def too_big(size: str) -> list[Problem]:
        reason = f"file is {size} bytes, over the limit of {limit:,}"
        return [Problem(path, 1, f"{reason} (set INCIDENTDB_MAX_ARTICLE_BYTES to raise it)")]

    try:
        # O_NONBLOCK: opening a FIFO named *.txt would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                # A link to /dev/zero reports 0 bytes and never ends; a FIFO may not either.
                return None, [Problem(path, 1, "not a regular file")]
            if info.st_size > limit:
                return None, too_big(f"{info.st_size:,}")
            raw = file.read(limit + 1)  # bounded even if the file grows while we read
            if len(raw) > limit:
                return None, too_big("more than")
            return raw, []
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read: {exc.strerror or exc}")]


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return None, [Problem(path, line, "binary file (NUL byte); expected UTF-8 text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        return None, [Problem(path, line, f"not valid UTF-8 (byte 0x{bad} at offset {exc.start})")]
    # The BOM is an encoding mark, not content; offsets count from the first real character.
    return text.removeprefix("\ufeff"), []


def _load_records(
    path: Path, model: type[R], into: list[Located[R]], max_bytes: int
) -> list[Problem]:
    raw, problems = _read_bytes(path, max_bytes)
    if raw is None:
        return problems
    text, problems = _decode(path, raw)
    if text is None:
        return problems
    entries, problems = read_entries(path, text)
    for entry in entries:
        try:
            record = model.model_validate(entry.value)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                field_name = ".".join(str(part) for part in loc)
                message = error["msg"].removeprefix("Value error, ")
                reason = f"{field_name}: {message}" if field_name else message
                problems.append(Problem(path, entry.line_of(loc), reason))
            continue
        into.append(Located(record=record, path=path, entry=entry))
    return problems


def slug_for_article(path: Path) -> str:
    """The article's stable slug: its file name without the extension, made URL-safe."""
    stem = path.stem
    if re.fullmatch(SLUG_PATTERN, stem):
        return stem
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "article"


def _load_article(path: Path, batch: Batch, max_bytes: int) -> list[Problem]:
    raw, problems = _read_bytes(path, max_bytes)
    if raw is None:
        return problems
    text, problems = _decode(path, raw)
    if text is None:
        return problems
    if not text.strip():
        return [Problem(path, 1, "article is empty")]
    # Offsets index the article exactly as published: never normalise `text` here.
    batch.articles.append(
        Article(
            slug=slug_for_article(path),
            path=path,
            text=text,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
    )
    return []


def _duplicates(batch: Batch) -> list[Problem]:
    problems: list[Problem] = []
    for kind, items in (("actor", batch.actors), ("incident", batch.incidents)):
        first: dict[str, Located[ActorRecord] | Located[IncidentRecord]] = {}
        for item in items:
            slug = item.record.slug
            if slug in first:
                path, line = first[slug].where("slug")
                problems.append(
                    Problem(
                        *item.where("slug"),
                        f"duplicate {kind} slug {slug!r} (first at {path}:{line})",
                    )
                )
            else:
                first[slug] = item
    seen: dict[str, Article] = {}
    for article in batch.articles:
        if article.slug in seen and seen[article.slug].path.resolve() != article.path.resolve():
            problems.append(
                Problem(
                    article.path,
                    1,
                    f"duplicate source slug {article.slug!r} (also {seen[article.slug].path})",
                )
            )
        seen.setdefault(article.slug, article)
    # The same file named twice on the command line is loaded once.
    unique: dict[str, Article] = {}
    for article in batch.articles:
        unique.setdefault(article.slug, article)
    batch.articles[:] = list(unique.values())
    return problems
