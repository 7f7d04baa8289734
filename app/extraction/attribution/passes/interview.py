"""An interview's answers belong to the person interviewed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import APPOSITIVE, Discourse, person_phrase, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import index_at, loose_words, np_forward, verb_subject
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    if _quotes_themselves(state, quote):
        # "A: … I told him plainly, "Share the data first."": the interviewee quoting
        # their own words
        return _interviewee(state, statements)
    key = loose_words(quote.text)
    if len(key) < 20:
        return None
    interviewee = _interviewee(state, statements)
    if interviewee is None:
        return None
    for block in ctx.qa_blocks:
        if block.start <= quote.start < block.end:
            continue  # a quotation inside an answer is someone else's words
        if key in loose_words(ctx.text[block.start : block.end]):
            return interviewee
    return None


# "I told him", "I once said to them", "we wrote": a first-person speech verb
_FIRST_PERSON_SPEECH = re.compile(
    r"\b(?:I|[Ww]e)[ \t]+(?:(?:once|then|also|have|had|always)[ \t]+)?"
    r"(?:said|told|wrote|asked|replied|answered|warned)\b[^.!?;:\"“”]*[,:]?[ \t]*$"
)


def _quotes_themselves(state: Discourse, quote: Quote) -> bool:
    """Whether the quotation sits in an interview answer after a first-person speech verb
    in its own sentence."""
    ctx = state.ctx
    if not any(b.start <= quote.start < b.end for b in ctx.qa_blocks):
        return False
    s_start = ctx.sentences[ctx.sentence_index(quote.open_mark)][0]
    return _FIRST_PERSON_SPEECH.search(ctx.text, s_start, quote.open_mark) is not None


def _interviewee(state: Discourse, statements: Sequence[Quote]) -> Attribution | None:
    """The person an interview is with: the one the paragraphs right before the first
    question say it spoke to ("X spoke to the magazine"), else the last person quoted
    before the first question, else the one the introduction says it spoke to."""
    ctx = state.ctx
    first = ctx.first_question
    if first is None:
        return None
    # "X spoke to the magazine in her office." right before the questions says whom they
    # are put to, more surely than whoever the background paragraphs quoted last
    near = ctx.paragraphs[max(0, ctx.paragraph_index(first) - 2)][0]
    best: Attribution | None = _introduced_interviewee(state, first, since=near)
    if best is not None and _kind(state, best.speaker) != "person":
        best = None
    if best is None:
        best = _last_person_quoted(state, statements, first)
    if best is None:
        best = _introduced_interviewee(state, first)
    if best is None:
        return None
    # Name them as the article introduces them, not by the pronoun or surname used later.
    for ref in state.referents:
        if ref.key == best.speaker and ref.kind == "person":
            intro = APPOSITIVE.match(ctx.text, ref.end)
            end = intro.end("desc") if intro is not None else ref.end
            return Attribution(ctx.text[ref.start : end], best.speaker, ref.start, end)
    return best


_SPOKE_TO = re.compile(
    r"\b(?:spoke|spoken|speaks|speaking|talked|talks|talking)[ \t]+(?:to|with)[ \t]+"
    r"|\binterview(?:ed|s)?[ \t]+(?:with[ \t]+)?|\bsat[ \t]+down[ \t]+with[ \t]+"
)


def _last_person_quoted(
    state: Discourse, statements: Sequence[Quote], first_question: int
) -> Attribution | None:
    latest: Attribution | None = None
    for quote, found in zip(statements, state.results, strict=True):
        if quote.open_mark >= first_question:
            break
        if found.speaker is not None and found.start is not None:
            if _kind(state, found.speaker) == "person":
                latest = found
    return latest


def _kind(state: Discourse, slug: str | None) -> str | None:
    if slug is None:
        return None
    actor = state.ctx.gazetteer.get(slug)
    new = state.new_actors.get(slug)
    return actor.kind if actor is not None else (new.kind if new is not None else None)


def _introduced_interviewee(
    state: Discourse, first_question: int, since: int = 0
) -> Attribution | None:
    """The person named right after "spoke to" / "interview with" before the questions."""
    ctx = state.ctx
    for m in _SPOKE_TO.finditer(ctx.text, since, first_question):
        # "X spoke to our correspondent": the subject, unless the interviewer is ("We
        # spoke to X"); then the person spoken to
        s_start = ctx.sentences[ctx.sentence_index(m.start())][0]
        clause = [w for w in ctx.words(s_start, m.end()) if w]
        verb = index_at(clause, m.start())
        subject = verb_subject(ctx, clause, verb, floor=s_start) if verb < len(clause) else None
        spoken_to: Attribution | None = None
        if subject is None or ctx.text[subject[0] : subject[1]] not in ("We", "we", "I"):
            words = [w for w in ctx.words(m.end(), min(first_question, m.end() + 120)) if w]
            np = np_forward(ctx, words, 0)
            if np is not None:
                spoken_to = resolve(state, np[0], np[1])
        if subject is not None and person_phrase(ctx, subject[0], subject[1]):
            found = resolve(state, subject[0], subject[1])
            if found.speaker is not None:
                return found
        if spoken_to is not None and spoken_to.speaker is not None:
            return spoken_to
        if subject is not None:
            found = resolve(state, subject[0], subject[1])
            if found.speaker is not None:
                return found
    return None


PASS = Pass(
    id="interview",
    description="a quotation of words an interview answer says: the person interviewed (the "
    "last person quoted before the first question, else the one the article spoke to)",
    rule=rule,
    examples=(
        Example(
            "'Nobody owns the northern sea routes'\n\nWe spoke to Hanna Lund, a former "
            "envoy.\n\nQuestion: What changed?\n\nAnswer: Frankly, nobody owns the northern "
            "sea routes, and we should stop pretending.",
            "hanna-lund",
        ),
        # the interviewee quoting their own words inside an answer
        Example(
            "Water talks\n\nWe spoke to Hanna Lund, a former envoy.\n\nQ: Is the minister "
            'wrong?\n\nA: He is mistaken. When we met in May I told him plainly, "Share the '
            'survey data first and the rest can follow."',
            "hanna-lund",
        ),
        # the person who "spoke to" the outlet right before the questions, not the one the
        # background quoted last
        Example(
            'Water talks\n\nProsecutor Ivo Brandt said the case was "far from closed".\n\n'
            "Deputy Minister Hanna Lund, the number two at the ministry, spoke to the Vessby "
            "Review in her office.\n\nQ: Is the minister wrong?\n\nA: He is mistaken. When "
            'we met in May I told him plainly, "Share the survey data first and the rest can '
            'follow."',
            "hanna-lund",
        ),
    ),
    counterexamples=(
        Example(
            "'Nobody owns the northern sea routes'\n\nWe spoke to Hanna Lund, a former "
            "envoy.\n\nQuestion: What changed?\n\nAnswer: Frankly, the ice has changed.",
            None,
        ),
        # someone else's words inside an answer stay theirs
        Example(
            "Water talks\n\nWe spoke to Hanna Lund, a former envoy.\n\nQ: Is the minister "
            'wrong?\n\nA: He is mistaken. The minister told us last week, "Share the survey '
            'data first and the rest can follow."',
            None,
        ),
    ),
    whole_article=True,
)
