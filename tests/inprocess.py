"""A synchronous HTTP client that hands each request to the application in one step.

Starlette's TestClient runs the application on an event loop in a second thread and hands
every request across threads message by message through anyio's blocking portal: seven
cross-thread calls a request, about 2 ms of CPU a request on this project's 2-core CI machine
(`/health`: 4.2 ms through it, 2.1 ms called on a loop in the same thread), with tens of
thousands of requests in the suite. This client runs the application on a loop in a thread
of its own as well, with its lifespan as that loop's long-lived main task (as under uvicorn,
so anyio's worker threads, which the synchronous routes run in, live as long as the client),
and hands over each whole request once: httpx's own `ASGITransport` answers it on the loop.

A loop driven from the test's own thread, one `run` per request, cost less per request alone
but started a new worker thread for most requests (anyio stops a loop's workers when the task
that started them ends): 161 threads for 200 requests, and a slower CI run.
"""

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

import httpx
from starlette.types import ASGIApp

T = TypeVar("T")


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
    """`with AppClient(app) as client:` as `with TestClient(app) as client:`: the lifespan
    runs on entering, requests go to `http://testserver`, redirects are followed and an
    exception the application raises is raised here (`raise_server_exceptions=False`: a 500
    response instead). Requests may come from several threads at once."""

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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._ended: Future[None] = Future()
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

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx.Request:
        """As httpx builds it, but `params` are added to a query the URL already has: httpx
        (0.28) puts them in its place, so a next page asked as `get(path, params={"cursor":
        ...})` was the page of the unfiltered list after that cursor, not the path's."""
        if params is not None:
            given = url if isinstance(url, httpx.URL) else httpx.URL(url)
            if given.query:
                url, params = given.copy_merge_params(params), None
        return super().build_request(method, url, params=params, **kwargs)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """`coroutine`'s result, run on the application's loop."""
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("AppClient is used inside `with AppClient(app) as client:`")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __enter__(self) -> "AppClient":
        started: Future[asyncio.AbstractEventLoop] = Future()

        async def serve() -> None:
            self._stop = asyncio.Event()
            try:
                async with self.app.router.lifespan_context(self.app):  # type: ignore[attr-defined]
                    started.set_result(asyncio.get_running_loop())
                    await self._stop.wait()
            except BaseException as error:
                if not started.done():
                    started.set_exception(error)  # start-up failed: raised in __enter__
                    return
                raise

        def loop() -> None:
            self._ended = Future()
            try:
                asyncio.run(serve())
                self._ended.set_result(None)
            except BaseException as error:
                self._ended.set_exception(error)  # shutdown failed: raised in __exit__

        self._thread = threading.Thread(target=loop, name="AppClient loop", daemon=True)
        self._thread.start()
        self._loop = started.result()
        super().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        super().__exit__(exc_type, exc_value, traceback)
        loop, stop, thread = self._loop, self._stop, self._thread
        self._loop = None
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join()
            self._ended.result()
