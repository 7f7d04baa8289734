"""The pages in real headless Chromium: what loads, what the console says, what a reader sees,
and what axe-core finds."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web import addresses
from tests.web.browser import Browser, PageLoad

PHONE: dict[str, Any] = {"width": 390, "height": 844, "mobile": True}
DESKTOP: dict[str, Any] = {"width": 1280, "height": 900, "mobile": False}


def every_page(live: str) -> list[str]:
    """Every kind of page, and the two error pages."""
    return [
        *addresses.every_page(httpx.Client(base_url=live)),
        "/browse/incidents/no-such-incident",
        "/browse/incidents?country=ZZZ",
    ]


@pytest.fixture(scope="module")
def loads(live: str, browser: Browser) -> Iterator[dict[str, list[tuple[str, PageLoad]]]]:
    """Every page opened once at desktop and once at phone width."""
    found: dict[str, list[tuple[str, PageLoad]]] = {}
    for path in every_page(live):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            found.setdefault(path, []).append((name, browser.open(live + path, **viewport)))
    yield found


def test_every_page_loads_with_no_console_error_and_nothing_from_elsewhere(
    live: str, loads: dict[str, list[tuple[str, PageLoad]]]
) -> None:
    for path, opened in loads.items():
        for width, load in opened:
            assert load.console_errors == [], (path, width)
            # data: URLs are Chromium's own (the date input's calendar icon): nothing leaves.
            outside = [u for u in load.requests if not u.startswith((live + "/", "data:"))]
            assert outside == [], (path, width)
            expected = 404 if "no-such" in path else 422 if "ZZZ" in path else 200
            assert load.status == expected, (path, width)
            # The stylesheet was requested and applied (a broken link would leave it default).
            assert live + "/static/style.css" in load.requests


def _statements_shown(browser: Browser) -> list[list[object]]:
    return browser.evaluate(  # type: ignore[no-any-return]
        "[...document.querySelectorAll('[data-statement-id]')]"
        ".map(e => [Number(e.dataset.statementId), e.textContent])"
    )


def test_a_source_page_highlights_every_statement_at_its_exact_words(
    live: str, browser: Browser
) -> None:
    sources = httpx.get(f"{live}/sources", params={"limit": 100}).json()["items"]
    checked = 0
    for source in sources:
        detail = httpx.get(f"{live}/sources/{source['slug']}").json()
        browser.open(f"{live}/browse/sources/{source['slug']}")
        shown = _statements_shown(browser)
        assert len(shown) == len(detail["statements"]), source["slug"]
        by_id = {s["id"]: s["text"] for s in detail["statements"]}
        for statement_id, text in shown:
            assert text == by_id[statement_id], (source["slug"], statement_id)
        # Without the speakers' badges the article reads exactly as stored.
        article = browser.evaluate(
            "(() => { const t = document.querySelector('.article-text').cloneNode(true);"
            " t.querySelectorAll('.who').forEach(b => b.remove()); return t.textContent; })()"
        )
        assert article == detail["text"], source["slug"]
        # Each highlight names its speaker with a link to the speaker's page.
        for s in detail["statements"]:
            if s["speaker"]:
                badge = browser.evaluate(
                    f"document.querySelector('[data-statement-id=\"{s['id']}\"]')"
                    ".nextElementSibling.querySelector('a').getAttribute('href')"
                )
                assert badge == f"/browse/actors/{s['speaker']['slug']}"
        checked += len(shown)
    assert checked >= 10  # the seeds' articles hold a couple of dozen quotations


def test_an_article_made_of_markup_runs_nothing(live: str, browser: Browser) -> None:
    sources = httpx.get(f"{live}/sources", params={"limit": 100}).json()["items"]
    (hostile,) = [s for s in sources if "hostile" in s["slug"]]
    load = browser.open(f"{live}/browse/sources/{hostile['slug']}")
    assert load.console_errors == []
    assert browser.evaluate("document.querySelectorAll('script, img').length") == 0
    assert browser.evaluate("document.title").startswith("Iran warns <script>")
    assert "<script>document.title='pwned'</script>" in browser.evaluate(
        "document.querySelector('h1').textContent"
    )


def _total(browser: Browser) -> int:
    heading = browser.evaluate("document.querySelector('#results-heading').textContent")
    return int(heading.split()[0].replace(",", ""))


def test_clicking_a_facet_narrows_the_list(live: str, browser: Browser) -> None:
    browser.open(f"{live}/browse/incidents")
    before = _total(browser)
    value = browser.evaluate("document.querySelector('ul[data-facet=type] a').dataset.facetValue")
    shown_count = browser.evaluate(
        "Number(document.querySelector('ul[data-facet=type] .count').textContent.replace(/,/g, ''))"
    )
    load = browser.click("ul[data-facet=type] a")
    assert load.status == 200 and load.console_errors == []
    after = _total(browser)
    assert after == shown_count and 0 < after < before
    types = browser.evaluate(
        "[...document.querySelectorAll('#incident-list .tag')].map(e => e.textContent)"
    )
    assert types and set(types) == {value}


def test_phone_width_needs_no_sideways_scrolling(live: str, browser: Browser) -> None:
    for path in every_page(live):
        browser.open(live + path, **PHONE)
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path


def test_the_keyboard_reaches_a_visible_skip_link_first(live: str, browser: Browser) -> None:
    browser.open(f"{live}/browse/incidents")
    for kind in ("keyDown", "keyUp"):
        browser.send(
            "Input.dispatchKeyEvent",
            session=True,
            type=kind,
            key="Tab",
            code="Tab",
            windowsVirtualKeyCode=9,
        )
    focused = browser.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.className, s.outlineStyle, e.getBoundingClientRect().left]; })()"
    )
    assert focused[0] == "skip"
    assert focused[1] != "none" and focused[2] >= 0


def test_axe_finds_no_serious_or_critical_violation(
    live: str, browser: Browser, axe_source: str
) -> None:
    found = {}
    for path in every_page(live):
        for viewport in (DESKTOP, PHONE):
            browser.open(live + path, **viewport)
            browser.evaluate(axe_source)
            violations = browser.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => ({id: v.id, impact: v.impact,"
                " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
                await_promise=True,
            )
            if violations:
                found[f"{path} @{viewport['width']}"] = violations
    assert found == {}, json.dumps(found, indent=1)
