"""Measure the extraction against the hand-annotated gold file.

    python -m app.extraction.evaluate [--articles DIR] [--actors YAML] [--incidents YAML]
                                      [--gold YAML]

Matching rule: a predicted statement matches a gold one when their spans are equal after
trimming whitespace and punctuation at both ends (so `Iran,` and `Iran` match, and the
comma before a closing mark never decides). Each gold statement matches at most one
prediction. Precision = matched / predicted, recall = matched / gold, attribution = share
of matched gold statements whose predicted speaker slug equals the gold one (null = null).
The lenient figures match spans whose trimmed overlap is at least half their union.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from app.extraction.extract import extract_article
from app.extraction.gazetteer import Gazetteer
from app.extraction.model import ExtractedStatement, KnownActor, KnownIncident

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
DEFAULT_ACTORS = PROJECT_ROOT / "seeds" / "actors.yaml"
DEFAULT_INCIDENTS = PROJECT_ROOT / "seeds" / "incidents.yaml"
DEFAULT_GOLD = PROJECT_ROOT / "tests" / "extraction" / "gold.yaml"


@dataclass(frozen=True)
class ArticleScore:
    """Counts for one article."""

    source: str
    gold: int
    predicted: int
    matched: int
    attributed: int  # matched statements whose speaker is right


@dataclass(frozen=True)
class Problem:
    """A missed gold statement, a false positive or a wrong speaker."""

    source: str
    kind: str  # "missed" | "false positive" | "wrong speaker"
    start: int
    end: int
    text: str
    expected: str | None = None
    got: str | None = None


@dataclass(frozen=True)
class EvalReport:
    """Scores of the extraction over a gold set."""

    precision: float
    recall: float
    attribution: float
    lenient_precision: float
    lenient_recall: float
    articles: tuple[ArticleScore, ...]
    problems: tuple[Problem, ...]
    seconds: float  # time spent extracting all the articles
    # attribution pass id -> (matched gold statements it attributed, how many of them right)
    by_method: dict[str, tuple[int, int]] = field(default_factory=dict)
    # matched gold statements whose attribution confidence is at least CONFIDENT, and how
    # many of them have the right speaker
    confident: tuple[int, int] = (0, 0)
    # (pass id, calibration bucket) -> (matched gold statements, how many right)
    by_bucket: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


# The confidence a user may filter on (`min_confidence=0.9`) to get attributions they can trust.
CONFIDENT = 0.9


def load_actors(path: Path) -> list[KnownActor]:
    """KnownActors from a seeds/actors.yaml file."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        KnownActor(
            slug=row["slug"],
            name=row["name"],
            kind=row["kind"],
            country=row.get("country"),
            title=row.get("title"),
            aliases=tuple(row.get("aliases") or ()),
            demonyms=tuple(row.get("demonyms") or ()),
            metonyms=tuple(row.get("metonyms") or ()),
            affiliation=row.get("affiliation"),
        )
        for row in rows
    ]


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def load_incidents(path: Path) -> list[KnownIncident]:
    """KnownIncidents from a seeds/incidents.yaml file (none if the file is absent)."""
    if not path.exists():
        return []
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for row in rows:
        start = _date(row["date_start"])
        assert start is not None
        participants = tuple(
            p["actor"] if isinstance(p, dict) else str(p) for p in row.get("participants") or ()
        )
        out.append(
            KnownIncident(
                slug=row["slug"],
                date_start=start,
                date_end=_date(row.get("date_end")),
                participants=participants,
                sources=tuple(row.get("sources") or ()),
            )
        )
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    def skip(char: str) -> bool:
        return char.isspace() or unicodedata.category(char).startswith("P")

    while start < end and skip(text[start]):
        start += 1
    while end > start and skip(text[end - 1]):
        end -= 1
    return start, end


def _lenient(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return union > 0 and inter * 2 >= union


def evaluate(
    articles_dir: Path, actors_yaml: Path, incidents_yaml: Path, gold_yaml: Path
) -> EvalReport:
    """Run the extraction over every gold article and score it."""
    gazetteer = Gazetteer.build(load_actors(actors_yaml))
    incidents = load_incidents(incidents_yaml)
    gold_rows = yaml.safe_load(gold_yaml.read_text(encoding="utf-8")) or []
    texts = {}
    for row in gold_rows:
        path = articles_dir / f"{row['source']}.txt"
        with path.open(encoding="utf-8", newline="") as fh:
            texts[row["source"]] = fh.read()
    began = time.perf_counter()
    predictions: dict[str, tuple[ExtractedStatement, ...]] = {}
    for source, text in texts.items():
        predictions[source] = extract_article(text, gazetteer, incidents, source).statements
    seconds = time.perf_counter() - began

    scores: list[ArticleScore] = []
    problems: list[Problem] = []
    totals = {"gold": 0, "pred": 0, "match": 0, "attr": 0, "lgold": 0, "lpred": 0}
    by_method: dict[str, tuple[int, int]] = {}
    by_bucket: dict[tuple[str, str], tuple[int, int]] = {}
    confident = (0, 0)
    for row in gold_rows:
        source = row["source"]
        text = texts[source]
        gold = row.get("statements") or []
        predicted = list(predictions[source])
        used: set[int] = set()
        matched = attributed = 0
        for g in gold:
            g_span = _trim(text, g["start"], g["end"])
            hit = next(
                (
                    i
                    for i, p in enumerate(predicted)
                    if i not in used and _trim(text, p.start, p.end) == g_span
                ),
                None,
            )
            if hit is None:
                problems.append(
                    Problem(source, "missed", g["start"], g["end"], g["text"], g.get("speaker"))
                )
                continue
            used.add(hit)
            matched += 1
            right = predicted[hit].speaker == g.get("speaker")
            method = predicted[hit].attribution.method
            count, correct = by_method.get(method, (0, 0))
            by_method[method] = (count + 1, correct + right)
            key = (method, predicted[hit].attribution.bucket)
            count, correct = by_bucket.get(key, (0, 0))
            by_bucket[key] = (count + 1, correct + right)
            if predicted[hit].attribution.confidence >= CONFIDENT:
                confident = (confident[0] + 1, confident[1] + right)
            if right:
                attributed += 1
            else:
                problems.append(
                    Problem(
                        source,
                        "wrong speaker",
                        g["start"],
                        g["end"],
                        g["text"],
                        g.get("speaker"),
                        predicted[hit].speaker,
                    )
                )
        for i, p in enumerate(predicted):
            if i not in used:
                problems.append(
                    Problem(source, "false positive", p.start, p.end, p.text, None, p.speaker)
                )
        gold_spans = [_trim(text, g["start"], g["end"]) for g in gold]
        pred_spans = [_trim(text, p.start, p.end) for p in predicted]
        totals["lgold"] += sum(any(_lenient(g, p) for p in pred_spans) for g in gold_spans)
        totals["lpred"] += sum(any(_lenient(g, p) for g in gold_spans) for p in pred_spans)
        totals["gold"] += len(gold)
        totals["pred"] += len(predicted)
        totals["match"] += matched
        totals["attr"] += attributed
        scores.append(ArticleScore(source, len(gold), len(predicted), matched, attributed))

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    return EvalReport(
        precision=ratio(totals["match"], totals["pred"]),
        recall=ratio(totals["match"], totals["gold"]),
        attribution=ratio(totals["attr"], totals["match"]),
        lenient_precision=ratio(totals["lpred"], totals["pred"]),
        lenient_recall=ratio(totals["lgold"], totals["gold"]),
        articles=tuple(scores),
        problems=tuple(problems),
        seconds=seconds,
        by_method=by_method,
        confident=confident,
        by_bucket=by_bucket,
    )


def format_report(report: EvalReport) -> str:
    """A plain-text summary: figures, per-article counts and every problem."""
    matched = sum(a.matched for a in report.articles)
    n_conf, right_conf = report.confident
    lines = [
        f"precision    {report.precision:.3f}   (lenient {report.lenient_precision:.3f})",
        f"recall       {report.recall:.3f}   (lenient {report.lenient_recall:.3f})",
        f"attribution  {report.attribution:.3f}",
        f"confidence ≥ {CONFIDENT}: {n_conf} of {matched} matched statements "
        f"({n_conf / max(1, matched):.1%}), right {right_conf / max(1, n_conf):.3f}",
        f"time         {report.seconds * 1000:.1f} ms for {len(report.articles)} articles",
        "",
        f"{'source':<28} {'gold':>5} {'pred':>5} {'match':>6} {'speaker ok':>11}",
    ]
    for a in report.articles:
        lines.append(
            f"{a.source:<28} {a.gold:>5} {a.predicted:>5} {a.matched:>6} {a.attributed:>11}"
        )
    lines += ["", format_passes(report), "", format_buckets(report)]
    if report.problems:
        lines.append("")
        for p in report.problems:
            snippet = p.text if len(p.text) <= 70 else p.text[:67] + "..."
            detail = ""
            if p.kind == "wrong speaker":
                detail = f"  expected {p.expected}, got {p.got}"
            elif p.kind == "missed":
                detail = f"  speaker {p.expected}"
            elif p.got is not None:
                detail = f"  speaker {p.got}"
            lines.append(f"{p.kind:<15} {p.source} [{p.start}:{p.end}] {snippet!r}{detail}")
    return "\n".join(lines)


def format_passes(report: EvalReport) -> str:
    """Precision of each attribution pass on the matched gold statements, in sieve order."""
    from app.extraction.attribution import PASSES

    order = [p.id for p in PASSES] + ["none"]
    rank = {m: i for i, m in enumerate(order)}
    lines = [f"{'pass':<24} {'statements':>10} {'correct':>8} {'precision':>10}"]
    for method in sorted(report.by_method, key=lambda m: (rank.get(m, len(order)), m)):
        count, correct = report.by_method[method]
        precision = correct / count if count else 1.0
        lines.append(f"{method:<24} {count:>10} {correct:>8} {precision:>10.3f}")
    return "\n".join(lines)


def format_buckets(report: EvalReport) -> str:
    """Precision and confidence of each (pass, calibration bucket), in sieve order."""
    from app.extraction.attribution import PASSES
    from app.extraction.calibration import confidence_of

    order = [p.id for p in PASSES] + ["none"]
    rank = {m: i for i, m in enumerate(order)}
    lines = [
        f"{'pass':<24} {'bucket':<22} {'statements':>10} {'correct':>8} {'precision':>10}"
        f" {'confidence':>11}"
    ]
    for method, bucket in sorted(report.by_bucket, key=lambda k: (rank.get(k[0], len(order)), k)):
        count, correct = report.by_bucket[method, bucket]
        precision = correct / count if count else 1.0
        lines.append(
            f"{method:<24} {bucket:<22} {count:>10} {correct:>8} {precision:>10.3f}"
            f" {confidence_of(method, bucket):>11.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation report; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--actors", type=Path, default=DEFAULT_ACTORS)
    parser.add_argument("--incidents", type=Path, default=DEFAULT_INCIDENTS)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = parser.parse_args(argv)
    report = evaluate(args.articles, args.actors, args.incidents, args.gold)
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
