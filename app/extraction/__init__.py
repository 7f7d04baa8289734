"""Text extraction: quotations, speakers, mentions, dates and metadata of news articles.

Pure functions from text to frozen dataclasses; no database, no HTTP.
"""

from app.extraction.extract import extract_article
from app.extraction.gazetteer import Gazetteer
from app.extraction.model import (
    ArticleExtraction,
    ExtractedStatement,
    KnownActor,
    KnownIncident,
    Mention,
    NewActor,
)

__all__ = [
    "ArticleExtraction",
    "ExtractedStatement",
    "Gazetteer",
    "KnownActor",
    "KnownIncident",
    "Mention",
    "NewActor",
    "extract_article",
]
