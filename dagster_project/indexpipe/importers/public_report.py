"""``import_report.md``: what the public import read, inferred, re-based, synthesised and left out.

Only facts of the data go in (no timings, no paths outside the source folder), so the same sources give the same
report byte for byte.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indexpipe.importers.icb_sectors import icb_industry
from indexpipe.importers.public_sources import BARS_DIR, SEC_FILE, YearSources

if TYPE_CHECKING:
    from indexpipe.importers.public_market import LineRecord

_EXAMPLES = 12
_NOT_WRITTEN = {
    "corporate_actions": "no dividends, splits or deals in the free files (bars are already adjusted)",
    "fundamentals": "no company accounts in the free files",
    "estimates": "no analyst estimates in the free files",
}


@dataclass(frozen=True)
class ReportFacts:
    year: int
    source: Path
    sources: YearSources
    rank_day: date
    effective_date: date
    screener_date: date
    history_start: date
    bars_end: date
    bar_files: int
    bar_rows: int
    bridged: bool
    bridge_factor: str | None
    price_end: date
    volume_factor: float
    price_points: tuple[
        tuple[date, int], ...
    ]  # (date, prices) of the ETF holdings files anchoring the bridge
    price_points_used: int
    records: list[LineRecord]
    renames: list[tuple[str, str]]
    price_origin: dict[str, int]
    files: dict[str, int]
    membership: list[tuple[str, tuple[date, str]]]
    unmatched: list[tuple[str, str, str]]
    listed: frozenset[str]  # screener tickers named by a Russell US list
    missing_evidence: tuple[str, ...]
    evidence: tuple[tuple[str, date, int], ...]
    members: tuple[tuple[str, str, str | None, date], ...]


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _examples(tickers: list[str]) -> str:
    shown = ", ".join(tickers[:_EXAMPLES])
    return shown + (f", ... ({len(tickers) - _EXAMPLES:,} more)" if len(tickers) > _EXAMPLES else "")


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def render_report(f: ReportFacts) -> str:
    kept = [r for r in f.records if r.drop is None]
    out: list[str] = []
    w = out.append
    w(f"# Import report: public files for the June {f.year} reconstitution\n")
    w(f"Written by `indexpipe import public --year {f.year}`. Rank day {f.rank_day} (last session of April), "
      f"reconstitution effective after the close of {f.effective_date}.\n")  # fmt: skip

    w("## Sources\n")
    w("| role | file (in the source folder) | date |")
    w("|---|---|---|")
    w(f"| universe, prices, market caps, countries, sectors | `{f.sources.screener}` | {f.screener_date} |")
    w(
        f"| daily bars | `{BARS_DIR}/*.tar.xz` ({f.bar_files:,} files, {f.bar_rows:,} bars) | to {f.bars_end} |"
    )
    w(f"| CIK, exchange | `{SEC_FILE}` | snapshot, newer than the screener |")
    for code, path, minus, as_of in f.members:
        text = f"`{path}`" + (f" minus `{minus}`" if minus else "")
        w(f"| initial_membership {code} | {text} | {as_of} |")
    for path, as_of, entries in f.evidence:
        w(
            f"| earlier Russell US list ({entries:,} entries): home country and structure evidence | `{path}` | {as_of} |"
        )
    if f.bridge_factor:
        w(f"| market path of the synthetic prices | `{f.bridge_factor}` | daily closes |")
    for path in f.missing_evidence:
        w(f"| (absent, skipped) earlier list | `{path}` | |")
    w("")

    w("## Files written\n")
    w("| file | rows |")
    w("|---|---:|")
    for name, rows in f.files.items():
        w(f"| `{name}` | {rows:,} |")
    w("")
    for table, why in _NOT_WRITTEN.items():
        w(f"- `{table}`: not written ({why}); the build treats it as absent.")
    w("")

    _lines_section(f, kept, w)
    _types_section(f, w)
    _companies_section(f, kept, w)
    _prices_section(f, kept, w)
    _countries_section(f, kept, w)
    _membership_section(f, w)
    _limitations(f, w)
    return "\n".join(out).rstrip() + "\n"


def _lines_section(f: ReportFacts, kept: list[LineRecord], w) -> None:
    dropped: dict[str, list[str]] = defaultdict(list)
    for r in f.records:
        if r.drop is not None:
            dropped[r.drop].append(r.ticker)
    added = sorted(r.ticker for r in f.records if r.sibling)
    w("## Lines kept and dropped\n")
    w(f"{len(f.records) - len(added):,} screener lines read"
      + (f" and {len(added):,} share classes added from the membership lists (named there and in the bars but "
         f"not in the screener; priced like the company's screener class): {', '.join(added)}" if added else "")
      + f". {len(kept):,} kept as securities, {len(f.records) - len(kept):,} dropped:\n")  # fmt: skip
    w("| reason | lines | examples |")
    w("|---|---:|---|")
    for reason, tickers in sorted(dropped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        w(f"| {reason} | {len(tickers):,} | {_examples(sorted(tickers))} |")
    w("")
    by_type = Counter(r.security_type for r in f.records if r.drop == "no market cap for the company "
                      "(no class with a screener market cap)")  # fmt: skip
    if by_type:
        w("Lines without a market cap, by inferred type: "
          + ", ".join(f"{t} {n:,}" for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))) + ".\n")  # fmt: skip


def _types_section(f: ReportFacts, w) -> None:
    w("## Inferred security types\n")
    w("From the line's name, ticker suffix and screener industry (first matching rule); a line listed in a "
      "Russell US index keeps an eligible structure even when its name suggests another (Nasdaq names Vertiv "
      "and Boise Cascade \"LLC\").\n")  # fmt: skip
    w("| type | rule | kept | dropped |")
    w("|---|---|---:|---:|")
    counts: Counter[tuple[str, str, bool]] = Counter(
        (r.security_type, r.type_rule, r.drop is None) for r in f.records
    )
    keys = sorted({(t, rule) for t, rule, _ in counts}, key=lambda k: (-counts[(*k, True)], k))
    for t, rule in keys:
        w(f"| {t} | {rule} | {counts[(t, rule, True)]:,} | {counts[(t, rule, False)]:,} |")
    w("")


def _companies_section(f: ReportFacts, kept: list[LineRecord], w) -> None:
    companies: dict[str, list[LineRecord]] = defaultdict(list)
    for r in kept:
        companies[r.company.company_id].append(r)
    multi = {
        c: sorted(lines, key=lambda r: r.ticker)
        for c, lines in companies.items()
        if sum(r.security_type in ("common", "reit", "tracking_stock") for r in lines) > 1
    }
    w("## Companies and share classes\n")
    w(f"{len(companies):,} companies ({sum(c.startswith('CIK') for c in companies):,} keyed by SEC CIK, the rest by "
      f"ticker); {len(multi):,} with more than one listed class.\n")  # fmt: skip
    w("**How the screener reports multi-class companies.** Its market cap is the company's total (every class, "
      "listed or not) at the line's own price, on every listed class: market cap / last sale is the same share "
      "count for each class, in that class's units. In this file:\n")  # fmt: skip
    w("| line | last sale | market cap | market cap / last sale |")
    w("|---|---:|---:|---:|")
    shown = 0
    for r in sorted(f.records, key=lambda x: x.ticker):
        if r.ticker in ("GOOG", "GOOGL", "BRK.A", "BRK.B", "FOX", "FOXA", "NWS", "NWSA") and r.market_cap:
            w(f"| {r.ticker} | {r.last_sale:,.2f} | {_n(r.market_cap)} | {_n(r.market_cap / r.last_sale)} |")
            shown += 1
    w("")
    w("Summing the lines would count Alphabet twice, so the company's share count is taken once, from its main class "
      "(largest count), and split evenly between its listed classes; a class's conversion ratio is main count / "
      "its count, rounded to a whole number within 0.5% (BRK.A = 1,500 BRK.B). Classes without a screener cap "
      "(HEI.A, BF.A) take their share of the main class's count with ratio 1.\n")  # fmt: skip
    if multi:
        w("| company | classes (conversion ratio) |")
        w("|---|---|")
        for company, lines in sorted(multi.items()):
            classes = ", ".join(
                f"{r.ticker} ({r.company.conversion_ratio:g})"
                + (" tracking" if r.security_type == "tracking_stock" else "")
                for r in lines
                if r.security_type in ("common", "reit", "tracking_stock")
            )
            w(f"| {company} | {classes} |")
        w("")


def _prices_section(f: ReportFacts, kept: list[LineRecord], w) -> None:
    w("## Prices\n")
    total = sum(n for origin, n in f.price_origin.items() if origin != "implausible")
    w(f"{total:,} price rows on XNYS sessions from {f.history_start} (the archive's common first day: a few files "
      f"reach years further back) to {f.price_end}:\n")  # fmt: skip
    w(f"- from bars: {f.price_origin.get('bar', 0):,}")
    w(f"- carried forward (no bar that session between a line's first and last bar; close repeated, volume 0): "
      f"{f.price_origin.get('carried', 0):,}")  # fmt: skip
    w(f"- synthetic (after the line's last bar): {f.price_origin.get('synthetic', 0):,}\n")
    if implausible := f.price_origin.get("implausible", 0):
        w(f"Left out: {implausible:,} rows whose close or volume the input checks refuse as implausible (a close "
          "outside $0.0001-$10M, a volume above 100 billion shares; docs/reliability.md), e.g. a bad bar of "
          "$0.000001 or a close re-based below a hundredth of a cent by serial reverse splits.\n")  # fmt: skip
    w(f"**Volumes.** The bars hold one venue's trades; every volume is multiplied by {f.volume_factor:.2f}, the "
      "median ratio of the screener's volume (all venues) to a line's median bar volume over the 20 sessions up to "
      "the screener day, so that dollar-volume thresholds (the $175k for extra share classes) see market-wide "
      "volume. The screener may have been taken during the session, so this is a lower bound.\n")  # fmt: skip
    exact = [r for r in kept if r.rebase.kind == "exact"]
    split_lines = sorted((r for r in kept if r.rebase.split != 1.0), key=lambda r: r.ticker)
    w("**Re-basing.** The bars are adjusted as of their end for splits and cash dividends, so each line's closes "
      "are multiplied by one factor that puts the screener day's bar on the screener's price (and volumes divided "
      "by it):\n")  # fmt: skip
    w(
        f"- exact anchor (official previous close or Last Sale against the bar of that day): {len(exact):,} lines"
    )
    if exact:
        plain = [r.rebase.scale / r.rebase.split for r in exact]
        w(f"  - factor net of splits: median {_quantile(plain, 0.5):.4f}, 5th percentile "
          f"{_quantile(plain, 0.05):.4f}, 95th {_quantile(plain, 0.95):.4f} (dividends paid after the screener day "
          f"and last-trade noise); {sum(abs(math.log(x)) > 0.005 for x in plain):,} lines moved by more than "
          f"0.5%")  # fmt: skip
    w(f"- split anchor (bars end before the screener day; only a split ratio is applied): "
      f"{sum(r.rebase.kind == 'split' for r in kept):,} lines")  # fmt: skip
    w(f"- lines whose factor includes a split ratio (exact anchor: factor more than 30% from 1; split anchor: move "
      f"beyond 2.5x), shown with the nearest ratio (mostly reverse splits of small caps; for warrants and rights, "
      f"last-trade noise): {len(split_lines):,}"
      + (": " + _examples([f"{r.ticker} x{r.rebase.split:g}" for r in split_lines]) if split_lines else ""))  # fmt: skip
    w("")
    if f.renames:
        w(f"**Tickers changed after the screener day** ({len(f.renames):,}): the bars are found under the new ticker "
          "of the SEC company with the same name, when they match the screener's price: "
          + ", ".join(f"{a} -> {b}" for a, b in f.renames) + ".\n")  # fmt: skip
    if f.bridged:
        bridged = sum(1 for r in kept if r.stats.last < r.end_date)
        w(f"**Synthetic sessions.** The bars end {f.bars_end}, before the rank day; the engine needs a close on the rank "
          f"day and through the reconstitution. For {bridged:,} lines the sessions after the last bar are "
          f"synthesised through anchors: the last bar, the vendor prices of ETF holdings dated in the gap ("
          + ", ".join(f"{d}: {n:,} prices" for d, n in f.price_points)
          + f"; {f.price_points_used:,} used for kept lines whose price moved less than twofold against the "
          f"screener's, net of the market) and the screener's Last Sale on {f.screener_date}. Between two anchors, "
          "log price = the Russell 1000 ETF's log move + a straight line that closes the gap; flat at the Last "
          f"Sale after the screener day, to {f.price_end}. "
          + ("(The ETF's closes were absent: the path is the straight line alone.) " if not f.bridge_factor else "")
          + "Volume is 0 on synthetic sessions.\n")  # fmt: skip


def _countries_section(f: ReportFacts, kept: list[LineRecord], w) -> None:
    companies: dict[str, list[LineRecord]] = defaultdict(list)
    for r in kept:
        companies[r.company.company_id].append(r)
    codes: Counter[str] = Counter()
    listed_companies = listed_foreign = 0
    foreign_examples: list[str] = []
    judged: dict[str, list[str]] = defaultdict(list)
    for _company, lines in sorted(companies.items()):
        main = next(r for r in lines if r.company.is_main)
        code = main.country_code
        codes[code] += 1
        if main.country_source != "screener":
            judged[code].append(main.ticker)
        if any(r.ticker in f.listed for r in lines):
            listed_companies += 1
            if code != "US":
                listed_foreign += 1
                foreign_examples.append(f"{main.ticker} ({code})")
    w("## Countries and home country\n")
    w("The screener's Country becomes the incorporation and headquarters indicators (ISO 3166 alpha-2, explicit "
      "table); the most liquid exchange is the US (the line's listing) except for ADRs. The engine's waterfall then "
      "makes BDI-incorporated companies (Bermuda, Cayman Islands, ...) US and others foreign.\n")  # fmt: skip
    w("- companies per country: " + ", ".join(f"{c} {n:,}" for c, n in codes.most_common(15))
      + (f", {len(codes) - 15} more" if len(codes) > 15 else ""))  # fmt: skip
    for code, tickers in sorted(judged.items()):
        meaning = "a US-style name (Common Stock)" if code == "US" else (
            "a foreign name (Ordinary Shares, Common Shares, plc, AG, S.A., N.V., Ltd...): the unknown country ZZ, "
            "non-US unless a Russell list names it")  # fmt: skip
        w(
            f"- no country in the screener, {meaning}: {len(tickers):,} companies: {_examples(sorted(tickers))}"
        )
    w(f"- `home_country` = US for {listed_companies:,} companies named by a Russell US list (FTSE Russell had "
      f"already assigned them the US); {listed_foreign:,} of them have a non-US screener country: "
      f"{_examples(foreign_examples)}\n")  # fmt: skip
    exchanges = Counter((r.exchange, r.exchange_source) for r in kept)
    w("**Exchanges** (SEC's file, else the ticker's shape: four or five plain letters Nasdaq, otherwise NYSE): "
      + ", ".join(f"{e} {n:,} ({s})" for (e, s), n in sorted(exchanges.items())) + ".\n")  # fmt: skip
    industries: Counter[str] = Counter()
    for lines in companies.values():
        ordered = sorted(lines, key=lambda r: (not r.company.is_main, r.ticker))
        sector = next((r.sector for r in ordered if r.sector), None)
        industry = next((r.industry for r in ordered if r.industry), None)
        industries[icb_industry(sector, industry) or "(unclassified: no sector in the screener)"] += 1
    w("**ICB industries** (companies; nearest ICB industry of the screener's sector and industry, table in "
      "docs/real-data.md): " + ", ".join(f"{k} {n:,}" for k, n in industries.most_common()) + ".\n")  # fmt: skip


def _membership_section(f: ReportFacts, w) -> None:
    w("## Initial membership\n")
    counts = Counter(code for code, _ in f.membership)
    for code, _path, _minus, as_of in f.members:
        w(f"- {code} as of {as_of}: {counts[code]:,} securities")
    w("")
    if f.unmatched:
        w(f"{len(f.unmatched):,} list entries name no kept security:\n")
        w("| index | ticker | reason |")
        w("|---|---|---|")
        for code, ticker, reason in f.unmatched:
            w(f"| {code} | {ticker} | {reason} |")
        w("")


def _limitations(f: ReportFacts, w) -> None:
    w("## Limitations\n")
    w(
        "- One share count per line, dated at its first price: the free files have no share history. Shares "
        "outstanding = screener market cap / last sale on the screener day, the same for the whole history."
    )
    w(
        "- No float: available shares = shares outstanding (100% float); no voting rights (1 vote per share), so "
        "the 5% float and 5% voting screens pass everyone."
    )
    w(
        "- Unlisted classes are inside the listed classes' count (the screener's total includes them); classes are "
        "split evenly, not by their real counts."
    )
    w(
        "- Survivors only: lines delisted before the bar archive's end have no bars and are dropped; the bars are "
        "last trades of one venue, not official closes, and volumes are that venue's only."
    )
    w(
        "- Bars are adjusted for dividends as well as splits: price returns computed from them include dividends."
    )
    if f.bridged:
        w("- Prices after the bars' end are synthetic (see Prices); the rank day's closes are interpolated.")
