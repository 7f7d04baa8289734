"""A synchronous HTTP client that calls the application in the test's own thread.

Starlette's TestClient runs the application on an event loop in a second thread and hands
every request, and every message of it, across threads through anyio's blocking portal:
about 2 ms a request on this project's 2-core CI machine (`/health`: 4.2 ms through it,
2.0 ms called on a loop in the same thread), with tens of thousands of requests in the suite.
This client drives the same ASGI application with httpx's own `ASGITransport` on an event
loop that runs only while a request is being answered, in the calling thread. The
application's lifespan is a task on that loop, as under uvicorn; its synchronous routes still
run in anyio's worker threads, as under uvicorn.

It stands in for TestClient wherever one thread makes the requests. A test that sends
requests from several threads at once keeps TestClient (the loop here belongs to one thread).
"""

import asyncio
import threading
from types import TracebackType
from typing import Any

import httpx
from starlette.types import ASGIApp


class _OnTheLoop(httpx.BaseTransport):
    def __init__(self, client: "AppClient", transport: httpx.ASGITransport) -> None:
        self._client = client
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def answer() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )

        return self._client.run(answer())


class AppClient(httpx.Client):
    """`with AppClient(app) as client:` as `with TestClient(app) as client:`: the
    lifespan runs on entering, requests go to `http://testserver`, redirects are followed and
    an exception the application raises is raised here (`raise_server_exceptions=False`: a
    500 response instead)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        **kwargs: Any,
    ) -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._thread = threading.get_ident()
        self._lifespan: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        transport = httpx.ASGITransport(
            app=app,
            raise_app_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=("testclient", 50000),
        )
        super().__init__(
            transport=_OnTheLoop(self, transport),
            base_url=base_url,
            follow_redirects=True,
            **kwargs,
        )

    def run(self, coroutine: Any) -> Any:
        if threading.get_ident() != self._thread:
            raise RuntimeError("AppClient is used from one thread; use TestClient")
        return self._runner.run(coroutine)

    def __enter__(self) -> "AppClient":
        started: asyncio.Future[None] = self._runner.get_loop().create_future()

        async def lifespan() -> None:
            async with self.app.router.lifespan_context(self.app):  # type: ignore[attr-defined]
                started.set_result(None)
                await self._stop.wait()

        async def start() -> None:
            self._lifespan = asyncio.get_running_loop().create_task(lifespan())
            await asyncio.wait([started, self._lifespan], return_when=asyncio.FIRST_COMPLETED)
            if self._lifespan.done():
                self._lifespan.result()  # start-up failed: raise its error

        self.run(start())
        super().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        super().__exit__(exc_type, exc_value, traceback)

        async def stop() -> None:
            self._stop.set()
            if self._lifespan is not None:
                await self._lifespan

        try:
            self.run(stop())
        finally:
            self._runner.close()
