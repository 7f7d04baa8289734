from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.actors.models import Actor
from app.db.base import Base


class Source(Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(String(1000))
    publisher: Mapped[str | None] = mapped_column(String(300), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    published_on: Mapped[date | None] = mapped_column(index=True)
    language: Mapped[str | None] = mapped_column(String(35))
    # The article exactly as ingested: every statement offset indexes this string.
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # What the statements and mentions were extracted with (extractor version + curated
    # data); when it changes, the next ingest re-extracts this source.
    extraction_key: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the input as read (file bytes; a bulk record's text): an unchanged input,
    # an HTML page above all, is not re-read into `text`.
    input_hash: Mapped[str | None] = mapped_column(String(64))
    # The metadata the input states (front matter, sources.yaml, bulk fields, the page's own):
    # it wins over cues in the text each time the source is extracted.
    given: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # MinHash of the text's word 5-grams (app/ingest/duplicates.py); None until computed.
    # Deferred: no API response needs it, and every source list would carry it otherwise.
    signature: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # The first copy ingested of this near-identical story, or None for an original.
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), index=True
    )

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="source", lazy="raise", cascade="all, delete-orphan"
    )


class Mention(Base):
    """One place where a source names an actor."""

    __tablename__ = "mention"
    __table_args__ = (
        Index("ix_mention_actor_id_source_id", "actor_id", "source_id"),
        # The actor after start: probing a source's mentions for actors reads the index
        # alone (migration 0022).
        Index("ix_mention_source_id_start_actor_id", "source_id", "start", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"))
    start: Mapped[int]  # invariant: source.text[start:end] == text
    end: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))

    source: Mapped[Source] = relationship(back_populates="mentions", lazy="raise")
    actor: Mapped[Actor] = relationship(lazy="raise")
