"""How the pages are rendered: one Jinja2 environment, the headers every page carries."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.incidents.vocabulary import INCIDENT_TYPES
from app.settings import Settings
from app.web import links, timeline
from app.web.cache import VersionedCache

HERE = Path(__file__).parent

# The pages run no script at all: a stored string that slipped through unescaped still could
# not execute, and nothing is loaded from anywhere but this server.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every stored string is text, never markup
        undefined=StrictUndefined,  # a misspelt field fails in tests instead of printing ""
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(url=links.url, month_label=timeline.month_label, types=INCIDENT_TYPES)
    env.filters.update(number=lambda n: f"{n:,}")
    return env


templates = Jinja2Templates(env=_environment())
CHART = templates.env.from_string(
    '{% from "_macros.html" import timeline_chart %}{{ timeline_chart(chart, label) }}'
)


def page(request: Request, template: str, json_url: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"json_url": json_url, **context}, headers=HEADERS
    )


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def cache_of(request: Request) -> VersionedCache:
    cache: VersionedCache = request.app.state.web_cache
    return cache
