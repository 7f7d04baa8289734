"""The HTML pages through HTTP: status, JSON twins, escaping, errors, facets and paging."""

import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from app.web.timeline import month_label
from tests.inprocess import AppClient
from tests.web.addresses import every_page


class Page(HTMLParser):
    """Every element of a page with its attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def json_twin(self) -> str:
        (link,) = self.all("link", rel="alternate", type="application/json")
        assert link["href"]
        return link["href"]


def test_every_page_is_html_and_links_its_json_twin(pages: AppClient) -> None:
    for path in every_page(pages):
        response = pages.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        twin = pages.get(Page(response.text).json_twin())
        assert twin.status_code == 200, (path, twin.url)
        assert twin.headers["content-type"].startswith("application/json"), path


def test_pages_run_no_script_and_carry_no_inline_handler(pages: AppClient) -> None:
    for path in every_page(pages):
        response = pages.get(path)
        page = Page(response.text)
        assert not page.all("script"), path
        handlers = [(t, k) for t, a in page.elements for k in a if k.lower().startswith("on")]
        assert handlers == [], path
        # Every asset comes from this server: nothing to fetch from a CDN.
        for tag, attr in (("link", "href"), ("img", "src"), ("script", "src")):
            for element in page.all(tag):
                assert not (element.get(attr) or "").startswith(("http:", "https:", "//")), path
        assert "script-src 'none'" in response.headers["content-security-policy"], path


def test_an_article_made_of_markup_is_shown_as_text(pages: AppClient) -> None:
    (hostile,) = [
        s
        for s in pages.get("/sources", params={"limit": 100}).json()["items"]
        if "hostile" in s["slug"]
    ]
    detail = pages.get(f"/sources/{hostile['slug']}").json()
    html = pages.get(f"/browse/sources/{hostile['slug']}").text
    page = Page(html)
    assert not page.all("script") and not page.all("img") and not page.all("b")
    assert "&lt;script&gt;document.title=" in html
    # What a reader sees is the stored text itself (tests/web/test_browser.py compares all of it).
    assert detail["statements"], "the hostile article's quotation was not extracted"
    quote = detail["statements"][0]["text"]
    assert "<script>alert('quote')</script>" in quote
    assert detail["text"].splitlines()[0] in page.text and quote in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/browse/incidents/no-such-incident",
        "/browse/sources/no-such-source",
        "/browse/actors/no-such-actor",
        "/browse/statements/999999",
        "/browse/nothing-here",
    ],
)
def test_an_unknown_page_is_an_html_404(pages: AppClient, path: str) -> None:
    response = pages.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404" in Page(response.text).text


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/browse/incidents?country=ZZZ", "country"),
        ("/browse/incidents?date_from=2023-13-01", "date_from"),
        ("/browse/incidents?date_from=2024-01-01&date_to=2023-01-01", "date_to"),
        ("/browse/incidents?actor=Atlantis", "actor"),
        ("/browse/incidents?type=picnic", "type"),
        ("/browse/incidents?actr=Iran", "actr"),
        ("/browse/incidents?cursor=forged", "cursor"),
        ("/browse/statements/abc", "statement_id"),
        ("/browse/actors/iran?page=2", "page"),
    ],
)
def test_a_bad_parameter_is_an_html_422_naming_it(
    pages: AppClient, path: str, parameter: str
) -> None:
    response = pages.get(path)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    codes = [c for c in re.findall(r"<code>(.*?)</code>", response.text)]
    assert parameter in codes


def test_the_api_keeps_its_problem_json_errors(pages: AppClient) -> None:
    for path in ("/incidents/no-such-incident", "/incidents?country=ZZZ", "/no-route"):
        response = pages.get(path)
        assert response.headers["content-type"] == "application/problem+json", path


def _listed(client: AppClient, path: str) -> tuple[int, list[str]]:
    page = Page(client.get(path).text)
    heading = next(t for t in re.findall(r"([\d,]+)(?: \(about\))? incidents", page.text))
    slugs = [
        (a["href"] or "").removeprefix("/browse/incidents/")
        for a in page.all("a")
        if (a.get("href") or "").startswith("/browse/incidents/")
    ]
    return int(heading.replace(",", "")), slugs


def test_a_facet_link_narrows_the_list_to_its_value(pages: AppClient) -> None:
    page = Page(pages.get("/browse/incidents").text)
    total, _ = _listed(pages, "/browse/incidents")
    facet_links = [a for a in page.all("a") if a.get("data-facet-value") == "attack"]
    assert facet_links, "no facet link for type=attack"
    href = facet_links[0]["href"]
    assert href
    narrowed, slugs = _listed(pages, href)
    expected = pages.get("/incidents", params={"type": "attack", "limit": 500}).json()
    assert 0 < narrowed < total
    assert narrowed == expected["total"]
    assert slugs == [i["slug"] for i in expected["items"]][: len(slugs)]


def test_facet_counts_are_the_api_facet_counts(pages: AppClient) -> None:
    html = pages.get("/browse/incidents?actor=Iran").text
    expected = pages.get("/incidents", params={"actor": "Iran", "facet": "type"}).json()
    (types,) = re.findall(r'<ul class="facet" data-facet="type">(.*?)</ul>', html, re.DOTALL)
    shown = dict(
        re.findall(r'data-facet-value="([a-z_]+)">[^<]*</a> <span class="count">([\d,]+)', types)
    )
    assert shown
    assert shown == {
        str(v["value"]): str(v["count"]) for v in expected["facets"]["type"]["values"][:12]
    }


def test_next_page_links_walk_every_incident_once(pages: AppClient) -> None:
    expected = [i["slug"] for i in pages.get("/incidents", params={"limit": 500}).json()["items"]]
    seen: list[str] = []
    path: str | None = "/browse/incidents"
    while path:
        page = Page(pages.get(path).text)
        _, slugs = _listed(pages, path)
        seen += slugs
        nxt = page.all("a", rel="next")
        path = nxt[0]["href"] if nxt else None
    assert len(expected) > 25  # more than one page
    assert seen == expected


def test_export_links_give_the_same_filtered_set(pages: AppClient) -> None:
    page = Page(pages.get("/browse/incidents?actor=Iran&type=attack").text)
    exports = {a["href"] for a in page.all("a") if "format=" in (a.get("href") or "")}
    csv = next(h for h in exports if h and "format=csv" in h)
    events = next(h for h in exports if h and "format=events" in h)
    expected = pages.get("/incidents", params={"actor": "Iran", "type": "attack"}).json()
    rows = pages.get(csv).text.strip().splitlines()
    assert len(rows) - 1 == expected["total"] > 0
    assert pages.get(events).headers["content-type"].startswith("text/csv")


def test_the_timeline_draws_every_month_the_api_counts(pages: AppClient) -> None:
    html = pages.get("/").text
    bars = dict(re.findall(r"<rect [^>]*><title>([A-Za-z]+ \d{4}): ([\d,]+)</title>", html))
    facet = pages.get("/incidents", params={"facet": "month", "limit": 1}).json()
    months = {month_label(v["value"]): str(v["count"]) for v in facet["facets"]["month"]["values"]}
    assert len(months) < 50  # the facet is complete at this size, so it is the truth
    assert bars == months


@pytest.mark.parametrize("actor", ["iran", "nasser-kanani", "azerbaijan"])
def test_an_actor_timeline_draws_every_month_the_api_counts(pages: AppClient, actor: str) -> None:
    html = pages.get(f"/browse/actors/{actor}").text
    bars = dict(re.findall(r"<rect [^>]*><title>([A-Za-z]+ \d{4}): ([\d,]+)</title>", html))
    facet = pages.get("/incidents", params={"actor": actor, "facet": "month", "limit": 1}).json()
    months = {month_label(v["value"]): str(v["count"]) for v in facet["facets"]["month"]["values"]}
    assert 2 <= len(months) < 50  # the facet is complete at this size, so it is the truth
    assert bars == months


def test_an_actor_page_shows_the_chain_members_and_officials_statements(
    pages: AppClient,
) -> None:
    kanani_html = pages.get("/browse/actors/nasser-kanani").text
    (chain_html,) = re.findall(r'<ol class="chain">(.*?)</ol>', kanani_html)
    # Nearest first: his ministry, then its state.
    chain = re.findall(r'href="([^"]+)"', chain_html)
    assert chain == ["/browse/actors/iran-foreign-ministry", "/browse/actors/iran"]
    iran_html = pages.get("/browse/actors/iran").text
    iran = Page(iran_html)
    members = pages.get("/actors/iran").json()["members"]
    hrefs = {a["href"] for a in iran.all("a")}
    assert {f"/browse/actors/{m['slug']}" for m in members} <= hrefs
    said = pages.get("/statements", params={"speaker": "iran", "limit": 10}).json()["items"]
    assert said and {f"/browse/statements/{s['id']}" for s in said} <= hrefs
    took_part = pages.get("/incidents", params={"actor": "iran", "count": "exact"}).json()
    (shown,) = re.findall(r'Incidents <span class="count">([\d,]+)</span>', iran_html)
    assert int(shown.replace(",", "")) == took_part["total"] > 10


def test_a_statement_page_shows_its_sentence_speaker_source_and_incident(
    pages: AppClient,
) -> None:
    items: list[dict[str, Any]] = pages.get("/statements", params={"limit": 100}).json()["items"]
    linked = next(s for s in items if s["incident_id"] and s["speaker"])
    detail = pages.get(f"/statements/{linked['id']}").json()
    page = Page(pages.get(f"/browse/statements/{linked['id']}").text)
    assert detail["sentence"] in " ".join(page.text.split()) or detail["text"] in page.text
    hrefs = {a["href"] for a in page.all("a")}
    incident = pages.get(f"/incidents/{linked['incident_id']}").json()
    source = pages.get(f"/sources/{linked['source_id']}").json()
    assert f"/browse/actors/{linked['speaker']['slug']}" in hrefs
    assert f"/browse/incidents/{incident['slug']}" in hrefs
    assert f"/browse/sources/{source['slug']}#statement-{linked['id']}" in hrefs


def test_the_stylesheet_is_served_by_this_server(pages: AppClient) -> None:
    response = pages.get("/static/style.css")
    assert response.status_code == 200 and "mark.quote" in response.text


def test_served_pages_answer_over_loopback(live: str) -> None:
    response = httpx.get(f"{live}/browse/incidents")
    assert response.status_code == 200 and "<h1>Incidents</h1>" in response.text


class EvidenceMarks(HTMLParser):
    """The text inside each `mark.evidence`, per statement id, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str | None] = []  # per open element: its statement id, if evidence
        self.text: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(dict(attrs).get("data-evidence-for") if tag == "mark" else None)

    def handle_endtag(self, tag: str) -> None:
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for statement_id in {i for i in self.open if i}:
            self.text[statement_id] = self.text.get(statement_id, "") + data


def test_attribution_evidence_is_marked_at_its_offsets(pages: AppClient) -> None:
    checked = 0
    for source in pages.get("/sources", params={"limit": 100}).json()["items"]:
        detail = pages.get(f"/sources/{source['slug']}").json()
        marked = EvidenceMarks(pages.get(f"/browse/sources/{source['slug']}").text).text
        expected = {
            str(s["id"]): "".join(
                detail["text"][e["start"] : e["end"]]
                for e in sorted(s["attribution"]["evidence"], key=lambda e: e["start"])
            )
            for s in detail["statements"]
            if s["attribution"]["evidence"]
        }
        assert marked == expected, source["slug"]
        checked += len(expected)
    assert checked > 0


def test_search_page_lists_the_apis_first_statements_and_sources(pages: AppClient) -> None:
    q = "embassy"
    statements = pages.get("/statements", params={"q": q, "limit": 10}).json()
    sources = pages.get("/sources", params={"q": q, "limit": 10}).json()
    assert statements["items"] and sources["items"]
    page = Page(pages.get("/browse/search", params={"q": q}).text)
    links = [a["href"] for a in page.all("a")]
    statement_links = [h for h in links if h and re.fullmatch(r"/browse/statements/\d+", h)]
    source_links = [h for h in links if h and re.fullmatch(r"/browse/sources/[^#]+", h)]
    assert statement_links == [f"/browse/statements/{s['id']}" for s in statements["items"]]
    assert source_links == [f"/browse/sources/{s['slug']}" for s in sources["items"]]
    assert statements["items"][0]["text"] in page.text
