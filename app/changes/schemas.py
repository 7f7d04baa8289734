from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.changes.models import ChangeOp
from app.kit.names import MAX_ID


class OpCounts(BaseModel):
    created: int
    updated: int
    deleted: int


class VersionRead(BaseModel):
    """One ingest that changed the data."""

    number: int = Field(description="The data version; the ETag follows it.", examples=[3])
    created_at: datetime = Field(description="When the ingest committed (UTC).")
    counts: dict[str, OpCounts] = Field(
        description="Rows created, updated and deleted, per kind "
        "(`actor`, `incident`, `source`, `statement`)."
    )


class ChangeRead(BaseModel):
    """A row created, updated or deleted by a data version."""

    kind: str = Field(description="`actor`, `incident`, `source` or `statement`.")
    id: int = Field(description="The row's id (still given for a deleted row).")
    slug: str | None = Field(description="The row's slug; null for statements.")
    op: ChangeOp = Field(description="`created`, `updated` or `deleted`.")
    version: int = Field(description="The data version that made the change.")


class _Paging(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500, description="Items per page (1-500).")
    cursor: str | None = Field(
        None, max_length=1000, description="Opaque cursor from the previous page's `next_cursor`."
    )


class VersionFilters(_Paging):
    pass


class ChangeFilters(_Paging):
    since: int = Field(
        0,
        ge=0,
        le=MAX_ID,  # a version is an INTEGER column; PostgreSQL refuses to compare a larger one
        description="Only changes made after this data version (0: every recorded change).",
        examples=[3],
    )
