"""Reads spread over PostgreSQL streaming replicas, never older than what a client has seen.

Every ingest that changes something bumps `dataset_meta.data_version` on the primary, and a
streaming replica replays it some milliseconds (or, when it lags, minutes) later. A request is
served by the first replica, in turn, whose data version is at least the primary's (so a page,
its cursor and its ETag are never older than anything another worker or replica has served);
else by the primary. A database that cannot be reached is skipped for a second; when the
primary is down, replicas still serve, no older than the newest version this process has seen
or the client's ETag names. Nothing left that can serve: the error the route turns into 503.
"""

import itertools
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.db.meta import DatasetMeta

logger = logging.getLogger("incidentdb")

# How long a database that refused a connection is left out before it is tried again: a
# request should not pay a connection attempt to a server known to be down.
SKIP_DOWN_SECONDS = 1.0


@dataclass(frozen=True)
class ReadTarget:
    """The database a request reads, and the data version it had when chosen."""

    name: str  # "primary" or "replica 1", "replica 2", ... (logs and the X-Served-By header)
    sessionmaker: sessionmaker[Session]
    version: int | None


class Unavailable(DBAPIError):
    """No database that can serve this request is reachable (answered as 503)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, None, ConnectionError(reason), connection_invalidated=True)


class _Database:
    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)
        self.down_until = 0.0

    def version(self) -> int | None:
        """This database's data version, or raises DBAPIError when it cannot be reached."""
        with self.engine.connect() as connection:
            version: int | None = connection.scalar(
                select(DatasetMeta.data_version).where(DatasetMeta.id == 1)
            )
            return version

    def target(self, version: int | None) -> ReadTarget:
        return ReadTarget(self.name, self.sessionmaker, version)


class ReadRouter:
    """Chooses, per request, the database that serves it (primary + replicas)."""

    def __init__(self, primary: Engine, replicas: list[Engine]) -> None:
        self.primary = _Database("primary", primary)
        self.replicas = [_Database(f"replica {i}", e) for i, e in enumerate(replicas, 1)]
        self._turn = itertools.count()
        self._lock = threading.Lock()
        # The newest data version this process has served: what it must never go below.
        self._high_water = 0

    def dispose(self) -> None:
        for database in (self.primary, *self.replicas):
            database.engine.dispose()

    def choose(self, seen: int | None = None) -> ReadTarget:
        """A replica at least as new as the primary (and as `seen`), else the primary."""
        primary_version = self._probe(self.primary)
        if primary_version is not None:
            # Replicas only ever trail the primary: its version bounds anything served before.
            needed = primary_version
        else:
            needed = max(seen or 0, self._high_water)
        start = next(self._turn)
        count = len(self.replicas)
        for replica in (self.replicas[(start + i) % count] for i in range(count)):
            version = self._probe(replica)
            if version is not None and version >= needed:
                return self._served(replica.target(version))
            if version is not None:
                logger.info("%s lags (version %s < %s): skipped", replica.name, version, needed)
        if primary_version is not None:
            return self._served(self.primary.target(primary_version))
        raise Unavailable(
            f"no database can serve data version {needed}: the primary is unreachable and "
            "no reachable replica has caught up"
        )

    def _probe(self, database: _Database) -> int | None:
        """The database's data version; None when it is down (and then skipped a while)."""
        if time.monotonic() < database.down_until:
            return None
        try:
            version = database.version()
        except DBAPIError as exc:
            if not exc.connection_invalidated and not isinstance(exc, OperationalError):
                raise  # a broken schema or a bug: not a reason to fail over
            logger.warning(
                "%s unreachable, skipped for %.0f s: %s", database.name, SKIP_DOWN_SECONDS, exc
            )
            database.down_until = time.monotonic() + SKIP_DOWN_SECONDS
            return None
        # A database without the meta row (version None) is as new as the data it holds: 0.
        return version if version is not None else 0

    def _served(self, target: ReadTarget) -> ReadTarget:
        if target.version is not None:
            with self._lock:
                self._high_water = max(self._high_water, target.version)
        return target
