from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base


class ActorKind(enum.StrEnum):
    state = "state"
    person = "person"
    organization = "organization"


class ActorOrigin(enum.StrEnum):
    curated = "curated"  # from actors.yaml
    extracted = "extracted"  # a speaker the curated data did not know
    builtin = "builtin"  # a state from app/actors/data/states.yaml, known without curation


class AliasKind(enum.StrEnum):
    name = "name"  # the canonical name, so one index answers every lookup
    alias = "alias"
    demonym = "demonym"  # "Iranian" stands for Iran in mentions
    metonym = "metonym"  # "Tehran" speaking for the state


class Actor(Base):
    __tablename__ = "actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ActorKind] = mapped_column(
        Enum(ActorKind, native_enum=False, length=20, validate_strings=True)
    )
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[ActorOrigin] = mapped_column(
        Enum(ActorOrigin, native_enum=False, length=20, validate_strings=True),
        default=ActorOrigin.curated,
    )
    # What `q=` searches (names folded in), maintained by the ingest; SQLite indexes it with
    # FTS5 and PostgreSQL with a GIN tsvector index (see the add_full_text_search migration).
    search_text: Mapped[str] = mapped_column(Text, default="")

    affiliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("actor.id", ondelete="SET NULL"), index=True
    )

    affiliation: Mapped[Actor | None] = relationship(
        remote_side=[id], back_populates="members", lazy="raise"
    )
    members: Mapped[list[Actor]] = relationship(
        back_populates="affiliation", lazy="raise", order_by="Actor.name"
    )
    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ActorAlias.id",
    )


class ActorAlias(Base):
    __tablename__ = "actor_alias"
    __table_args__ = (
        UniqueConstraint("actor_id", "kind", "alias"),
        Index("ix_actor_alias_key", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"))
    kind: Mapped[AliasKind] = mapped_column(
        Enum(AliasKind, native_enum=False, length=20, validate_strings=True)
    )
    alias: Mapped[str] = mapped_column(String(300))
    # Case- and accent-folded form (Pezeşkian -> pezeshkian): what lookups compare.
    key: Mapped[str] = mapped_column(String(300))

    actor: Mapped[Actor] = relationship(back_populates="aliases", lazy="raise")
