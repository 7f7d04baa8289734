"""Extraction across processes, results back in input order for the single writer.

Extraction is pure (text in, frozen dataclasses out) and CPU-bound, so it scales with
processes, not threads. The database has one writer: the caller's session, which applies
each result in the order the jobs were given, so ids and every stored value are the same
whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice

from app import extraction
from app.kit import near_duplicates

# Articles per task: large enough that pickling and the round trip are small against the
# extraction (a few ms an article), small enough that the window below stays a few MB.
CHUNK = 16
# Tasks in flight per worker: enough that a worker never waits for the writer, bounded so
# that memory stays flat however many articles there are.
WINDOW_PER_WORKER = 4


@dataclass(frozen=True)
class Job:
    """One source to extract: its text and what the database knows around it."""

    source_id: int
    text: str
    slug: str
    published_on: date | None
    incidents: tuple[extraction.KnownIncident, ...]


# (actor slug, start, end, text) of one mention.
MentionTuple = tuple[str, int, int, str]


@dataclass(frozen=True)
class Done:
    source_id: int
    # The extraction, its mentions taken out into `mentions`.
    result: extraction.ArticleExtraction
    # The mentions (about 40 an article) as plain tuples: unpickling them as dataclasses was
    # half of what the writer spent receiving results (pickle.loads: 221 -> 108 us an article).
    mentions: tuple[MentionTuple, ...]
    # The near-duplicate signature: a function of the text alone, so computed here too.
    signature: bytes


def extract_in_order(
    jobs: Iterable[Job], known: Sequence[extraction.KnownActor], workers: int
) -> Iterator[Done]:
    """Each job's extraction, in the order of `jobs`; `workers` > 1 uses that many processes.

    Jobs are read lazily and at most workers x WINDOW_PER_WORKER x CHUNK are held at once.
    """
    chunks = _chunked(jobs, CHUNK)
    if workers <= 1:
        gazetteer = extraction.Gazetteer.build(list(known))
        for chunk in chunks:
            yield from _extract_chunk(chunk, gazetteer)
        return
    # spawn, not fork: the parent holds a database connection and may run a progress thread,
    # neither of which survives a fork safely.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        # Our pid, not the worker's later getppid(): a worker still starting when the ingest is
        # killed would read the pid it was re-parented to and watch that one forever.
        initargs=(os.getpid(), tuple(known)),
    ) as pool:
        pending: deque[Future[list[Done]]] = deque()
        window = workers * WINDOW_PER_WORKER
        more = True
        try:
            while True:
                while more and len(pending) < window:
                    chunk = next(chunks, [])  # chunks are never empty
                    if not chunk:
                        more = False
                    else:
                        pending.append(pool.submit(_extract_in_worker, chunk))
                if not pending:
                    return
                # The oldest task first, whatever finished before it: input order.
                yield from pending.popleft().result()
        finally:
            # The writer failed (or the caller stopped early): drop what has not started.
            for future in pending:
                future.cancel()


def _chunked(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    iterator = iter(jobs)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _extract_chunk(chunk: list[Job], gazetteer: extraction.Gazetteer) -> list[Done]:
    return [_extract_one(job, gazetteer) for job in chunk]


def _extract_one(job: Job, gazetteer: extraction.Gazetteer) -> Done:
    result = extraction.extract_article(
        job.text,
        gazetteer,
        incidents=job.incidents,
        source_slug=job.slug,
        published_on=job.published_on,
    )
    return Done(
        source_id=job.source_id,
        result=replace(result, mentions=()),
        mentions=tuple((m.actor, m.start, m.end, m.text) for m in result.mentions),
        signature=near_duplicates.signature(job.text),
    )


# One gazetteer per worker process, built once from the curated actors it was started with.
_worker_gazetteer: extraction.Gazetteer | None = None


def _start_worker(ingest_pid: int, known: tuple[extraction.KnownActor, ...]) -> None:
    global _worker_gazetteer
    _watch_parent(ingest_pid)
    _worker_gazetteer = extraction.Gazetteer.build(list(known))


def _watch_parent(parent: int) -> None:
    """Exit when the ingest that started us is gone.

    A SIGKILLed ingest cannot shut its pool down; its workers would otherwise live on,
    re-parented, holding CPU, memory and the ingest's stdout. Its transaction is already
    void: there is nothing to save.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


_PARENT_POLL_SECONDS = 0.5


def _extract_in_worker(chunk: list[Job]) -> list[Done]:
    assert _worker_gazetteer is not None, "the pool's initializer builds it"
    return _extract_chunk(chunk, _worker_gazetteer)
