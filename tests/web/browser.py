"""Headless Chromium driven over the DevTools protocol: what a reader's browser does and sees.

Chromium starts offline (OFFLINE_CHROMIUM, shared with tests/cli/test_serve.py): headless, no
sandbox, no GPU, no background networking, and every host but this machine's loopback fails to
resolve, so a page that reached for a CDN could not load it. The DevTools protocol adds what
--dump-dom cannot give: the console, every request the page makes, script evaluation and
screenshots.
"""

import base64
import contextlib
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

# Headless, and offline: every host but this machine's loopback fails to resolve, so a page
# that reached for a CDN could not load it.
OFFLINE_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]
ARGS = [*OFFLINE_CHROMIUM, "--hide-scrollbars", "--remote-debugging-port=0"]


@dataclass
class PageLoad:
    """What happened while one page loaded."""

    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


class Browser:
    def __init__(self, chromium: str, profile: Path) -> None:
        self.log = (profile.parent / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [chromium, *ARGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Chromium did not start; see {self.log.name}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.stack = contextlib.ExitStack()
        self.ws: ClientConnection = self.stack.enter_context(
            connect(f"ws://127.0.0.1:{port}{path}", max_size=64 * 1024 * 1024, open_timeout=30)
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def _wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv(timeout=remaining)))

    def open(
        self, url: str, width: int = 1280, height: int = 900, mobile: bool = False
    ) -> PageLoad:
        """Load `url` at the given viewport and report its requests and console errors."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.events = []
        self.send("Page.navigate", session=True, url=url)
        self._wait_for("Page.loadEventFired")
        # Anything the page still logs right after load (a late resource error) lands here.
        self.evaluate("new Promise(r => setTimeout(r, 100))", await_promise=True)
        load = PageLoad(url)
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Network.responseReceived" and params["type"] == "Document":
                load.status = params["response"]["status"]
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                load.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                load.console_errors.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                load.console_errors.append(json.dumps(params["exceptionDetails"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                if load.status and load.status >= 400 and entry.get("url") == url:
                    continue  # an error page's own status, which the caller checks
                load.console_errors.append(entry.get("text", ""))
        return load

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def click(self, selector: str) -> PageLoad:
        """Follow the link `selector` names, as a click would, and report the page it opens."""
        href = self.evaluate(f"document.querySelector({json.dumps(selector)}).href")
        assert href, f"no link matches {selector}"
        return self.open(href)

    def screenshot(self, path: Path, full_page_limit: int = 2400) -> None:
        metrics = self.send("Page.getLayoutMetrics", session=True)
        viewport = metrics["cssLayoutViewport"]
        height = min(metrics["cssContentSize"]["height"], full_page_limit)
        shot = self.send(
            "Page.captureScreenshot",
            session=True,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": viewport["clientWidth"], "height": height, "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.stack.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
