"""Conditional requests: an ETag from the data version, 304 when the client is up to date.

Every ingest that changes something bumps `dataset_meta.data_version`, so one cheap read tells
whether any response could have changed; a matching If-None-Match is answered before the
request's own query runs. The app says how to read it (app/db/versions.py: on SQLite without a
thread-pool hop).
"""

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from typing import NamedTuple
from urllib.parse import parse_qs

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.cursors import cursor_version, served_version

logger = logging.getLogger("incidentdb")

# Static docs assets carry their own validators (StaticFiles); /health must never be cached.
_SKIP_PREFIXES = ("/static-docs", "/health")
# A kept response larger than this is not kept: the details kept are a few kilobytes.
_KEPT_BODY_BYTES = 64 * 1024
# And all kept bodies together stay under this, whatever their number.
_KEPT_TOTAL_BYTES = 16 * 1024 * 1024
_KEEP = "keep_response"
# The request state's key of the data version its ETag names.
ETAG_VERSION = "etag_version"
# The request state's key of the data version its route's read transaction saw, if it read it.
READ_VERSION = "read_version"
# ETags made, at most (then forgotten all at once): a URL asked again at the same version
# names the same one.
_KEPT_ETAGS = 4096


class _RequestHeaders(NamedTuple):
    """The request headers an ETag depends on, each as `Headers(scope=...).get` reads it."""

    host: str
    accept: str
    if_none_match: str | None

    @classmethod
    def of(cls, scope: Scope) -> "_RequestHeaders":
        # One pass over the raw headers (ASGI names are lower case), the first of each
        # kept: a Headers object and three lookups cost a tenth of this middleware's time.
        host = accept = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value if host is None else host
            elif name == b"accept":
                accept = value if accept is None else accept
            elif name == b"if-none-match":
                if_none_match = value if if_none_match is None else if_none_match
        return cls(
            "" if host is None else host.decode("latin-1"),
            "" if accept is None else accept.decode("latin-1"),
            None if if_none_match is None else if_none_match.decode("latin-1"),
        )


def keep_response(request: Request) -> None:
    """Ask ConditionalRequests to keep this request's 200 under its ETag.

    For responses that are a function of what the ETag names and nothing else (the data
    version, the URL, the host it was asked through, Accept): one item by its key. Never for
    lists: a facet that runs out of its time budget, or an estimated total, is not.
    """
    request.state.keep_response = True


class KeptResponses:
    """The last `size` responses asked to be kept, by ETag, and no more than `max_bytes` of
    bodies in all (least recently used out first)."""

    def __init__(self, size: int, max_bytes: int = _KEPT_TOTAL_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._kept: OrderedDict[str, tuple[Message, bytes]] = OrderedDict()

    def get(self, etag: str) -> tuple[Message, bytes] | None:
        found = self._kept.get(etag)
        if found is not None:
            self._kept.move_to_end(etag)
        return found

    def put(self, etag: str, start: Message, body: bytes) -> None:
        replaced = self._kept.pop(etag, None)
        if replaced is not None:
            self.bytes -= len(replaced[1])
        self._kept[etag] = (start, body)
        self.bytes += len(body)
        while len(self._kept) > self.size or self.bytes > self.max_bytes:
            _, (_, dropped) = self._kept.popitem(last=False)
            self.bytes -= len(dropped)


class ConditionalRequests:
    def __init__(
        self,
        app: ASGIApp,
        *,
        data_version: Callable[[Scope, int | None], Awaitable[int | None]],
        cache_control: str,
        app_version: str,
        kept_responses: int = 0,
        versioned_after: Collection[str] = (),
    ) -> None:
        self.app = app
        self.data_version = data_version
        self.cache_control = cache_control
        self.app_version = app_version
        self.kept = KeptResponses(kept_responses) if kept_responses else None
        # Paths (lists: never kept) whose ETag, when the request names none, is the version
        # their read saw, known after the route (see _serve_versioned_after).
        self.versioned_after = versioned_after
        self._etags: dict[tuple[object, ...], str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(_SKIP_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = _RequestHeaders.of(scope)
        if scope["path"] in self.versioned_after and headers.if_none_match is None:
            await self._serve_versioned_after(scope, receive, send, headers)
        else:
            await self._serve_versioned(scope, receive, send, headers)

    async def _serve_versioned(
        self, scope: Scope, receive: Receive, send: Send, headers: _RequestHeaders
    ) -> None:
        """The data version first (a 304 when the client has it), then the response."""
        seen = _newest(
            _newest_version(headers.if_none_match), _cursor_version(scope["query_string"])
        )
        try:
            # `seen`: with read replicas, the response must not be older than a page the
            # client already has (its ETag, or the cursor of the page before), whichever
            # replica or worker served it.
            version = await self.data_version(scope, seen)
        except Exception:  # the route itself will report a broken database properly
            logger.debug("no data version; serving without an ETag", exc_info=True)
            version = None
        if version is None:
            await self.app(scope, receive, send)
            return
        # The version the ETag names, for what is known per data version of this request
        # (app/api/direct.py: reads known to be cheap at it).
        scope.setdefault("state", {})[ETAG_VERSION] = version
        etag = self._etag(scope, headers, version)
        if _matches(headers.if_none_match, etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [
                        (b"etag", etag.encode()),
                        (b"cache-control", self.cache_control.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        target = scope.get("state", {}).get("read_target")

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self._add_validators(message, etag)
                if target is not None:
                    # With read replicas: which database answered, for operators and tests.
                    _set_header(message, b"x-served-by", target.name.encode("latin-1"))
            await send(message)

        if await self._send_kept(etag, send_with_etag):
            return
        respond = self._keeping(scope, etag, send_with_etag)
        await self._serve(scope, receive, respond, version, replicated=target is not None)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, version: int, *, replicated: bool
    ) -> None:
        if not replicated:
            await self.app(scope, receive, send)
            return
        # With read replicas, cursors issued by this response carry its version.
        token = served_version.set(version)
        try:
            await self.app(scope, receive, send)
        finally:
            served_version.reset(token)

    async def _serve_versioned_after(
        self, scope: Scope, receive: Receive, send: Send, headers: _RequestHeaders
    ) -> None:
        """The route first, then its ETag from the data version its read transaction saw (the
        version of what it answers), without reading the version before: on PostgreSQL that
        read was a round trip of its own on the event loop, one at a time, for every list page
        (of five). Read as before, after the route, when the route read none. Nothing to
        compare (no If-None-Match) and nothing kept (a list), so the headers are the same."""

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                version = scope.get("state", {}).get(READ_VERSION)
                if version is None:
                    try:
                        version = await self.data_version(scope, None)
                    except Exception:
                        logger.debug("no data version; serving without an ETag", exc_info=True)
                if version is not None:
                    self._add_validators(message, self._etag(scope, headers, version))
            await send(message)

        await self.app(scope, receive, send_with_etag)

    async def _send_kept(self, etag: str, send: Send) -> bool:
        """Send the response kept under `etag`, if there is one."""
        found = self.kept.get(etag) if self.kept is not None else None
        if found is None:
            return False
        # The same bytes the route made at this data version for this URL and host: neither
        # the route nor the database is asked again until an ingest changes the version.
        start, body = found
        await send({**start, "headers": list(start["headers"])})
        await send({"type": "http.response.body", "body": body})
        return True

    def _keeping(self, scope: Scope, etag: str, send: Send) -> Send:
        """`send`, keeping the response under `etag` when the route asked (keep_response)."""
        kept = self.kept
        if kept is None:
            return send
        scope.setdefault("state", {})  # where keep_response leaves its mark
        started: list[Message] = []

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200 and scope.get("state", {}).get(_KEEP):
                    # A copy as the route made it: send() adds the ETag to its headers.
                    started.append({**message, "headers": list(message.get("headers", []))})
            elif started and not message.get("more_body", False):
                body = message.get("body", b"")
                if len(body) <= _KEPT_BODY_BYTES:
                    kept.put(etag, started[0], body)
            elif started:
                started.clear()  # streamed in parts: not kept
            await send(message)

        return send_and_keep

    def _add_validators(self, message: Message, etag: str) -> None:
        """A 200's ETag (replacing any) and Cache-Control (unless the route set one)."""
        _set_header(message, b"etag", etag.encode("latin-1"))
        if not any(name == b"cache-control" for name, _ in message["headers"]):
            message["headers"].append((b"cache-control", self.cache_control.encode("latin-1")))

    def _etag(self, scope: Scope, headers: _RequestHeaders, version: int) -> str:
        # The same URL can answer JSON or CSV: the Accept header is part of the identity. A
        # detail object links to its HTML page on the host (and path prefix) it was asked
        # through (`html_url`): those are part of it too.
        scheme, root_path = scope.get("scheme", ""), scope.get("root_path", "")
        query: bytes = scope.get("query_string", b"")
        parts = (version, scheme, headers.host, root_path, scope["path"], query, headers.accept)
        etag = self._etags.get(parts)
        if etag is None:
            key = "\n".join(
                [
                    self.app_version,
                    str(version),
                    scheme,
                    headers.host,
                    root_path,
                    scope["path"],
                    query.decode("latin-1"),
                    headers.accept,
                ]
            )
            # The version in clear tells a replica how new a response the client already holds.
            etag = f'W/"{version}-' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
            if len(self._etags) >= _KEPT_ETAGS:
                self._etags.clear()
            self._etags[parts] = etag
        return etag


def _set_header(message: Message, name: bytes, value: bytes) -> None:
    """Set a response header in an `http.response.start` message as MutableHeaders sets one:
    in the place of the first of that name, the others removed, else appended."""
    headers = message["headers"] = list(message.get("headers", ()))
    found = [i for i, (key, _) in enumerate(headers) if key == name]
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (name, value)
    else:
        headers.append((name, value))


def _newest(*versions: int | None) -> int | None:
    return max((v for v in versions if v is not None), default=None)


def _cursor_version(query_string: bytes) -> int | None:
    """The data version a request's cursor was issued at (with read replicas), if any."""
    if b"cursor=" not in query_string:
        return None
    cursors = parse_qs(query_string.decode("latin-1")).get("cursor", [])
    return _newest(*(cursor_version(cursor) for cursor in cursors))


def _newest_version(if_none_match: str | None) -> int | None:
    """The newest data version named by the client's ETags (W/"<version>-<hash>"), if any."""
    if not if_none_match:
        return None
    versions = []
    for candidate in if_none_match.split(","):
        prefix = candidate.strip().removeprefix("W/").strip('"').partition("-")[0]
        if prefix.isdigit() and len(prefix) < 19:
            versions.append(int(prefix))
    return max(versions, default=None)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    # Weak comparison (RFC 9110 13.1.2): W/"x" and "x" match.
    bare = etag.removeprefix("W/")
    return "*" in candidates or any(c.removeprefix("W/") == bare for c in candidates)


class HeadRequests:
    """HEAD is GET without the body (RFC 9110 9.3.2), for every GET route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
