"""Which requests had their read session made by FastAPI's dependency solving: a direct route
(app/api/direct.py) answers without it, so only what FastAPI answers itself shows here."""

from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session

from app.db.session import get_session


def count_solved_sessions(app: FastAPI) -> list[str]:
    """From now on, the path and query of each request whose session FastAPI solved."""
    solved: list[str] = []

    async def counted_session(request: Request) -> AsyncIterator[Session]:
        query = request.url.query
        solved.append(f"{request.url.path}?{query}" if query else request.url.path)
        async for session in get_session(request):
            yield session

    app.dependency_overrides[get_session] = counted_session
    return solved
