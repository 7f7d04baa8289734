"""A monthly bar chart, laid out on the server as SVG geometry: no script draws it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 720
HEIGHT = 120
AXIS = 18  # room under the bars for year labels


@dataclass(frozen=True)
class Bar:
    month: str  # YYYY-MM
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    label: str
    x: float


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    total: int
    peak: int
    first: str
    last: str


def _months(first: str, last: str) -> list[str]:
    """Every YYYY-MM from `first` to `last`, so empty months show as gaps, not as nothing."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly(counts: Sequence[tuple[str, int]], max_months: int = 600) -> Timeline | None:
    """Bars for (YYYY-MM, count) pairs; None when there is nothing to draw."""
    valid = sorted((m, c) for m, c in counts if m and len(m) >= 7 and c > 0)
    if not valid:
        return None
    by_month = dict(valid)
    months = _months(valid[0][0], valid[-1][0])[-max_months:]
    peak = max(by_month.get(m, 0) for m in months) or 1
    step = WIDTH / len(months)
    gap = 1.0 if step > 3 else 0.0
    plot = HEIGHT - AXIS
    bars = []
    for i, month in enumerate(months):
        count = by_month.get(month, 0)
        if not count:
            continue
        height = max(1.0, plot * count / peak)
        bars.append(
            Bar(
                month,
                count,
                round(i * step, 2),
                round(plot - height, 2),
                round(step - gap, 2),
                round(height, 2),
            )
        )
    years = sorted({m[:4] for m in months})
    every = max(1, len(years) // 8)  # at most ~8 labels, whatever the span
    ticks = [
        Tick(year, round(months.index(f"{year}-01") * step if f"{year}-01" in months else 0, 2))
        for year in years[::every]
    ]
    return Timeline(
        bars,
        ticks,
        WIDTH,
        HEIGHT,
        sum(by_month.get(m, 0) for m in months),
        peak,
        months[0],
        months[-1],
    )


def month_label(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")
