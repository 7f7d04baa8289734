from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class ChangeOp(StrEnum):
    created = "created"
    updated = "updated"
    deleted = "deleted"


class DataVersion(Base):
    """One ingest that changed something. Its number is the ETag's data version."""

    __tablename__ = "data_version"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # {kind: {"created": n, "updated": n, "deleted": n}} for actor, incident, source, statement
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)


class Change(Base):
    """A row created, updated or deleted by one data version; deleted rows stay as tombstones."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_version_id", "version", "id"),)

    # Ascending ids follow the versions: the feed is read in id order.
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(ForeignKey("data_version.number"))
    kind: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int]
    slug: Mapped[str | None] = mapped_column(String(200))
    op: Mapped[ChangeOp] = mapped_column(Enum(ChangeOp, native_enum=False, length=10))
