"""Mentions: every place an article names a curated actor or a speaker it introduced.

One span names one actor: the longest match wins and matches never overlap, so
"Iranian Foreign Ministry" is a mention of the ministry and not also of Iran. Quoted words
count too: a statement that names a state mentions it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from app.extraction.context import ArticleContext
from app.extraction.model import Mention, NewActor


def find_mentions(ctx: ArticleContext, new_actors: Sequence[NewActor]) -> tuple[Mention, ...]:
    """Mentions of curated actors (Gazetteer) and of the article's new actors."""
    text = ctx.text
    found = [Mention(m.actor.slug, m.start, m.end, text[m.start : m.end]) for m in ctx.matches]
    taken = sorted((m.start, m.end) for m in found)  # never overlapping, so sorted by both
    for actor in new_actors:
        forms = {actor.name}
        if actor.kind == "person" and len(actor.name.split()) > 1:
            forms.add(actor.name.split()[-1])
        pattern = re.compile(
            r"(?<![\w’'])(?:"
            + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            + r")(?![\w])"
        )
        for m in pattern.finditer(text):
            i = bisect.bisect_left(taken, (m.end(), m.end()))
            if i > 0 and taken[i - 1][1] > m.start():
                continue  # overlaps a longer or earlier mention
            found.append(Mention(actor.slug, m.start(), m.end(), m.group()))
            bisect.insort(taken, (m.start(), m.end()))
    found.sort(key=lambda m: (m.start, m.end))
    return tuple(found)
