"""python -m bench.scaling: the API benchmark at 10k, 100k and 1M incidents, table and plot.

Corpora are generated into --workdir (kept, and reused when already there with the same size
and seed). Writes bench/results/scaling.json, scaling.md and scaling.png.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench import api
from bench.generate import generate

RESULTS = Path(__file__).parent / "results"


def corpus(workdir: Path, incidents: int, seed: int, log: Any) -> str:
    path = workdir / f"incidents_{incidents}_seed{seed}.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        log(generate(url, incidents, seed).summary())
    return url


def markdown(results: list[api.Result]) -> str:
    names = [(r.name, r.label) for r in results[0].rows]
    scales = [r.incidents for r in results]
    head = "| query | " + " | ".join(f"{s:,} p50 / p99 ms" for s in scales) + " |"
    lines = [head, "|---|" + "---|" * len(scales)]
    for name, label in names:
        cells = []
        for r in results:
            row = next(x for x in r.rows if x.name == name)
            cells.append(f"{row.ours.p50_ms:.1f} / {row.ours.p99_ms:.1f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results: list[api.Result], out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [r.incidents for r in results]
    fig, (ax50, ax99) = plt.subplots(1, 2, figsize=(12, 5), sharex=True)
    for row in results[0].rows:
        p50 = [next(x for x in r.rows if x.name == row.name).ours.p50_ms for r in results]
        p99 = [next(x for x in r.rows if x.name == row.name).ours.p99_ms for r in results]
        ax50.plot(scales, p50, marker="o", label=row.label)
        ax99.plot(scales, p99, marker="o", label=row.label)
    for ax, what in ((ax50, "p50"), (ax99, "p99")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("incidents in the database")
        ax.set_ylabel(f"{what} latency (ms)")
        ax.set_title(f"{what} latency")
        ax.grid(True, which="both", alpha=0.3)
    ax99.axhline(50, color="red", linestyle="--", linewidth=1, label="target p99 50 ms")
    ax99.legend(fontsize=8, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument(
        "--scales", default="10000,100000,1000000", help="Comma-separated corpus sizes."
    )
    parser.add_argument("--workdir", type=Path, required=True, help="Where corpora are kept.")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS, help="Results folder.")
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for incidents in (int(s) for s in args.scales.split(",")):
        url = corpus(args.workdir, incidents, args.seed, log)
        result = api.run(url, args.requests, args.warmup, 1000, True, log)
        print(api.table(result), flush=True)
        print(flush=True)
        results.append(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaling.json").write_text(
        json.dumps([r.to_json() for r in results], indent=2) + "\n"
    )
    table = markdown(results)
    (args.out / "scaling.md").write_text(table + "\n")
    plot(results, args.out / "scaling.png", "incidentdb on SQLite: latency against scale")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
