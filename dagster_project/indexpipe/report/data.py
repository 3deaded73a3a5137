"""Every figure of the chartbook, read from the marts of a built warehouse (read-only DuckDB).

Nothing here re-derives an index rule: returns, weights, contributions, IPO additions and characteristics are
the marts' own. The report only selects, rebases (growth of 1,000 from the window start), compounds quarters (12
months, year to date) and links quarterly contributions into a year-to-date figure the same way the mart links
days (see ``_year_to_date``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import duckdb

from indexpipe.report.quarters import Quarter

# Exhibits 1-3: the chartbook's market-cap indexes, in its order.
MARKET_CAP_INDEXES = ("R3000", "RTOP200", "R1000", "RMID", "R2000", "RMICRO")
# Exhibit 4, in the chartbook's order.
STYLE_INDEXES = ("R1000G", "R2000G", "R1000V", "R2000V", "R1000DEF", "R2000DEF", "R1000DYN", "R2000DYN")
STYLE_BOX_SEGMENTS = ("large", "mid", "small")
STYLE_BOX_STYLES = ("value", "core", "growth")
HISTORY_YEARS = 10
STYLE_BOX_YEARS = 4
CHARACTERISTIC_QUARTERS = 4

# Exhibit 12 in the chartbook's order: (group, label, metric of fct_index_characteristics, factor to print).
# Ratios of decimals print as percentages (x 100); valuation ratios and debt/equity as they are.
CHARACTERISTICS: tuple[tuple[str, str, str, float], ...] = (
    ("Growth", "Sales per Share Growth (5 Yr)", "sales_per_share_growth_5y", 100.0),
    ("Growth", "Long Term Forecasted Growth (I/B/E/S Median)", "long_term_growth", 100.0),
    ("Quality", "EPS Variability (10 Yr)", "eps_variability_10y", 100.0),
    ("Quality", "ROA (5 Yr Avg)", "roa_5y_average", 100.0),
    ("Quality", "Debt/Equity", "debt_to_equity", 1.0),
    ("Quality", "Dividend Yield", "dividend_yield", 100.0),
    ("Valuation", "P/E (I/B/E/S 1 Yr) Forecasted", "pe_forecast", 1.0),
    ("Valuation", "Price/Book", "price_to_book", 1.0),
    ("Valuation", "Price/Cash Flow", "price_to_cash_flow", 1.0),
    ("Risk—Standard Deviation (%)", "1 Yr", "return_std_dev_1y", 100.0),
    ("Risk—Standard Deviation (%)", "3 Yr", "return_std_dev_3y", 100.0),
    ("Risk—Standard Deviation (%)", "5 Yr", "return_std_dev_5y", 100.0),
)


class ReportError(Exception):
    """The warehouse cannot give this report (unknown index, quarter outside the data): one line for the user."""


@dataclass(frozen=True)
class IpoAddition:
    industry: str
    name: str
    ticker: str
    total_market_cap: float
    security_id: str


@dataclass(frozen=True)
class QuarterCharacteristics:
    quarter: Quarter
    as_of: date | None  # the quarter's last session; None when it is before the data
    values: dict[str, dict[str, float]]  # index code -> metric -> value


@dataclass
class Chartbook:
    index_code: str
    comparison_code: str  # the index the characteristics are set against (Russell 1000, or R2000 for it)
    quarter: Quarter
    as_of: date
    names: dict[str, str]  # index code -> "Russell 2000 Index"
    market_cap_codes: tuple[str, ...]
    style_codes: tuple[str, ...]
    quarters: tuple[Quarter, ...]  # this quarter and the three before, newest first
    annual_returns: dict[int, dict[str, float]] = field(default_factory=dict)  # year -> index -> total return
    growth_start: date | None = None
    growth_full_window: bool = False  # the data reaches back the whole ten years
    growth: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    quarter_returns: dict[str, list[float | None]] = field(default_factory=dict)  # index -> newest first
    twelve_months: dict[str, float | None] = field(default_factory=dict)
    style_box: dict[int, dict[tuple[str, str], float]] = field(default_factory=dict)  # year -> (size, style)
    ipos: list[IpoAddition] = field(default_factory=list)
    industry_weights: dict[str, list[float | None]] = field(default_factory=dict)  # industry -> newest first
    industry_returns: dict[str, float] = field(default_factory=dict)
    index_quarter_return: float | None = None
    contribution_start: Quarter | None = None  # the first quarter the year-to-date figures include
    contributions_ytd: dict[str, float] = field(default_factory=dict)
    industry_returns_ytd: dict[str, float] = field(default_factory=dict)
    index_ytd_return: float | None = None
    weight_history_dates: list[date] = field(default_factory=list)
    weight_history: dict[str, list[float]] = field(default_factory=dict)
    characteristics: list[QuarterCharacteristics] = field(default_factory=list)

    @property
    def index_name(self) -> str:
        return self.names[self.index_code]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[tuple]:
    # fetchall, never fetchone: DuckDB 2 keeps a half-read result open on the connection
    return con.execute(sql, params or []).fetchall()


def default_quarter(con: duckdb.DuckDBPyConnection, index_code: str) -> Quarter:
    """The last quarter whose return is complete (its last session has a level)."""
    rows = _rows(
        con,
        "select max(period_end) from main.fct_index_period_returns "
        "where index_code = ? and period_type = 'quarter' and is_complete",
        [index_code],
    )
    if not rows or rows[0][0] is None:
        raise ReportError(f"the warehouse has no complete quarter of {index_code}")
    return Quarter.of(rows[0][0])


def _check_index(con: duckdb.DuckDBPyConnection, index_code: str) -> None:
    families = dict(_rows(con, "select index_code, family from main.dim_index"))
    if index_code not in families:
        sizes = sorted(code for code, family in families.items() if family == "size")
        raise ReportError(
            f"unknown index {index_code!r}; the chartbook is for a size index: {', '.join(sizes)}"
        )
    if families[index_code] != "size":
        raise ReportError(
            f"{index_code} is a {families[index_code]} index; the chartbook is for size indexes"
        )


def _quarter_end(con: duckdb.DuckDBPyConnection, index_code: str, quarter: Quarter) -> date:
    rows = _rows(
        con,
        "select period_end, is_complete from main.fct_index_period_returns "
        "where index_code = ? and period_type = 'quarter' and date_trunc('quarter', period_end) = ?",
        [index_code, quarter.first_day],
    )
    if not rows or not rows[0][1]:
        span = _rows(
            con,
            "select min(period_end), max(period_end) filter (where is_complete) from main.fct_index_period_returns "
            "where index_code = ? and period_type = 'quarter'",
            [index_code],
        )[0]
        first, last = (Quarter.of(d).code if d else "none" for d in span)
        state = "is not complete" if rows else "has no return"
        raise ReportError(
            f"{quarter.code} {state} in the warehouse; complete quarters of {index_code}: {first} to {last}"
        )
    return rows[0][0]


def _quarter_end_sessions(
    con: duckdb.DuckDBPyConnection, quarters: tuple[Quarter, ...]
) -> dict[Quarter, date]:
    rows = _rows(
        con,
        "select date_trunc('quarter', session_date)::date, max(session_date) from staging.stg_xnys_sessions "
        "where date_trunc('quarter', session_date) in (select unnest(?::date[])) group by all",
        [[q.first_day for q in quarters]],
    )
    return {Quarter.of(first): last for first, last in rows}


def load(con: duckdb.DuckDBPyConnection, index_code: str, quarter: Quarter | None = None) -> Chartbook:
    _check_index(con, index_code)
    quarter = quarter or default_quarter(con, index_code)
    as_of = _quarter_end(con, index_code, quarter)
    comparison = "R2000" if index_code == "R1000" else "R1000"
    market_cap = MARKET_CAP_INDEXES if index_code in MARKET_CAP_INDEXES else (*MARKET_CAP_INDEXES, index_code)
    names = {
        code: f"{name} Index"
        for code, name in _rows(con, "select index_code, index_name from main.dim_index")
    }
    book = Chartbook(
        index_code=index_code,
        comparison_code=comparison,
        quarter=quarter,
        as_of=as_of,
        names=names,
        market_cap_codes=market_cap,
        style_codes=STYLE_INDEXES,
        quarters=tuple(quarter.minus(k) for k in range(4)),
    )
    _annual_returns(con, book)
    _growth(con, book)
    _quarter_returns(con, book)
    _style_box(con, book)
    _ipos(con, book)
    _industry_weights(con, book)
    _industry_returns(con, book)
    _year_to_date(con, book)
    _weight_history(con, book)
    _characteristics(con, book)
    return book


def _annual_returns(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    rows = _rows(
        con,
        "select year(period_end), index_code, total_return from main.fct_index_period_returns "
        "where period_type = 'year' and is_complete and period_end <= ? and index_code in (select unnest(?)) "
        "order by all",
        [book.as_of, list(book.market_cap_codes)],
    )
    years = sorted({year for year, _, _ in rows})[-HISTORY_YEARS:]
    for year, code, value in rows:
        if year in years:
            book.annual_returns.setdefault(year, {})[code] = value


def _growth(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    """Total-return levels at month ends, rebased to 1,000 at the window start: the quarter end ten years back, or
    the index's first level when the data starts later."""
    target = book.quarter.minus(4 * HISTORY_YEARS)
    target_end = target.minus(-1).first_day  # the day after that quarter ends
    rows = _rows(
        con,
        """
        with levels as (
            select index_code, date, total_return_level
            from main.fct_index_levels
            where index_code in (select unnest($codes)) and date <= $as_of
        ),
        starts as (
            select
                index_code,
                coalesce(max(date) filter (where date < $target_end), min(date)) as start_date,
                bool_or(date < $target_end) as full_window
            from levels
            group by all
        ),
        month_ends as (
            select index_code, max(date) as date from levels group by index_code, date_trunc('month', date)
        ),
        points as (
            select s.index_code, s.start_date as date from starts as s
            union
            select m.index_code, m.date from month_ends as m join starts as s using (index_code)
            where m.date > s.start_date
        )
        select p.index_code, p.date, 1000 * l.total_return_level / b.total_return_level, s.start_date, s.full_window
        from points as p
        join starts as s using (index_code)
        join levels as l on l.index_code = p.index_code and l.date = p.date
        join levels as b on b.index_code = s.index_code and b.date = s.start_date
        order by p.index_code, p.date
        """,
        {"codes": list(book.market_cap_codes), "as_of": book.as_of, "target_end": target_end},
    )
    for code, day, value, start, _ in rows:
        book.growth.setdefault(code, []).append((day, value))
        book.growth_start = start if book.growth_start is None else min(book.growth_start, start)
    book.growth_full_window = bool(rows) and all(row[4] for row in rows)


def _quarter_returns(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    codes = list(dict.fromkeys((*book.market_cap_codes, *book.style_codes)))
    rows = _rows(
        con,
        "select index_code, date_trunc('quarter', period_end)::date, total_return "
        "from main.fct_index_period_returns "
        "where period_type = 'quarter' and is_complete and index_code in (select unnest(?)) "
        "and period_end <= ? and period_end >= ?",
        [codes, book.as_of, book.quarters[-1].first_day],
    )
    found = {(code, Quarter.of(first)): value for code, first, value in rows}
    for code in codes:
        values = [found.get((code, q)) for q in book.quarters]
        book.quarter_returns[code] = values
        # 12 months = the four quarters compounded (each quarter chains the levels, so this is the level ratio)
        book.twelve_months[code] = (
            math.prod(1 + v for v in values) - 1 if all(v is not None for v in values) else None
        )


def _style_box(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    rows = _rows(
        con,
        "select year(period_end), size_segment, style, total_return from main.fct_style_box_returns "
        "where period_type = 'year' and is_complete and period_end <= ? order by all",
        [book.as_of],
    )
    years = sorted({year for year, *_ in rows})[-STYLE_BOX_YEARS:]
    for year, segment, style, value in rows:
        if year in years:
            book.style_box.setdefault(year, {})[(segment, style)] = value


def _ipos(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    rows = _rows(
        con,
        "select coalesce(a.icb_industry, 'Unclassified'), s.name, s.ticker, a.total_market_cap, a.security_id "
        "from main.fct_ipo_additions as a join main.dim_security as s using (security_id) "
        "where a.index_code = ? and a.effective_date >= ? and a.effective_date <= ? "
        "order by 1, 2, a.security_id",
        [book.index_code, book.quarter.first_day, book.as_of],
    )
    book.ipos = [IpoAddition(*row) for row in rows]


def _industry_weights(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    ends = _quarter_end_sessions(con, book.quarters)
    rows = _rows(
        con,
        "select icb_industry, as_of_date, weight from main.fct_industry_weights "
        "where index_code = ? and as_of_date in (select unnest(?::date[]))",
        [book.index_code, list(ends.values())],
    )
    found = {(industry, day): weight for industry, day, weight in rows}
    for industry in sorted({industry for industry, _, _ in rows}):
        book.industry_weights[industry] = [found.get((industry, ends.get(q))) for q in book.quarters]


def _industry_returns(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    rows = _rows(
        con,
        "select icb_industry, industry_return, index_total_return from main.fct_industry_contribution "
        "where index_code = ? and period_type = 'quarter' and period_end = ? order by icb_industry",
        [book.index_code, book.as_of],
    )
    book.industry_returns = {industry: value for industry, value, _ in rows}
    book.index_quarter_return = rows[0][2] if rows else None


def _year_to_date(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    """Year-to-date contributions from the mart's quarterly ones. The mart scales each day's contribution by the
    index's growth since the period began (project decision 9), so a quarter's contribution times the index's
    growth from 1 January to that quarter's start is the same sum over the year: YTD_i = sum over quarters q of
    c_q,i x prod over earlier quarters p of (1 + R_p). Industry returns compound their quarters."""
    rows = _rows(
        con,
        "select date_trunc('quarter', c.period_end)::date, c.icb_industry, c.contribution, c.industry_return, "
        "c.index_total_return "
        "from main.fct_industry_contribution as c "
        "where c.index_code = ? and c.period_type = 'quarter' and c.period_end >= ? and c.period_end <= ? "
        "order by 1, 2",
        [book.index_code, date(book.quarter.year, 1, 1), book.as_of],
    )
    by_quarter: dict[date, list[tuple[str, float, float]]] = defaultdict(list)
    index_returns: dict[date, float] = {}
    for first, industry, contribution, industry_return, index_return in rows:
        by_quarter[first].append((industry, contribution, industry_return))
        index_returns[first] = index_return
    growth = 1.0
    contributions: dict[str, float] = defaultdict(float)
    compounded: dict[str, float] = defaultdict(lambda: 1.0)
    for first in sorted(by_quarter):
        for industry, contribution, industry_return in by_quarter[first]:
            contributions[industry] += contribution * growth
            compounded[industry] *= 1 + industry_return
        growth *= 1 + index_returns[first]
    if by_quarter:
        book.contribution_start = Quarter.of(min(by_quarter))
        book.contributions_ytd = dict(sorted(contributions.items()))
        book.industry_returns_ytd = {industry: value - 1 for industry, value in sorted(compounded.items())}
        book.index_ytd_return = growth - 1


def _weight_history(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    start = book.growth_start or book.as_of
    rows = _rows(
        con,
        "select as_of_date, icb_industry, weight from main.fct_industry_weights "
        "where index_code = ? and as_of_date >= ? and as_of_date <= ? order by as_of_date, icb_industry",
        [book.index_code, start, book.as_of],
    )
    book.weight_history_dates = sorted({day for day, _, _ in rows})
    position = {day: n for n, day in enumerate(book.weight_history_dates)}
    for day, industry, weight in rows:
        series = book.weight_history.setdefault(industry, [0.0] * len(position))
        series[position[day]] = weight


def _characteristics(con: duckdb.DuckDBPyConnection, book: Chartbook) -> None:
    ends = _quarter_end_sessions(con, book.quarters)
    rows = _rows(
        con,
        "select as_of_date, index_code, metric, value from main.fct_index_characteristics "
        "where index_code in (?, ?) and as_of_date in (select unnest(?::date[]))",
        [book.index_code, book.comparison_code, list(ends.values())],
    )
    values: dict[date, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for day, code, metric, value in rows:
        values[day][code][metric] = value
    for q in book.quarters:
        day = ends.get(q)
        found = values.get(day, {}) if day else {}
        book.characteristics.append(
            QuarterCharacteristics(q, day if found else None, {code: dict(m) for code, m in found.items()})
        )
