"""Every API detail object links to its HTML page (`html_url`), and following it gives the
page of the same object."""

from urllib.parse import urlsplit

import httpx
import pytest

from tests.inprocess import AppClient
from tests.web.test_pages import Page


def details(api: httpx.Client | AppClient) -> list[str]:
    """One API detail address of each kind, found through the lists."""
    incident = api.get("/incidents", params={"limit": 1}).json()["items"][0]["slug"]
    source = api.get("/sources", params={"limit": 1}).json()["items"][0]["slug"]
    statement = api.get("/statements", params={"limit": 1}).json()["items"][0]["id"]
    return [
        f"/incidents/{incident}",
        f"/sources/{source}",
        f"/statements/{statement}",
        "/actors/iran",
        "/actors/nasser-kanani",
    ]


def test_following_html_url_gives_the_page_of_the_same_object(live: str) -> None:
    with httpx.Client(base_url=live) as api:
        for path in details(api):
            detail = api.get(path).json()
            kind = path.split("/")[1]
            key = detail["id"] if kind == "statements" else detail["slug"]
            assert detail["html_url"] == f"{live}/browse/{kind}/{key}"
            page = httpx.get(detail["html_url"])
            assert page.status_code == 200, path
            assert page.headers["content-type"].startswith("text/html")
            # The page's JSON twin is the object we started from.
            assert Page(page.text).json_twin() == f"/{kind}/{key}"


def test_html_url_follows_the_host_and_prefix_of_the_request(pages: AppClient) -> None:
    path = "/incidents/" + pages.get("/incidents", params={"limit": 1}).json()["items"][0]["slug"]
    local = pages.get(path)
    assert urlsplit(local.json()["html_url"]).netloc == "testserver"
    proxied = pages.get(path, headers={"Host": "incidents.example.org"})
    assert proxied.json()["html_url"].startswith("http://incidents.example.org/browse/incidents/")
    # Same path, same data version, another body: another ETag, and a client's ETag from
    # one host does not turn into a 304 on another.
    assert proxied.headers["etag"] != local.headers["etag"]
    crossed = pages.get(
        path, headers={"Host": "incidents.example.org", "If-None-Match": local.headers["etag"]}
    )
    assert crossed.status_code == 200
    again = pages.get(path, headers={"If-None-Match": local.headers["etag"]})
    assert again.status_code == 304
    with AppClient(pages.app, root_path="/incidentdb") as prefixed:
        assert (
            prefixed.get(path)
            .json()["html_url"]
            .startswith("http://testserver/incidentdb/browse/incidents/")
        )


@pytest.mark.parametrize("path", ["/incidents", "/actors", "/sources", "/statements"])
def test_list_items_do_not_carry_html_url(pages: AppClient, path: str) -> None:
    items = pages.get(path, params={"limit": 3}).json()["items"]
    assert items and all("html_url" not in item for item in items)
