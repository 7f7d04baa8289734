import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The project checkout: seeds/, migrations/ and the default SQLite file live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (and an optional .env file)."""

    model_config = SettingsConfigDict(env_prefix="INCIDENTDB_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'incidentdb.sqlite3'}",
        validation_alias=AliasChoices("DATABASE_URL", "INCIDENTDB_DATABASE_URL"),
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user:pass@host:port/db",
    )
    # PostgreSQL streaming replicas that serve API reads (the ingest always writes to
    # database_url): comma-separated URLs. A request reads a replica that has caught up with
    # the primary, else the primary; see app/db/replicas.py.
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("DATABASE_REPLICA_URLS", "INCIDENTDB_DATABASE_REPLICA_URLS"),
    )
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    # An article larger than this is refused rather than loaded into memory and the database.
    max_article_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    # SQLite waits this long for a writer's lock before giving up (readers never wait in WAL).
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    # PostgreSQL: a runaway query is cancelled instead of holding a worker.
    statement_timeout_ms: int = Field(default=10_000, ge=0)
    # PostgreSQL: how long opening a connection may take before the database counts as down.
    # A replica host that drops packets (or a server that accepts and never answers) would
    # otherwise hold the request for the operating system's TCP timeout, minutes.
    connect_timeout_seconds: int = Field(default=5, ge=1)
    # Above this many matching rows (by the planner's estimate), PostgreSQL list totals are
    # that estimate: counting 90,000 matches exactly took 400 ms at 1,000,000 incidents.
    exact_count_threshold: int = Field(default=10_000, ge=0)
    # SQLite has no planner estimate: it counts at most this many matches exactly and
    # estimates above from a sample of ids, so `total` costs milliseconds at any scale.
    sqlite_exact_count_threshold: int = Field(default=5_000, ge=0)
    # Relevance ranking keeps every match of recent searches in memory, ranked once per data
    # version (28 bytes each: 4,000,000 is ~110 MB at most); a search with more matches than
    # this is ranked by the database for each page. The same bound holds the unranked matches
    # kept for pages in date order on SQLite (8 bytes each: ~32 MB more at most).
    search_ranking_matches: int = Field(default=4_000_000, ge=0)
    # Relevance postings (app/kit/postings.py): a word matching at least this many rows of a
    # table gets them when the table's terms are chosen (below it, ranking every match costs
    # SQLite ~1 us and PostgreSQL 10-25 us a match: 5-125 ms)...
    search_postings_min_matches: int = Field(default=5_000, ge=1)
    # ... and keeps about this many of its best rows (the first of its ranking when they are
    # chosen, each stream cut after them; an ingest keeps at most this many per stream): a page
    # under filters holding a share s of the matches reads ~(limit + 1) / s of them.
    search_postings_depth: int = Field(default=4_096, ge=1)
    # Each facet gets this long before it is reported as truncated (a whole-dataset facet,
    # counted once per data version and kept, gets facets.WHOLE_DATASET_BUDGET_MS).
    facet_budget_ms: int = Field(default=500, ge=1)
    # Incident lists' facets and exact totals counted from the incidents' columns in memory
    # (app/incidents/columns.py) once they are read for the data version; off, in SQL.
    incident_columns: bool = True
    # Cache-Control on JSON responses; ETags let clients revalidate cheaply.
    cache_control: str = "no-cache"
    # Request limits, checked before any query runs (a 422 naming the parameter).
    max_query_bytes: int = Field(default=8192, ge=1)
    # 20 is also declared in the OpenAPI document as maxItems (app/kit/params.py MAX_REPEATS).
    max_repeated_parameter: int = Field(default=20, ge=1)
    # Origins allowed to call the API from a browser (CORS); none by default.
    cors_origins: list[str] = Field(default_factory=list)
    # How long `serve` keeps an idle connection open. uvicorn's 5 s default raced clients
    # reusing a connection just as it closed: ~1 request in 4,000 failed under 50 clients.
    # Keep it above the idle timeout of any proxy in front (nginx 75 s, AWS ALB 60 s).
    keep_alive_seconds: int = Field(default=75, ge=1)
    # How many requests run their queries and Python at once in one worker. Python runs one
    # thread at a time: every SQLite call releases the GIL and then queues to take it back, so
    # 40 threads (anyio's default) convoyed: requests/s fell from 4 to 16 clients (profiled).
    # The others wait their turn on the event loop, which costs nothing.
    request_threads: int = Field(default=4, ge=1, le=256)
    # The garbage collector's first-generation threshold in a served process (Python's
    # default: 700). Under wrk at 4-16 connections, 700 spent ~10x the collector CPU of 10,000
    # (0.03 vs 0.005 ms a request) and ran full collections during requests (none at 10,000);
    # pauses of 2 ms or more stayed about as rare (~1 in 1,000 requests), each young collection
    # at 10,000 taking 2.5-9 ms of CPU. 0 leaves Python's thresholds alone.
    gc_threshold: int = Field(default=10_000, ge=0)
    # How many detail responses (an incident, actor or statement by its key) are kept, by
    # ETag, until the data version changes: a kept one is sent without a query. 0: none.
    # Details are a few kilobytes: none over 64 KiB is kept, and no more than 16 MiB in all.
    kept_responses: int = Field(default=2048, ge=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value


def get_settings() -> Settings:
    """The settings for the current environment; rebuilt only when the environment changes.

    Building Settings costs about a millisecond (pydantic-settings reads the environment and
    .env), too much for every request; tests and the CLI change DATABASE_URL between calls,
    so the cache is keyed by the variables that matter. (.env is read once per key.)
    """
    key = tuple(
        sorted(
            (name, value)
            for name, value in os.environ.items()
            if name.startswith("INCIDENTDB_") or name in ("DATABASE_URL", "DATABASE_REPLICA_URLS")
        )
    )
    return _settings_for(key)


@lru_cache(maxsize=16)
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()
