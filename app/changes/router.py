from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.pages import Page
from app.changes import service
from app.changes.models import Change, DataVersion
from app.changes.schemas import ChangeFilters, ChangeRead, OpCounts, VersionFilters, VersionRead
from app.db.session import SessionDep

router = APIRouter(tags=["changes"])


@router.get("/versions", summary="List data versions")
def list_versions(session: SessionDep, f: Annotated[VersionFilters, Query()]) -> Page[VersionRead]:
    """Every ingest that changed something, newest first, with counts per kind and operation."""
    window = service.list_versions(session, f)
    page = Page[VersionRead].of([_version(v) for v in window.items], window)
    session.close()  # before FastAPI's validation hop: see app/db/session.py get_session
    return page


@router.get("/changes", summary="List changes since a data version")
def list_changes(session: SessionDep, f: Annotated[ChangeFilters, Query()]) -> Page[ChangeRead]:
    """Every row created, updated or deleted after version `since`, oldest first.

    Deleted rows are kept as tombstones, so a mirror can apply the feed in order.
    """
    window = service.list_changes(session, f)
    page = Page[ChangeRead].of([_change(c) for c in window.items], window)
    session.close()  # before FastAPI's validation hop: see app/db/session.py get_session
    return page


def _version(v: DataVersion) -> VersionRead:
    return VersionRead(
        number=v.number,
        # SQLite hands back naive datetimes; they were written in UTC.
        created_at=v.created_at if v.created_at.tzinfo else v.created_at.replace(tzinfo=UTC),
        counts={kind: OpCounts(**ops) for kind, ops in v.counts.items()},
    )


def _change(c: Change) -> ChangeRead:
    return ChangeRead(kind=c.kind, id=c.row_id, slug=c.slug, op=c.op, version=c.version)
