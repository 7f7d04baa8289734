"""Links from the JSON API to the HTML pages (app/web) of the same objects."""

from urllib.parse import quote

from starlette.requests import Request


def html_url(request: Request, kind: str, key: str | int) -> str:
    """The absolute address of an object's page, `/browse/{kind}/{key}`, on the base URL the
    request came to (its host, and the path prefix a proxy mounts the app under)."""
    base = str(request.base_url).rstrip("/")
    return f"{base}/browse/{kind}/{quote(str(key), safe='')}"
