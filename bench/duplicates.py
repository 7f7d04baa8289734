"""Precision and recall of the near-duplicate detector (app/ingest/duplicates.py).

Stories: the 5 seed articles and the 36 held-out articles (tests/extraction/heldout), all
written separately; several pairs report the same dispute (the five seeds are all
Azerbaijan-Iran; e.g. South China Sea, Guyana-Venezuela, the Sahel, North Korea recur across
held-out sets). Each story also appears as syndicated copies made the way outlets republish
wire copy: another header and byline, a footer, small word edits, a dropped last paragraph.
Everything is ingested in a shuffled order through the same `assign` the ingest uses, and
every pair of documents is scored: same story and marked together is a true positive.

    python -m bench.duplicates [--seed 1] [--copies 3] [--edit-rate 0.025]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from app.kit import near_duplicates as duplicates

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "seeds" / "articles"] + sorted(
    (ROOT / "tests" / "extraction" / "heldout").glob("*/articles")
)
# Distinct articles on the same dispute: the hard negatives.
SAME_TOPIC = [
    {"000_", "001_", "002_", "003_", "004_"},
    {"d02-", "t03-"},  # South China Sea
    {"d06-", "t08-"},  # Guyana-Venezuela, Essequibo
    {"d07-", "t06-"},  # Japan-South Korea
    {"d10-", "t10-"},  # Mali / Sahel and France
    {"d11-", "t11-"},  # North Korea
    {"d01-", "t04-"},  # India-Pakistan
    {"d04-", "t07-"},  # Horn of Africa, Ethiopia
    {"d05-", "t09-"},  # Russia-Ukraine
    {"d08-", "000_"},  # Azerbaijan
]
HEADERS = [
    "WORLD NEWS | {date}\nBy Staff Reporter\n\n",
    "From our wire partners\nPublished {date} · 3 min read\n\n",
    "Diplomacy Desk\nReporting by agencies; editing by the news desk\n\n",
]
FOOTERS = [
    "\n\nThis article was republished from a news agency under licence.\n",
    "\n\n© All rights reserved. Share this story: Facebook, X, Telegram.\n",
    "\n\nRead more: latest world news, analysis and opinion.\n",
]
FILLER = ["also", "reportedly", "officially", "again", "now", "still", "formally", "publicly"]


@dataclass(frozen=True)
class Doc:
    story: str
    variant: str
    text: str


def copies(story: str, text: str, rng: random.Random, n: int, edit_rate: float) -> list[Doc]:
    """Syndicated copies: header/byline and footer, small edits, a dropped last paragraph."""
    out = []
    kinds = ["header+footer", "edits", "trimmed+edits"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        body = text
        if "edits" in kind:
            words = body.split(" ")
            for _ in range(max(1, round(len(words) * edit_rate))):
                at = rng.randrange(len(words))
                if rng.random() < 0.5:
                    words[at] = rng.choice(FILLER)
                else:
                    words.insert(at, rng.choice(FILLER))
            body = " ".join(words)
        if "trimmed" in kind:
            paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
            if len(paragraphs) >= 3:
                body = "\n\n".join(paragraphs[:-1])
        header = rng.choice(HEADERS).format(date=f"2024-0{rng.randrange(1, 9)}-1{i}")
        out.append(Doc(story, kind, header + body + rng.choice(FOOTERS)))
    return out


def _topic(story: str) -> int | None:
    for n, group in enumerate(SAME_TOPIC):
        if any(story.startswith(prefix) for prefix in group):
            return n
    return None


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    hard_negatives: int = 0
    hard_fp: int = 0
    closest_distinct: float = 0.0
    loosest_copy: float = 1.0

    def add(self, a: Doc, b: Doc, marked: bool, similarity: float) -> None:
        same_story = a.story == b.story
        if same_story:
            self.loosest_copy = min(self.loosest_copy, similarity)
            self.tp += marked
            self.fn += not marked
            return
        self.closest_distinct = max(self.closest_distinct, similarity)
        self.fp += marked
        self.tn += not marked
        if _topic(a.story) is not None and _topic(a.story) == _topic(b.story):
            self.hard_negatives += 1
            self.hard_fp += marked


def _documents(rng: random.Random, n: int, edit_rate: float) -> list[Doc]:
    docs: list[Doc] = []
    for folder in CORPORA:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            docs.append(Doc(path.stem, "original", text))
            docs += copies(path.stem, text, rng, n, edit_rate)
    rng.shuffle(docs)  # the first copy ingested may be any of them
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument(
        "--edit-rate", type=float, default=0.025, help="share of words replaced or inserted"
    )
    args = parser.parse_args(argv)
    docs = _documents(random.Random(args.seed), args.copies, args.edit_rate)
    signatures = [(i, duplicates.signature(d.text)) for i, d in enumerate(docs, start=1)]
    first_copy = duplicates.assign(signatures)
    root = {i: first_copy[i] or i for i in first_copy}
    from datasketch import LeanMinHash  # type: ignore[import-untyped]

    hashes = {i: LeanMinHash.deserialize(blob) for i, blob in signatures}
    score = Score()
    for (i, a), (j, b) in itertools.combinations(enumerate(docs, start=1), 2):
        score.add(a, b, root[i] == root[j], hashes[i].jaccard(hashes[j]))
    stories = len({d.story for d in docs})
    precision = score.tp / (score.tp + score.fp) if score.tp + score.fp else 1.0
    recall = score.tp / (score.tp + score.fn) if score.tp + score.fn else 1.0
    print(
        f"{len(docs)} documents: {stories} distinct stories x (1 original + {args.copies} "
        f"syndicated copies, {args.edit_rate:.1%} of words edited), shuffled "
        f"(seed {args.seed}); threshold {duplicates.THRESHOLD}, "
        f"{duplicates.NUM_PERM} permutations, word {duplicates.SHINGLE_WORDS}-grams"
    )
    print(
        f"pairs: {score.tp} true positives, {score.fp} false positives, {score.fn} missed, "
        f"{score.tn} true negatives"
    )
    print(f"precision {precision:.3f}  recall {recall:.3f}")
    print(
        f"distinct articles on the same dispute: {score.hard_negatives} pairs, "
        f"{score.hard_fp} wrongly marked as copies"
    )
    print(
        f"estimated Jaccard: most similar distinct stories {score.closest_distinct:.2f}, "
        f"least similar copies of one story {score.loosest_copy:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
