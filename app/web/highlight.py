"""An article's text as HTML, with spans (quotations, attribution evidence) marked in place.

Offsets index the stored text exactly, so the text is cut at span boundaries only and every
piece is escaped on its own: the markup can never shift a quotation or let the article's own
`<script>` through.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """[start, end) of the text, wrapped in `open_tag` ... `close_tag`."""

    start: int
    end: int
    open_tag: Markup
    close_tag: Markup
    # Drawn inside a longer span that starts at the same offset: quotations (0) enclose
    # evidence (1) that covers the same words.
    depth: int = 0
    # Markup placed after the span once no span is open any more (a speaker's badge after
    # its quotation): inside a mark it would change the mark's text.
    after: Markup = field(default_factory=Markup)


def _order(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, span.depth)


def render(text: str, spans: Iterable[Span]) -> Markup:
    """`text`, escaped, with every span wrapped; crossing spans are closed and reopened."""
    valid = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=_order)
    if not valid:
        return escape(text)
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    out: list[str] = []
    open_stack: list[Span] = []
    pending_after: list[Markup] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        wanted = [s for s in valid if s.start <= left and right <= s.end]  # already ordered
        keep = 0
        while keep < len(open_stack) and keep < len(wanted) and open_stack[keep] is wanted[keep]:
            keep += 1
        for span in reversed(open_stack[keep:]):
            out.append(span.close_tag)
            if span.end <= left and span.after:
                pending_after.append(span.after)
        del open_stack[keep:]
        if not open_stack and pending_after:
            out.extend(pending_after)
            pending_after.clear()
        for span in wanted[keep:]:
            out.append(span.open_tag)
            open_stack.append(span)
        out.append(escape(text[left:right]))
    for span in reversed(open_stack):
        out.append(span.close_tag)
        if span.after:
            pending_after.append(span.after)
    out.extend(pending_after)
    return Markup("".join(out))


def words(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """`text` with search matches in <mark>."""
    tag, close = Markup('<mark class="hit">'), Markup("</mark>")
    return render(text, (Span(start, end, tag, close) for start, end in spans))
