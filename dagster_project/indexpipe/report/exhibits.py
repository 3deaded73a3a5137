"""The chartbook's exhibits, in its order and with its titles, as tables of printed cells and chart <div>s."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from indexpipe.report import charts
from indexpipe.report.data import (
    CHARACTERISTICS,
    HISTORY_YEARS,
    STYLE_BOX_SEGMENTS,
    STYLE_BOX_STYLES,
    Chartbook,
    QuarterCharacteristics,
)
from indexpipe.report.formats import billions, long_date, number, percent


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    kind: str = "data"  # data, group (a heading row spanning the table) or total


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    header_groups: tuple[tuple[str, int], ...] = ()  # (label, columns spanned) above the header
    text_columns: int = 1  # leading columns of words, aligned left; numbers align right


@dataclass
class Exhibit:
    number: str
    title: str
    subtitle: str
    chart: str | None = None  # a plotly <div>
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None  # why there is nothing to show (e.g. no IPO in the quarter)

    @property
    def anchor(self) -> str:
        return f"exhibit-{self.number}"


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    exhibits: tuple[Exhibit, ...]


@dataclass(frozen=True)
class NotProduced:
    number: str
    title: str
    reason: str


# Exhibits the input contract cannot feed.
NOT_PRODUCED = (
    NotProduced(
        "10b",
        "Sector history: RGS historical monthly weightings (%)",
        "Russell Global Sectors (RGS), the classification the chartbook's history before June 2020 uses, is not in "
        "the input contract: companies carry ICB classifications only (Exhibit 10a shows the ICB history).",
    ),
    NotProduced(
        "11",
        "Implied volatility: CBOE Russell 2000 Volatility Index (RVX)",
        "RVX is computed by Cboe from Russell 2000 option prices; the input contract has no option prices, so "
        "implied volatility cannot be derived (Exhibit 12 shows the realised standard deviation of returns).",
    ),
)


def _codes_table(book: Chartbook, caption: str, codes: tuple[str, ...]) -> Table:
    header = ("", *(q.label for q in book.quarters), "12 months")
    rows = tuple(
        Row(
            (
                book.names[code],
                *(percent(v) for v in book.quarter_returns[code]),
                percent(book.twelve_months[code]),
            )
        )
        for code in codes
    )
    return Table(caption, header, rows)


def _annual(book: Chartbook, number: str, years: list[int]) -> Exhibit:
    exhibit = Exhibit(number, "Market cap performance", "Annual return (%)")
    if not years:
        exhibit.empty = "No complete calendar year of returns in the data for these years."
        return exhibit
    series = [
        (book.names[code], [_scaled(book.annual_returns[y].get(code)) for y in years])
        for code in book.market_cap_codes
    ]
    exhibit.chart = charts.grouped_bars(
        f"chart-{number}", [str(y) for y in years], series, "Total return (%)"
    )
    exhibit.tables.append(
        Table(
            "Annual total return (%)",
            ("", *(str(y) for y in years)),
            tuple(
                Row((book.names[code], *(percent(book.annual_returns[y].get(code)) for y in years)))
                for code in book.market_cap_codes
            ),
        )
    )
    return exhibit


def _scaled(value: float | None, factor: float = 100.0) -> float | None:
    return None if value is None else factor * value


def _growth(book: Chartbook) -> Exhibit:
    if not book.growth or book.growth_start is None:
        return Exhibit(
            "2", "Performance: Growth of a unit", "Total return (growth of 1,000)", empty="No levels."
        )
    window = f"{HISTORY_YEARS} years" if book.growth_full_window else f"since {long_date(book.growth_start)}"
    exhibit = Exhibit("2", "Performance: Growth of a unit", f"Total return (growth of 1,000) {window}")
    series = [
        (book.names[code], [d for d, _ in book.growth[code]], [v for _, v in book.growth[code]])
        for code in book.market_cap_codes
        if code in book.growth
    ]
    exhibit.chart = charts.lines("chart-2", series, "Growth of 1,000")
    exhibit.tables.append(
        Table(
            f"Value on {long_date(book.as_of)} of 1,000 invested on {long_date(book.growth_start)}",
            ("", "Growth of 1,000"),
            tuple(Row((name, f"{values[-1]:,.0f}")) for name, _, values in series),
        )
    )
    exhibit.notes.append(
        f"Rebased to 1,000 at the close of {long_date(book.growth_start)}: the quarter end ten years back, or the "
        "first level in the data when it starts later. Month-end points."
    )
    return exhibit


def _style_box(book: Chartbook) -> Exhibit:
    exhibit = Exhibit("5", "Style box performance", "Total return (%)")
    years = sorted(book.style_box, reverse=True)
    if not years:
        exhibit.empty = "No complete calendar year of style returns in the data."
        return exhibit
    rows: list[Row] = []
    for year in years:
        rows.append(Row((str(year),), "group"))
        for segment in STYLE_BOX_SEGMENTS:
            cells = (percent(book.style_box[year].get((segment, style)), 2) for style in STYLE_BOX_STYLES)
            rows.append(Row((segment.capitalize(), *cells)))
    exhibit.tables.append(Table("", ("", "Value", "Core", "Growth"), tuple(rows)))
    exhibit.notes.append(
        "Large: Russell 1000 family; Mid: Russell Midcap family; Small: Russell 2000 family."
    )
    return exhibit


def _ipo_exhibits(book: Chartbook) -> tuple[Exhibit, Exhibit]:
    title = f"{book.quarter.ordinal} quarter IPOs"
    by_industry = Exhibit("6a", title, "Quarter end")
    detail = Exhibit("6b", title, "Quarter end")
    if not book.ipos:
        message = f"No IPO joined the {book.index_name} in {book.quarter.label}."
        by_industry.empty = detail.empty = message
        return by_industry, detail
    counts = Counter(ipo.industry for ipo in book.ipos)
    caps: dict[str, float] = defaultdict(float)
    for ipo in book.ipos:
        caps[ipo.industry] += ipo.total_market_cap
    rows = [Row((industry, str(counts[industry]), billions(caps[industry]))) for industry in sorted(counts)]
    rows.append(Row(("Total", str(len(book.ipos)), billions(sum(caps.values()))), "total"))
    by_industry.tables.append(
        Table(
            f"{book.index_name} IPOs by Industry",
            ("Industry", "Number of IPOs", "Total market cap ($B)"),
            tuple(rows),
        )
    )
    detail_rows = []
    previous = None
    for ipo in book.ipos:
        # the industry printed once per group, as in the chartbook
        detail_rows.append(
            Row(
                (
                    ipo.industry if ipo.industry != previous else "",
                    ipo.name,
                    ipo.ticker,
                    billions(ipo.total_market_cap),
                )
            )
        )
        previous = ipo.industry
    detail.tables.append(
        Table(
            f"{book.index_name} IPOs company detail",
            ("Industry", "Company name", "Ticker", "Total market cap ($B)"),
            tuple(detail_rows),
            text_columns=3,
        )
    )
    note = "IPOs added at the quarter's IPO review or by fast entry (fct_ipo_additions); total market cap as placed."
    by_industry.notes.append(note)
    detail.notes.append(note)
    return by_industry, detail


def _by_current(values: dict[str, float]) -> list[str]:
    return sorted(values, key=lambda industry: (-values[industry], industry))


def _industry_weights(book: Chartbook) -> Exhibit:
    exhibit = Exhibit("7", "Quarterly industry weightings", "Quarter end (%)")
    if not book.industry_weights:
        exhibit.empty = "No industry weights at these quarter ends."
        return exhibit
    current = {industry: weights[0] or 0.0 for industry, weights in book.industry_weights.items()}
    order = _by_current(current)
    series = [
        (q.label, [_scaled(book.industry_weights[industry][n]) for industry in order])
        for n, q in enumerate(book.quarters)
    ]
    exhibit.chart = charts.horizontal_bars("chart-7", order, series, "Weight (%)")
    exhibit.tables.append(
        Table(
            "",
            ("", *(q.label for q in book.quarters)),
            tuple(
                Row((industry, *(percent(w) for w in book.industry_weights[industry]))) for industry in order
            ),
        )
    )
    return exhibit


def _industry_returns(book: Chartbook) -> Exhibit:
    exhibit = Exhibit("8", "Quarterly industry performance review", "Total return (%)")
    if not book.industry_returns:
        exhibit.empty = "No industry returns for the quarter."
        return exhibit
    order = _by_current(book.industry_returns)
    exhibit.chart = charts.horizontal_bars(
        "chart-8",
        order,
        [(book.quarter.label, [_scaled(book.industry_returns[i]) for i in order])],
        "Total return (%)",
    )
    rows = [Row((industry, percent(book.industry_returns[industry]))) for industry in order]
    rows.append(Row((book.index_name, percent(book.index_quarter_return)), "total"))
    exhibit.tables.append(Table("", ("", book.quarter.label), tuple(rows)))
    return exhibit


def _contributions(book: Chartbook) -> Exhibit:
    exhibit = Exhibit("9", "Industry contribution to return", "Year to date (%)")
    if not book.contributions_ytd:
        exhibit.empty = "No industry contributions for the year to date."
        return exhibit
    order = _by_current(book.contributions_ytd)
    exhibit.chart = charts.horizontal_bars(
        "chart-9",
        order,
        [("Contribution", [_scaled(book.contributions_ytd[i]) for i in order])],
        "Contribution (%)",
    )
    rows = [
        Row(
            (
                industry,
                percent(book.contributions_ytd[industry], 2),
                percent(book.industry_returns_ytd[industry]),
            )
        )
        for industry in order
    ]
    rows.append(
        Row((book.index_name, percent(book.index_ytd_return, 2), percent(book.index_ytd_return)), "total")
    )
    exhibit.tables.append(Table("", ("", "Contribution (%)", "Industry return (%)"), tuple(rows)))
    start = book.contribution_start
    since = f" (from {start.label}, the first quarter in the data)" if start and start.number != 1 else ""
    exhibit.notes.append(
        f"Year to date {book.quarter.year}{since}: each day's beginning weight x return, linked geometrically so "
        "the industries add up to the index's total return. Contributions print with two decimals so they add up."
    )
    return exhibit


def _weight_history(book: Chartbook) -> Exhibit:
    exhibit = Exhibit("10a", "Industry history", "ICB historical monthly weightings (%)")
    if not book.weight_history_dates:
        exhibit.empty = "No month-end industry weights in the window."
        return exhibit
    latest = {industry: values[-1] for industry, values in book.weight_history.items()}
    order = _by_current(latest)
    series = [(industry, [100 * v for v in book.weight_history[industry]]) for industry in order]
    exhibit.chart = charts.stacked_area("chart-10a", book.weight_history_dates, series, "Weight (%)")
    exhibit.notes.append(
        f"ICB industries, point in time, at each month end from {long_date(book.weight_history_dates[0])} to "
        f"{long_date(book.weight_history_dates[-1])}."
    )
    return exhibit


def _characteristics_exhibit(book: Chartbook, number: str, snapshot: QuarterCharacteristics) -> Exhibit:
    exhibit = Exhibit(
        number, f"Fundamental characteristics: {snapshot.quarter.label}", "Quarterly market snapshots"
    )
    if snapshot.as_of is None:
        exhibit.empty = f"No holdings at the end of {snapshot.quarter.label} in the data."
        return exhibit
    codes = (book.index_code, book.comparison_code)
    for groups in (("Growth", "Quality"), ("Valuation", "Risk—Standard Deviation (%)")):
        metrics = [c for c in CHARACTERISTICS if c[0] in groups]
        header_groups = tuple((group, sum(1 for c in metrics if c[0] == group)) for group in groups)
        rows = tuple(
            Row(
                (
                    book.names[code],
                    *(
                        number_cell(snapshot.values.get(code, {}).get(metric), factor)
                        for _, _, metric, factor in metrics
                    ),
                )
            )
            for code in codes
        )
        exhibit.tables.append(Table("", ("Index", *(c[1] for c in metrics)), rows, (("", 1), *header_groups)))
    exhibit.notes.append(
        f"At the close of {long_date(snapshot.as_of)}, float-cap weights; growth, quality, yield and risk in percent."
    )
    return exhibit


def number_cell(value: float | None, factor: float) -> str:
    return number(None if value is None else value * factor, 2)


def build(book: Chartbook) -> list[Section]:
    years = sorted(book.annual_returns)
    recent, earlier = years[-5:], years[:-5]
    performance = (
        _annual(book, "1", earlier if earlier else recent),
        _annual(book, "1b", recent if earlier else []),
        _growth(book),
        Exhibit(
            "3",
            "Market cap performance",
            "Total return (%)",
            tables=[_codes_table(book, "", book.market_cap_codes)],
        ),
        Exhibit(
            "4", "Style performance", "Total return (%)", tables=[_codes_table(book, "", book.style_codes)]
        ),
        _style_box(book),
    )
    if years and not earlier:
        performance[1].empty = "Every complete calendar year in the data is in Exhibit 1."
    industries = (
        *_ipo_exhibits(book),
        _industry_weights(book),
        _industry_returns(book),
        _contributions(book),
        _weight_history(book),
    )
    risk = tuple(
        _characteristics_exhibit(book, f"12{letter}", snapshot)
        for letter, snapshot in zip("abcd", book.characteristics, strict=True)
    )
    return [
        Section(
            "Market performance",
            "Returns of the market-cap segments, their growth over the window, and the style indexes.",
            performance,
        ),
        Section(
            "Industries",
            f"The {book.index_name} by ICB industry: the quarter's IPOs, weights, returns and contributions.",
            industries,
        ),
        Section(
            "Risk/characteristics",
            f"Fundamental characteristics of the {book.index_name} against the {book.names[book.comparison_code]}.",
            risk,
        ),
    ]
