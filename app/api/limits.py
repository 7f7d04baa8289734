"""Request limits checked before any query runs: a hostile URL gets a 422, not a slow query."""

from collections import Counter
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import InvalidParam, problem


class RequestLimits:
    """Refuses an over-long query string, or one parameter repeated too often."""

    def __init__(self, app: ASGIApp, *, max_query_bytes: int, max_repeats: int) -> None:
        self.app = app
        self.max_query_bytes = max_query_bytes
        self.max_repeats = max_repeats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope.get("query_string", b""))
            if refusal is not None:
                name, reason = refusal
                response = problem(
                    422,
                    f"{name}: {reason}",
                    kind="invalid-parameters",
                    invalid=[InvalidParam(name=name, reason=reason)],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, query: bytes) -> tuple[str, str] | None:
        if len(query) > self.max_query_bytes:
            return "query_string", (
                f"{len(query):,} bytes, over the limit of {self.max_query_bytes:,}"
            )
        # Each repeated actor= or speaker= is resolved and joined: 800 of them (what fits in
        # the limit above) took seconds on the seed data alone.
        if query.count(b"&") < self.max_repeats:
            return None  # too few parameters for any to be repeated too often: nothing to parse
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        counts = Counter(name for name, _ in pairs)
        for name, count in counts.items():
            if count > self.max_repeats:
                return name, f"given {count} times; at most {self.max_repeats}"
        return None
