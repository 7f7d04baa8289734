from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes.models import Change, DataVersion
from app.changes.schemas import ChangeFilters, VersionFilters
from app.kit.counting import CountLimits, CountMode
from app.kit.pagination import SortKey, Window, paginate
from app.settings import get_settings

VERSION_KEY = SortKey(DataVersion.number, descending=True)
CHANGE_KEY = SortKey(Change.id, descending=False)


def list_versions(session: Session, f: VersionFilters) -> Window[DataVersion]:
    """Data versions, newest first."""
    return paginate(
        session,
        select(DataVersion),
        scope="versions",
        key=VERSION_KEY,
        id_column=DataVersion.number,
        cursor=f.cursor,
        limit=f.limit,
        limits=CountLimits.of(get_settings()),
        count_mode=CountMode.exact,
    )


def list_changes(session: Session, f: ChangeFilters) -> Window[Change]:
    """Every change after version `since`, oldest first (ids grow with versions)."""
    return paginate(
        session,
        select(Change).where(Change.version > f.since),
        scope=f"changes:{f.since}",
        key=CHANGE_KEY,
        id_column=Change.id,
        cursor=f.cursor,
        limit=f.limit,
        limits=CountLimits.of(get_settings()),
    )
