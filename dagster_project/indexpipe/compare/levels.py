"""Index levels against a published daily series (a Yahoo-style CSV: ``Date`` and ``Close``, optionally
``Adj Close``).

The two are compared on the trading days both have inside the window: the correlation of daily returns, the
tracking error (standard deviation of the daily return difference, times the square root of 252) and the
returns of each month and quarter and of the whole window side by side. The published series decides which
engine series is the right twin: a price index (^RUT) against ``price_level``, a total-return or
dividend-adjusted series against ``total_return_level``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from indexpipe.ingest.files import sql_string


@dataclass(frozen=True)
class PeriodReturn:
    period: str  # '2024-07', '2024Q3', or 'window'
    engine: float
    published: float


@dataclass(frozen=True)
class LevelComparison:
    index_code: str
    series: str  # price or total return
    source: str
    first_day: date
    last_day: date
    days: int
    correlation: float
    tracking_error: float  # annualised
    periods: tuple[PeriodReturn, ...]


def compare_levels(
    db: Path,
    published_csv: Path,
    index_code: str,
    start: date | None = None,
    end: date | None = None,
    *,
    total_return: bool = False,
) -> LevelComparison:
    column = "Adj Close" if total_return else "Close"
    engine_column = "total_return_level" if total_return else "price_level"
    with duckdb.connect(str(db), read_only=True) as con:
        header = con.execute(
            f"describe select * from read_csv({sql_string(str(published_csv))}, header = true)"
        )
        columns = {r[0] for r in header.fetchall()}
        if "Date" not in columns or column not in columns:
            raise ValueError(
                f"{published_csv}: needs the columns Date and {column!r} (has {', '.join(sorted(columns))})"
            )
        rows = con.execute(
            f"""
            with published as (
                select cast("Date" as date) as day, cast({_ident(column)} as double) as level
                from read_csv({sql_string(str(published_csv))}, header = true, all_varchar = true)
                where try_cast({_ident(column)} as double) > 0
            ),
            engine as (
                select date as day, {engine_column} as level from main.fct_index_levels where index_code = ?
            ),
            joined as (
                select day, e.level as engine, p.level as published
                from engine as e join published as p using (day)
                where (?::date is null or day >= ?::date) and (?::date is null or day <= ?::date)
            )
            select day, engine, published from joined order by day
            """,
            [index_code, start, start, end, end],
        ).fetchall()
    if len(rows) < 3:
        raise ValueError(f"fewer than 3 common trading days between {index_code} and {published_csv}")
    days = [r[0] for r in rows]
    engine = [r[1] for r in rows]
    published = [r[2] for r in rows]
    e_ret = [engine[i] / engine[i - 1] - 1 for i in range(1, len(rows))]
    p_ret = [published[i] / published[i - 1] - 1 for i in range(1, len(rows))]
    diff = [a - b for a, b in zip(e_ret, p_ret, strict=True)]
    return LevelComparison(
        index_code=index_code,
        series="total return" if total_return else "price",
        source=Path(published_csv).name,
        first_day=days[0],
        last_day=days[-1],
        days=len(rows),
        correlation=_correlation(e_ret, p_ret),
        tracking_error=_stdev(diff) * math.sqrt(252),
        periods=tuple(_periods(days, engine, published)),
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stdev(xs: list[float]) -> float:
    mean = sum(xs) / len(xs)
    return math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))


def _correlation(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    spread = math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))
    return cov / spread if spread > 0 else float("nan")  # a flat series has no correlation


def _periods(days: list[date], engine: list[float], published: list[float]) -> list[PeriodReturn]:
    """Month and quarter returns from the last common day before the period to its last common day; the first
    period starts at the window's first day."""
    out = []
    for label in (lambda d: f"{d.year}-{d.month:02d}", lambda d: f"{d.year}Q{(d.month - 1) // 3 + 1}"):
        start = 0
        for i in range(1, len(days) + 1):
            if i == len(days) or label(days[i]) != label(days[i - 1]):
                end = i - 1
                if end > start:
                    out.append(
                        PeriodReturn(
                            label(days[end]),
                            engine[end] / engine[start] - 1,
                            published[end] / published[start] - 1,
                        )  # fmt: skip
                    )
                start = end
    out.append(PeriodReturn("window", engine[-1] / engine[0] - 1, published[-1] / published[0] - 1))
    return out
