"""What a pass is: an id, a one-line description, a rule, and invented examples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.quotes import Quote

# A pass looks at statements[index] (and, if it needs to, at the answers already given to
# the others in `state.results`) and either decides its speaker or returns None.
Rule = Callable[[Discourse, Sequence[Quote], int], Attribution | None]


@dataclass(frozen=True)
class Example:
    """An invented text whose target statement the pass must (or must not) decide.

    `speaker` is the slug the whole sieve must give that statement: for an example, the
    pass's own answer; for a counterexample, the answer another pass gives (or None).
    """

    text: str
    speaker: str | None
    target: int = -1  # which of the text's statements, in order: the last by default


@dataclass(frozen=True)
class Pass:
    """One rule of the sieve."""

    id: str
    description: str
    rule: Rule
    examples: tuple[Example, ...]
    counterexamples: tuple[Example, ...]
    # Runs once every statement has had the per-statement passes, because it reads the
    # whole article's answers (the same words quoted elsewhere, an interview's subject).
    whole_article: bool = False
    # May replace an answer another pass gave: a headline's quotation takes the speaker
    # the body gives the same words, more precise than the headline's shorthand.
    revises: bool = False
