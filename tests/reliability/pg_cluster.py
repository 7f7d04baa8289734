"""Throwaway PostgreSQL clusters on free ports, run as the postgres system user: a primary the
tests may stop without touching the shared server, and streaming replicas of it.

initdb's defaults are what streaming needs: wal_level=replica, max_wal_senders=10, and a
pg_hba.conf that lets 127.0.0.1 open replication connections (trust, like the rest). The
clusters are deleted after their test and never outlive a machine crash, so nothing is synced
to disk (initdb and pg_basebackup --no-sync, fsync=off) and a teardown stops them at once.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import BACKENDS
from tests.serving import free_port

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

needs_clusters = pytest.mark.skipif(
    "postgresql" not in BACKENDS or PG_BIN is None or shutil.which("runuser") is None,
    reason="needs the PostgreSQL backend, its server binaries and runuser",
)


class Cluster:
    """A PostgreSQL cluster in a directory of its own."""

    def __init__(self, root: Path, *, standby_of: "Cluster | None" = None) -> None:
        assert PG_BIN is not None
        self.data = root / "data"
        self.port = free_port()
        # pytest's tmp_path is private to root: the server's user needs a directory of its own.
        root.mkdir(mode=0o700)
        shutil.chown(root, "postgres", "postgres")
        if standby_of is None:
            self._as_postgres(
                PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync",
            )  # fmt: skip
        else:
            # A copy of the running primary that then follows its WAL (-R writes
            # primary_conninfo and standby.signal); -X stream brings the WAL of the copy itself.
            self._as_postgres(
                PG_BIN / "pg_basebackup", "-D", self.data, "-h", "127.0.0.1",
                "-p", standby_of.port, "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
                "--no-sync",
            )  # fmt: skip
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        assert PG_BIN is not None
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-w", "-l", self.data / "log",
            "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        assert PG_BIN is not None
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", mode, "stop")

    def stop_quietly(self) -> None:
        """At a test's end: no shutdown checkpoint for a cluster about to be deleted."""
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped by the test

    def sql(self, query: str) -> Any:
        """The first column of the first row of `query`, run outside any transaction."""
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            row = connection.execute(query.encode()).fetchone()
            return row[0] if row else None

    def wait_for(self, query: str, expected: object, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while (found := self.sql(query)) != expected:
            assert time.monotonic() < deadline, f"{query!r} gave {found!r}, not {expected!r}"
            time.sleep(0.1)

    def _as_postgres(self, *argv: object) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, argv)],
            check=True,
            capture_output=True,
            cwd="/",
        )


@contextmanager
def cluster_root() -> Iterator[Path]:
    """A directory the postgres user can enter, removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("runs throwaway clusters as the postgres user: needs root")
    with tempfile.TemporaryDirectory(prefix="incidentdb-pg-") as root:
        Path(root).chmod(0o755)
        yield Path(root)
