"""The sieve's passes, most precise first (see app/extraction/attribution/__init__.py)."""

from __future__ import annotations

from app.extraction.attribution.passes import (
    according_before,
    colon_intro,
    continuation,
    document_after,
    first_person_label,
    heading_echo,
    interview,
    labelled_answer,
    post_signature,
    repetition,
    report_before_paragraph,
    reporting_after,
    reporting_before,
    reporting_end,
    speaker_colon,
    speech_noun,
    subject_before,
    subject_colon,
)
from app.extraction.attribution.passes.base import Example, Pass

PASSES: tuple[Pass, ...] = (
    reporting_after.PASS,
    according_before.PASS,
    reporting_before.PASS,
    speaker_colon.PASS,
    speech_noun.PASS,
    reporting_end.PASS,
    document_after.PASS,
    post_signature.PASS,
    colon_intro.PASS,
    report_before_paragraph.PASS,
    first_person_label.PASS,
    subject_colon.PASS,
    continuation.PASS,
    subject_before.PASS,
    repetition.PASS,
    labelled_answer.PASS,
    interview.PASS,
    heading_echo.PASS,
)

__all__ = ["PASSES", "Example", "Pass"]
