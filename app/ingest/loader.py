"""Reads and validates ingest input. Every problem is found before anything is written."""

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import InputError, Problem
from app.ingest.formats import bulk, front_matter, html_page
from app.ingest.formats.encoding import decode
from app.ingest.records import (
    SLUG_PATTERN,
    ActorRecord,
    IncidentRecord,
    SourceEntryRecord,
    SourceMetaRecord,
)
from app.ingest.validation import problems_of
from app.ingest.yaml_source import Entry, read_entries

ACTORS_FILE = "actors.yaml"
INCIDENTS_FILE = "incidents.yaml"
SOURCES_FILE = "sources.yaml"
ARTICLES_DIR = "articles"
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
BULK_SUFFIXES = (".jsonl", ".csv")
ARTICLE_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *BULK_SUFFIXES)
# A bulk file holds many articles; each is still held to the per-article limit.
MAX_BULK_FILE_BYTES = 4 * 1024**3

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
    # Where the article (or its slug) is written: 1 for a file, the row of a bulk file.
    line: int
    # The text to store: the body after any front matter, or the text extracted from a page.
    text: str
    content_hash: str
    # SHA-256 of the input as read (the file's bytes, or a bulk record's text). An HTML page
    # whose bytes are unchanged is not extracted again, whatever trafilatura would make of it.
    input_hash: str
    # Metadata the user states (front matter, a bulk record's fields, sources.yaml) and what
    # a page says about itself; the stated values win, and both win over cues in the text.
    stated: dict[str, str] = field(default_factory=dict)
    page: dict[str, str] = field(default_factory=dict)

    @property
    def given(self) -> dict[str, str]:
        return {**self.page, **self.stated}


@dataclass
class Batch:
    actors: list[Located[ActorRecord]] = field(default_factory=list)
    incidents: list[Located[IncidentRecord]] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.actors or self.incidents or self.articles)


@dataclass(frozen=True)
class _Reading:
    max_article_bytes: int
    encoding: str | None  # the user's --encoding for articles; None: UTF-8 or a BOM's


def load(paths: Sequence[Path], *, max_article_bytes: int, encoding: str | None = None) -> Batch:
    """Read every path (seed folder or article file); raise InputError listing all problems."""
    batch = Batch()
    problems: list[Problem] = []
    reading = _Reading(max_article_bytes, encoding)
    for path in paths:
        problems += _load_path(path, batch, reading)
    problems += _duplicates(batch)
    if not problems and batch.empty:
        problems.append(Problem(paths[0] if paths else Path("."), 1, "nothing to ingest"))
    if problems:
        raise InputError(problems)
    return batch


def _load_path(path: Path, batch: Batch, reading: _Reading) -> list[Problem]:
    max_article_bytes = reading.max_article_bytes
    try:
        if path.is_dir():
            return _load_folder(path, batch, reading)
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
    if path.suffix.lower() in ARTICLE_SUFFIXES:
        return _load_article(path, batch.articles, reading)
    kinds = ", ".join(ARTICLE_SUFFIXES)
    return [Problem(path, 1, f"not an article ({kinds}) or a seed file")]


def _load_folder(folder: Path, batch: Batch, reading: _Reading) -> list[Problem]:
    max_article_bytes = reading.max_article_bytes
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
    articles: list[Article] = []
    for directory in article_dirs:
        for article in sorted(directory.iterdir()):
            if article.suffix.lower() in ARTICLE_SUFFIXES and not article.name.startswith("."):
                found = True
                problems += _load_article(article, articles, reading)
    sources = folder / SOURCES_FILE
    if sources.exists() or sources.is_symlink():
        found = True
        problems += _apply_sources_file(sources, articles, max_article_bytes)
    batch.articles += articles
    if not found:
        kinds = ", ".join(ARTICLE_SUFFIXES)
        problems.append(
            Problem(
                folder,
                1,
                f"nothing to ingest: expected {ACTORS_FILE}, {INCIDENTS_FILE} "
                f"or articles ({kinds}) in {ARTICLES_DIR}/",
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


def _load_records(
    path: Path, model: type[R], into: list[Located[R]], max_bytes: int
) -> list[Problem]:
    raw, problems = _read_bytes(path, max_bytes)
    if raw is None:
        return problems
    # Curated YAML is the project's own and always UTF-8 (--encoding is for articles).
    text, problems = decode(path, raw)
    if text is None:
        return problems
    entries, problems = read_entries(path, text)
    for entry in entries:
        try:
            record = model.model_validate(entry.value)
        except ValidationError as exc:
            problems += problems_of(path, exc, entry.line_of)
            continue
        into.append(Located(record=record, path=path, entry=entry))
    return problems


def slug_for_article(path: Path) -> str:
    """The article's stable slug: its file name without the extension, made URL-safe."""
    stem = path.stem
    if re.fullmatch(SLUG_PATTERN, stem):
        return stem
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "article"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_article(path: Path, into: list[Article], reading: _Reading) -> list[Problem]:
    suffix = path.suffix.lower()
    if suffix in BULK_SUFFIXES:
        return _load_bulk(path, into, reading)
    raw, problems = _read_bytes(path, reading.max_article_bytes)
    if raw is None:
        return problems
    if suffix in HTML_SUFFIXES:
        return _load_page(path, raw, into, reading)
    text, problems = decode(path, raw, reading.encoding)
    if text is None:
        return problems
    if not text.strip():
        return [Problem(path, 1, "article is empty")]
    split, problems = front_matter.split(path, text)
    if split is None:
        return problems
    stated = SourceMetaRecord()
    slug_line = 1
    if split.entry is not None:
        try:
            stated = SourceMetaRecord.model_validate(split.entry.value)
        except ValidationError as exc:
            return problems_of(path, exc, split.entry.line_of)
        slug_line = split.entry.line_of(("slug",)) if stated.slug else 1
    body = split.body
    if not body.strip():
        return [Problem(path, text.count("\n", 0, len(text) - len(body)) + 1, "article is empty")]
    # Offsets index the article exactly as published: never normalise `body` here.
    into.append(
        Article(
            slug=stated.slug or slug_for_article(path),
            path=path,
            line=slug_line,
            text=body,
            content_hash=_sha256(body.encode("utf-8")),
            input_hash=_sha256(raw),
            stated=stated.given(),
        )
    )
    return []


def _load_page(path: Path, raw: bytes, into: list[Article], reading: _Reading) -> list[Problem]:
    page, problems = html_page.read(path, raw, reading.encoding)
    if page is None:
        return problems
    claimed = {
        "title": page.title,
        "published_on": page.published_on,
        "url": page.url,
        "publisher": page.site_name,
        "language": page.language,
    }
    # What a page says about itself is taken where it is valid and dropped where it is not
    # (a relative canonical link, an odd date): the page's text is still the article.
    kept: dict[str, str] = {}
    for name, value in claimed.items():
        if value is None:
            continue
        try:
            kept |= SourceMetaRecord.model_validate({name: value}).given()
        except ValidationError:
            continue
    into.append(
        Article(
            slug=slug_for_article(path),
            path=path,
            line=1,
            text=page.text,
            content_hash=_sha256(page.text.encode("utf-8")),
            input_hash=_sha256(raw),
            page=kept,
        )
    )
    return []


def _load_bulk(path: Path, into: list[Article], reading: _Reading) -> list[Problem]:
    raw, problems = _read_bytes(path, MAX_BULK_FILE_BYTES)
    if raw is None:
        return problems
    text, problems = decode(path, raw, reading.encoding)
    if text is None:
        return problems
    if path.suffix.lower() == ".csv":
        rows, problems = bulk.read_csv(path, text, reading.max_article_bytes)
    else:
        rows, problems = bulk.read_jsonl(path, text)
    if not rows and not problems:
        return [Problem(path, 1, "file is empty; expected one article a line")]
    limit = reading.max_article_bytes
    for row in rows:
        record = row.record
        encoded = record.text.encode("utf-8")
        if len(encoded) > limit:
            reason = f"text is {len(encoded):,} bytes, over the limit of {limit:,}"
            problems.append(Problem(path, row.line, f"{reason} (set INCIDENTDB_MAX_ARTICLE_BYTES)"))
            continue
        into.append(
            Article(
                slug=record.slug or _stable_slug(record.url, encoded),
                path=path,
                line=row.line,
                text=record.text,
                content_hash=_sha256(encoded),
                input_hash=_sha256(encoded),
                stated=record.given(),
            )
        )
    return problems


def _stable_slug(url: str | None, text: bytes) -> str:
    # The URL names the story even when its text is corrected later; without one, the text.
    return _sha256(url.encode("utf-8") if url else text)[:16]


def _apply_sources_file(path: Path, articles: list[Article], max_bytes: int) -> list[Problem]:
    """Merge sources.yaml (metadata keyed by slug) into the folder's articles."""
    entries: list[Located[SourceEntryRecord]] = []
    problems = _load_records(path, SourceEntryRecord, entries, max_bytes)
    by_slug = {a.slug: i for i, a in enumerate(articles)}
    seen: dict[str, int] = {}
    for located in entries:
        slug = located.record.slug
        line = located.entry.line_of(("slug",))
        if slug in seen:
            reason = f"duplicate source slug {slug!r} (first at {path}:{seen[slug]})"
            problems.append(Problem(path, line, reason))
            continue
        seen[slug] = line
        index = by_slug.get(slug)
        if index is None:
            problems.append(Problem(path, line, f"no article with slug {slug!r} in this folder"))
            continue
        article = articles[index]
        stated = dict(article.stated)
        for name, value in located.record.given().items():
            if name in stated and stated[name] != value:
                reason = f"{name}: {value!r} contradicts {stated[name]!r} given in {article.path}"
                problems.append(Problem(path, located.entry.line_of((name,)), reason))
            stated[name] = value
        articles[index] = replace(article, stated=stated)
    return problems


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
        earlier = seen.get(article.slug)
        if earlier is not None and (earlier.path.resolve(), earlier.line) != (
            article.path.resolve(),
            article.line,
        ):
            where = f"{earlier.path}:{earlier.line}"
            reason = f"duplicate source slug {article.slug!r} (first at {where})"
            problems.append(Problem(article.path, article.line, reason))
        seen.setdefault(article.slug, article)
    # The same file named twice on the command line is loaded once.
    unique: dict[str, Article] = {}
    for article in batch.articles:
        unique.setdefault(article.slug, article)
    batch.articles[:] = list(unique.values())
    return problems
