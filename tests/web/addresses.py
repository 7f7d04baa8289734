"""One address of each kind of page, shared by the HTTP and the browser tests."""

import httpx

from tests.inprocess import AppClient


def every_page(api: httpx.Client | AppClient) -> list[str]:
    """One address of each kind of page (every source), found through the JSON API."""
    incident = api.get("/incidents", params={"limit": 1}).json()["items"][0]["slug"]
    sources = [s["slug"] for s in api.get("/sources", params={"limit": 100}).json()["items"]]
    statement = api.get("/statements", params={"limit": 1}).json()["items"][0]["id"]
    return [
        "/",
        "/browse/incidents",
        "/browse/incidents?actor=Iran&type=attack",
        "/browse/search?q=embassy",
        f"/browse/incidents/{incident}",
        *(f"/browse/sources/{slug}" for slug in sources),
        "/browse/actors/iran",
        "/browse/actors/nasser-kanani",
        f"/browse/statements/{statement}",
    ]
