"""extract_article: one article's text in, everything the ingest stores out."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date

from app.extraction import dates, metadata
from app.extraction.attribution import attribute, evidence_spans
from app.extraction.calibration import confidence_of
from app.extraction.context import ArticleContext
from app.extraction.gazetteer import Gazetteer
from app.extraction.linking import link_incident
from app.extraction.mentions import find_mentions
from app.extraction.model import (
    ArticleExtraction,
    Evidence,
    ExtractedStatement,
    KnownIncident,
    NewActor,
    SpeakerAttribution,
)
from app.extraction.quotes import select_statements


def extract_article(
    text: str,
    gazetteer: Gazetteer,
    incidents: Sequence[KnownIncident] = (),
    source_slug: str | None = None,
    published_on: date | None = None,
) -> ArticleExtraction:
    """Statements, speakers, mentions, dates and metadata of one article (offsets exact).

    `published_on`, when the input states it, is the day relative dates resolve against.
    """
    ctx = ArticleContext.build(text, gazetteer)
    published = published_on or dates.published_on(ctx)
    quotes = select_statements(
        text,
        ctx.quotes,
        lambda pos: ctx.sentences[ctx.sentence_index(pos)],
        lambda pos: ctx.paragraphs[ctx.paragraph_index(pos)],
    )
    attributions, new_actors = attribute(ctx, quotes)
    by_slug = {a.slug: a for a in new_actors}

    def lineage(slug: str) -> tuple[str, ...]:
        new = by_slug.get(slug)
        if new is None:
            return gazetteer.lineage(slug)
        return (slug, *(gazetteer.lineage(new.affiliation) if new.affiliation else ()))

    statements = []
    for quote, found in zip(quotes, attributions, strict=True):
        said = dates.said_on(ctx, quote, found.start, published)
        statements.append(
            ExtractedStatement(
                text=quote.text,
                start=quote.start,
                end=quote.end,
                speaker_text=found.speaker_text,
                speaker=found.speaker,
                said_on=said,
                incident=link_incident(
                    found.speaker,
                    said,
                    incidents,
                    source_slug,
                    lineage,
                    _mentioned(ctx, quote.start, quote.end),
                ),
                attribution=SpeakerAttribution(
                    method=found.method,
                    confidence=confidence_of(found.method, found.bucket),
                    evidence=tuple(
                        Evidence(text[start:end], start, end)
                        for start, end in evidence_spans(text, found)
                    ),
                    bucket=found.bucket,
                ),
            )
        )
    used = {s.speaker for s in statements}
    kept: tuple[NewActor, ...] = tuple(a for a in new_actors if a.slug in used)
    return ArticleExtraction(
        title=metadata.title(ctx),
        publisher=metadata.publisher(ctx),
        published_on=published,
        statements=tuple(statements),
        mentions=find_mentions(ctx, kept),
        new_actors=kept,
    )


def _mentioned(ctx: ArticleContext, start: int, end: int) -> set[str]:
    first = bisect.bisect_left(ctx.match_starts, start)
    last = bisect.bisect_left(ctx.match_starts, end)
    return {m.actor.slug for m in ctx.matches[first:last]}
