"""Daily prices of the imported lines: bars re-based to the screener's share basis, gaps carried, bridges.

The bar archives are adjusted as of their end (April 2025) for splits *and* cash dividends (AGNC's bar of
2024-05-08 is $8.33 against a $9.54 last sale: eleven monthly $0.12 dividends later), so a bar is the actual
price times a factor that changes with every later split or dividend. The screener gives the actual price and
the share count of one day. Each line's bars are therefore scaled so that the bar of the screener day equals the
screener's price:

* exact anchor (the bars cover the screener day): factor = official previous close (Last Sale - Net Change) /
  bar of the previous session, else Last Sale / the last bar of the five sessions up to the screener day. The
  factor is a split ratio (or a chain of them: serial reverse splits reach 1/10,000) times a dividend factor
  times last-trade noise. One day's price cannot tell a chain of splits from another security under the same
  ticker, so the factor is applied whatever it is; the split ratio it contains (nearest ratio, when the factor is
  more than 30% from 1) is only reported.
* split anchor (the bars end before the screener day, 2025): only a split is recognised, when Last Sale / last
  bar, net of the market's move over the gap, is beyond 2.5 or 1/2.5 (the nearest split ratio is applied); a
  smaller move is more likely a price move than a split, and is left to the bridge.

Volumes: the bars hold one venue's trades (a few percent of the market's). They are multiplied by one factor for
all lines, the median ratio of the screener's volume (every venue) to the line's median bar volume over the 20
sessions up to the screener day, so that dollar-volume thresholds see market-wide volume; the screener may have
been taken before the close, so the factor is a lower bound.

Sessions without a bar between a line's first and last bar (no trade on the bar feed that day) carry the last
close with zero volume. Sessions after the last bar, up to the last session of June, are synthetic: the path goes
through anchors (the last bar, the vendor prices of the ETF holdings files dated in the gap for the lines they
hold, and the screener's Last Sale on the screener day); between two anchors it follows the Russell 1000 ETF's
move plus a straight line in log price that closes the gap, and it stays flat after the screener day.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

SPLIT_RATIOS: tuple[float, ...] = tuple(
    sorted(
        {1.0, 1.5, 2 / 3, 2.5, 0.4}
        | {float(n) for n in (*range(2, 21), 25, 30, 35, 40, 50, 60, 75, 80, 100, 150, 200, 250)}
        | {1 / n for n in (*range(2, 21), 25, 30, 35, 40, 50, 60, 75, 80, 100, 150, 200, 250)}
    )
)
EXACT_TOLERANCE = math.log(1.3)  # a factor this close to 1 is dividends and last-trade noise, not a split
SPLIT_THRESHOLD = math.log(2.5)  # a move net of the market this large over the gap is read as a split
EXACT_WINDOW = 5  # sessions before the screener day whose bar may anchor the line exactly


def nearest_split(ratio: float) -> float:
    return min(SPLIT_RATIOS, key=lambda q: (abs(math.log(ratio / q)), q))


@dataclass(frozen=True)
class BarStats:
    first: date
    last: date
    rows: int
    close_prev: float | None  # bar of the session before the screener day
    anchor_date: date | None  # last bar within EXACT_WINDOW sessions up to the screener day
    anchor_close: float | None
    last_before: date | None  # last bar on or before the screener day
    close_before: float | None


def bar_stats(
    con: duckdb.DuckDBPyConnection, table: str, prev_session: date, window_start: date, day: date
) -> dict[str, BarStats]:
    rows = con.execute(
        f"""
        SELECT ticker, min(date), max(date), count(*),
               max(close) FILTER (WHERE date = ?),
               max(date) FILTER (WHERE date BETWEEN ? AND ?),
               arg_max(close, date) FILTER (WHERE date BETWEEN ? AND ?),
               max(date) FILTER (WHERE date <= ?),
               arg_max(close, date) FILTER (WHERE date <= ?)
        FROM {table} GROUP BY ticker ORDER BY ticker
        """,
        [prev_session, window_start, day, window_start, day, day, day],
    ).fetchall()
    return {r[0]: BarStats(*r[1:]) for r in rows}


@dataclass(frozen=True)
class Rebase:
    scale: float  # multiply the bars' closes by this (volumes divide by it)
    kind: str  # 'exact', 'split' or 'none' (no bar on or before the screener day)
    split: float  # the split ratio read from the factor (1 when none), for the report


def rebase(last_sale: float, net_change: float | None, stats: BarStats, market_move: float = 1.0) -> Rebase:
    """The factor putting a line's bars on the screener's share basis (module docstring)."""
    previous_close = last_sale - net_change if net_change is not None else None
    if stats.close_prev is not None and previous_close is not None and previous_close > 0:
        factor = previous_close / stats.close_prev
    elif stats.anchor_close is not None:
        factor = last_sale / stats.anchor_close
    else:
        base = stats.close_before
        if base is None:
            return Rebase(1.0, "none", 1.0)
        moved = last_sale / base / market_move
        split = nearest_split(moved) if abs(math.log(moved)) >= SPLIT_THRESHOLD else 1.0
        return Rebase(split, "split", split)
    split = nearest_split(factor) if abs(math.log(factor)) > EXACT_TOLERANCE else 1.0
    return Rebase(factor, "exact", split)


def read_factor(path: Path) -> dict[date, float]:
    """Daily closes (``Date,...,Close,...``) of the bridge's market factor; empty when the file is absent."""
    if not path.is_file():
        return {}
    with path.open(newline="") as fh:
        return {
            date.fromisoformat(r["Date"][:10]): float(r["Close"])
            for r in csv.DictReader(fh)
            if r.get("Close") not in (None, "", "null")
        }


def history_start(con: duckdb.DuckDBPyConnection, table: str) -> date:
    """The archive's common first day (the first bar date shared by most tickers): a few files reach back years
    before the rest, and a history that thin would only add reconstitutions of a handful of names."""
    return con.execute(
        f"""
        SELECT first_day FROM (SELECT ticker, min(date) AS first_day FROM {table} GROUP BY ticker)
        GROUP BY first_day ORDER BY count(*) DESC, first_day LIMIT 1
        """
    ).fetchall()[0][0]


# The points a bridged line's synthetic path goes through: its last (re-based) bar, the actual prices of
# ``price_points`` (ETF holdings' vendor prices between the bars' end and the screener day) and the screener's
# Last Sale on the screener day.
ANCHORS_SQL = """
CREATE OR REPLACE TEMP TABLE anchors AS
WITH bridged AS (
    SELECT * FROM price_lines WHERE last_bar < end_date AND last_bar < $screener_date::DATE
),
points AS (
    SELECT l.security_id, l.last_bar AS date, ln(b.close * l.scale) AS ln_p
    FROM bridged AS l
    JOIN bars AS b ON b.ticker = l.bars_ticker AND b.date = l.last_bar
    UNION ALL
    SELECT p.security_id, p.date, ln(p.price)
    FROM price_points AS p
    JOIN bridged AS l USING (security_id)
    WHERE p.date > l.last_bar AND p.date < $screener_date::DATE AND p.price > 0
    UNION ALL
    SELECT security_id, $screener_date::DATE, ln(px) FROM bridged
)
SELECT pt.security_id, pt.date, s.k, avg(pt.ln_p) AS ln_p, any_value(f.ln_f) AS ln_f
FROM points AS pt
JOIN sessions AS s USING (date)
JOIN factor AS f USING (date)
GROUP BY ALL
"""

PRICES_SQL = """
CREATE OR REPLACE TEMP TABLE price_rows AS
WITH grid AS (
    SELECT l.security_id, l.bars_ticker, l.scale, l.volume_factor, l.last_bar, s.date, s.k
    FROM price_lines AS l
    JOIN sessions AS s ON s.date BETWEEN l.first_date AND l.end_date
),
joined AS (
    SELECT g.*, b.close * g.scale AS bar_close, b.volume * g.volume_factor / g.scale AS bar_volume
    FROM grid AS g
    LEFT JOIN bars AS b ON b.ticker = g.bars_ticker AND b.date = g.date
),
filled AS (
    SELECT *, last_value(bar_close IGNORE NULLS) OVER (
        PARTITION BY security_id ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS carried
    FROM joined
),
synthetic AS (
    -- between two anchors: the market factor's move plus a straight line in log price that closes the gap;
    -- after the last anchor (the screener day): flat
    SELECT
        t.security_id,
        t.date,
        CASE
            WHEN a1.k IS NULL OR a1.k = a0.k THEN exp(a0.ln_p)
            ELSE exp(a0.ln_p + (fa.ln_f - a0.ln_f)
                     + (t.k - a0.k) / (a1.k - a0.k) * (a1.ln_p - a0.ln_p - (a1.ln_f - a0.ln_f)))
        END AS close
    FROM (SELECT security_id, date, k FROM filled WHERE date > last_bar) AS t
    JOIN factor AS fa ON fa.date = t.date
    ASOF JOIN anchors AS a0 ON a0.security_id = t.security_id AND t.date >= a0.date
    ASOF LEFT JOIN anchors AS a1 ON a1.security_id = t.security_id AND t.date <= a1.date
),
priced AS (
    SELECT
        f.*,
        CASE
            WHEN f.bar_close IS NOT NULL THEN f.bar_close
            WHEN f.date <= f.last_bar THEN f.carried
            ELSE sy.close
        END AS raw_close
    FROM filled AS f
    LEFT JOIN synthetic AS sy USING (security_id, date)
)
SELECT
    security_id,
    date,
    -- six significant digits: a re-based close carries the factor's noise digits, which only cost space
    greatest(round(raw_close, (6 - ceil(log10(raw_close)))::INTEGER), 1e-6) AS close,
    CASE WHEN bar_close IS NOT NULL THEN round(bar_volume)::BIGINT ELSE 0 END AS volume,
    CASE WHEN bar_close IS NOT NULL THEN 'bar' WHEN date <= last_bar THEN 'carried' ELSE 'synthetic' END AS origin
FROM priced
"""


def build_price_rows(con: duckdb.DuckDBPyConnection, screener_date: date) -> None:
    """``price_rows(security_id, date, close, volume, origin)`` from the temp tables ``bars(ticker, date, close,
    volume)``, ``sessions(date, k)`` (k = session number), ``factor(date, ln_f)`` (log of the bridge's market
    factor, 0 without one), ``price_lines(security_id, bars_ticker, scale, volume_factor, first_date, last_bar,
    end_date, px)`` and ``price_points(security_id, date, price)`` (may be empty): one row per line and session
    from ``first_date`` to ``end_date``."""
    con.execute(ANCHORS_SQL, {"screener_date": screener_date})
    con.execute(PRICES_SQL)


def volume_factor(con: duckdb.DuckDBPyConnection, table: str, screener: str, day: date) -> float:
    """The median ratio of the screener's volume to each line's median bar volume over the 20 sessions up to
    ``day`` (module docstring); 1 when no line has both."""
    value = con.execute(
        f"""
        WITH recent AS (
            SELECT ticker, volume FROM {table} WHERE date <= ?
            QUALIFY row_number() OVER (PARTITION BY ticker ORDER BY date DESC) <= 20
        ),
        typical AS (SELECT ticker, median(volume) AS volume FROM recent GROUP BY ticker)
        SELECT median(s.volume / t.volume) FROM {screener} AS s JOIN typical AS t USING (ticker)
        WHERE s.volume > 0 AND t.volume > 0
        """,
        [day],
    ).fetchall()[0][0]
    return float(value) if value else 1.0
