"""Writing sources: articles by content hash, their metadata and actor mentions.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from collections.abc import Collection
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.kit import near_duplicates
from app.kit.writes import assign
from app.sources.models import Mention, Source

# (actor id, start, end, text) of one mention
MentionRow = tuple[int, int, int, str]


def by_slugs(session: Session, slugs: Collection[str]) -> dict[str, Source]:
    if not slugs:
        return {}
    return {s.slug: s for s in session.scalars(select(Source).where(Source.slug.in_(set(slugs))))}


def upsert_article(
    session: Session,
    sources: dict[str, Source],
    slug: str,
    *,
    text: str,
    content_hash: str,
    input_hash: str,
    given: dict[str, str],
) -> int:
    """Create or update the article `slug` (added to `sources`); how many changes.

    A changed text or changed stated metadata marks the source stale, so the next
    extraction pass re-reads it.
    """
    changes = 0
    source = sources.get(slug)
    if source is None:
        source = Source(slug=slug, extraction_key="")
        session.add(source)
        sources[slug] = source
        changes += 1
    # An unchanged input keeps its stored text: a page is not re-extracted into a different
    # text (and different offsets) because trafilatura was upgraded.
    if source.input_hash != input_hash:
        if source.content_hash != content_hash:
            source.text = text
            source.content_hash = content_hash
            source.extraction_key = ""  # stale: re-extract
            source.signature = None  # and re-sign for the near-duplicate check
        source.input_hash = input_hash
        changes += 1
    stated = given or None
    if source.given != stated:
        source.given = stated
        source.extraction_key = ""  # stated metadata feeds extraction (dates)
        changes += 1
    return changes


def stale(session: Session, extraction_key: str) -> list[Source]:
    """Sources last extracted under another key (other rules or other curated data)."""
    return list(
        session.scalars(
            select(Source).where(Source.extraction_key != extraction_key).order_by(Source.id)
        )
    )


def set_metadata(
    source: Source,
    *,
    title: str | None,
    publisher: str | None,
    published_on: date | None,
    url: str | None,
    language: str | None,
) -> bool:
    return assign(
        source,
        {
            "title": title,
            "publisher": publisher,
            "published_on": published_on,
            "url": url,
            "language": language,
        },
    )


def sync_mentions(session: Session, source_id: int, wanted: list[MentionRow]) -> bool:
    """Make the source's mentions exactly `wanted`; whether anything changed."""
    wanted = sorted(wanted)
    rows = session.execute(
        select(Mention.actor_id, Mention.start, Mention.end, Mention.text).where(
            Mention.source_id == source_id
        )
    )
    if sorted((a, s, e, t) for a, s, e, t in rows) == wanted:
        return False
    session.execute(delete(Mention).where(Mention.source_id == source_id))
    session.add_all(
        Mention(source_id=source_id, actor_id=a, start=s, end=e, text=t) for a, s, e, t in wanted
    )
    return True


def delete_by_ids(session: Session, ids: list[int]) -> None:
    """Delete sources by id; cascades take their statements, mentions and incident links."""
    for start in range(0, len(ids), 10_000):  # bounded IN lists
        chunk = ids[start : start + 10_000]
        session.execute(delete(Source).where(Source.id.in_(chunk)))


def mark_duplicates(session: Session, *, force: bool) -> list[tuple[int, str]]:
    """Sign the sources without a signature, then re-mark every source's `duplicate_of`;
    return the (id, slug) of each source whose mark changed.

    Nothing is re-marked when no source was added or edited and `force` is off (sources were
    deleted): the marks depend only on the set of signatures.
    """
    unsigned = list(
        session.execute(select(Source.id, Source.text).where(Source.signature.is_(None)))
    )
    for row_id, text in unsigned:
        session.execute(
            update(Source)
            .where(Source.id == row_id)
            .values(signature=near_duplicates.signature(text))
        )
    if not unsigned and not force:
        return []
    rows = [
        (i, sig, marked, slug)
        for i, sig, marked, slug in session.execute(
            select(Source.id, Source.signature, Source.duplicate_of, Source.slug)
        )
        if sig is not None  # every source was signed above
    ]
    first_copy = near_duplicates.assign((i, sig) for i, sig, _, _ in rows)
    changed = [(i, slug) for i, _, marked, slug in rows if first_copy[i] != marked]
    for row_id, _ in changed:
        session.execute(
            update(Source).where(Source.id == row_id).values(duplicate_of=first_copy[row_id])
        )
    return changed
