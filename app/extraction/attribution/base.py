"""What a pass decides about one statement: the speaker, and where the text says so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attribution:
    """The speaker of one statement and the places in the article that show it.

    Offsets index the article: `speaker_text` is article[start:end], `cue` the reporting
    verb ("said"), `antecedent` the earlier mention a pronoun or role phrase stands for
    ("Ivan Orlov" for "he"). `method` is the id of the pass that decided.
    """

    speaker_text: str | None
    speaker: str | None
    start: int | None = None
    end: int | None = None
    cue: tuple[int, int] | None = None
    antecedent: tuple[int, int] | None = None
    method: str = "none"
    # how it was decided, in general terms (buckets.py): what confidence is measured on
    bucket: str = "none/far"


NO_ATTRIBUTION = Attribution(None, None)
