"""Text extraction: quotations, speakers, mentions, dates and metadata of news articles.

Pure functions from text to frozen dataclasses; no database, no HTTP.
"""

from app.extraction.extract import extract_article
from app.extraction.gazetteer import Gazetteer
from app.extraction.model import (
    ArticleExtraction,
    Evidence,
    ExtractedStatement,
    KnownActor,
    KnownIncident,
    Mention,
    NewActor,
    SpeakerAttribution,
)

__all__ = [
    "ArticleExtraction",
    "Evidence",
    "ExtractedStatement",
    "Gazetteer",
    "KnownActor",
    "KnownIncident",
    "Mention",
    "NewActor",
    "SpeakerAttribution",
    "extract_article",
]
