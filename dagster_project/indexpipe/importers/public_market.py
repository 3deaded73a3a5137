"""``indexpipe import public``: a contract input directory for one June reconstitution from free public files.

The screener export gives the universe of one day (lines, prices, total market caps, countries, sectors); the bar
archives give daily prices; SEC's ticker file gives company keys (CIK) and exchanges; the membership lists
published before the reconstitution give ``initial_membership``. Every inference is a function of its own module;
this module joins them, decides which lines are kept, writes the contract files and ``import_report.md``.
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from indexpipe.calendars import trading_days
from indexpipe.contract import TABLES
from indexpipe.importers.companies import CompanyMembership, Line, group_companies, same_family
from indexpipe.importers.countries import country_code, country_without_name
from indexpipe.importers.daily_bars import combine_archives, load_bars
from indexpipe.importers.icb_sectors import icb_industry
from indexpipe.importers.names import first_word, name_stem
from indexpipe.importers.nasdaq_screener import read_screener
from indexpipe.importers.public_prices import (
    EXACT_WINDOW,
    BarStats,
    Rebase,
    bar_stats,
    build_price_rows,
    history_start,
    read_factor,
    rebase,
    volume_factor,
)
from indexpipe.importers.public_report import ReportFacts, render_report
from indexpipe.importers.public_sources import (
    BRIDGE_FACTOR_FILE,
    DEFAULT_SOURCE,
    SEC_FILE,
    ListRows,
    PublicImportError,
    YearSources,
    bar_archives,
    check_source,
    read_list,
    read_prices,
)
from indexpipe.importers.sec_tickers import read_sec_tickers
from indexpipe.importers.security_types import InferredType, infer_security_type
from indexpipe.importers.tickers import TickerIndex, normalise
from indexpipe.ingest.files import sql_string
from indexpipe.settings import input_limits

CLASS_TYPES = frozenset({"common", "reit", "tracking_stock"})
# Structures a Russell US list proves eligible when the name suggested otherwise (Nasdaq calls Vertiv and Boise
# Cascade "LLC"); share types (preferred, warrant, ADR...) are read from the ticker and never overridden.
STRUCTURE_TYPES = frozenset(
    {"llc", "limited_partnership", "bdc", "closed_end_fund", "royalty_trust", "spac", "etf"}
)
SEC_EXCHANGES = {"Nasdaq": "NASDAQ", "NYSE": "NYSE", "CBOE": "CBOE"}
# a renamed ticker's bars must match the screener's price this closely (net of a split)
RENAME_TOLERANCE = math.log(1.08)
STALE_SESSIONS = 10  # bars ending this many sessions before the archive's end cannot be bridged
REPORT_NAME = "import_report.md"

DROP_NO_LAST_SALE = "no last sale in the screener"
DROP_NO_BARS = "no daily bars (delisted or renamed before the archive's end; survivors only)"
DROP_NO_ANCHOR = (
    "no bar in the five sessions up to the screener day (the bars start later or stop earlier: another security "
    "under the ticker, e.g. INBX, or a stale line)"
)
DROP_STALE = "bars end early (no price to bridge from)"
DROP_OUT_OF_WINDOW = "no bars in the history window"
DROP_NO_SIBLING = "listed class whose screener sibling was dropped"
DROP_NO_CAP = "no market cap for the company (no class with a screener market cap)"


@dataclass
class LineRecord:
    """One screener row on its way through the import."""

    line: int
    symbol: str
    ticker: str
    name: str | None
    last_sale: float | None
    net_change: float | None
    market_cap: float | None
    country: str | None
    sector: str | None
    industry: str | None
    inferred: InferredType
    security_type: str
    type_rule: str
    cik: int | None = None
    sibling: str | None = None  # a class named by a list but not by the screener: priced like this class
    bars_ticker: str | None = None
    renamed_to: str | None = None
    stats: BarStats | None = None
    rebase: Rebase | None = None
    first_date: date | None = None
    end_date: date | None = None
    drop: str | None = None
    company: CompanyMembership | None = None
    shares: float | None = None
    exchange: str = "NYSE"
    exchange_source: str = ""
    country_code: str = "US"  # the company's, as written to the HCI columns
    country_source: str = ""  # 'screener', or how a company without a screener country was judged

    @property
    def implied_shares(self) -> float | None:
        if self.market_cap is None or not self.last_sale:
            return None
        return self.market_cap / self.last_sale


@dataclass(frozen=True)
class ImportSummary:
    year: int
    out_dir: Path
    files: dict[str, int]  # file name -> rows
    report: Path
    lines_read: int
    lines_kept: int
    companies: int
    membership_rows: dict[str, int]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Calendar:
    sessions: tuple[date, ...]
    rank_day: date
    effective_date: date
    screener_date: date
    previous_session: date
    window_start: date
    june_end: date

    @classmethod
    def of(cls, year: int, screener_date: date, last_day: date) -> _Calendar:
        last_day = max(last_day, date(year, 12, 31))
        sessions = tuple(d.astype(object) for d in trading_days(date(year - 6, 1, 1), last_day))
        rank_day = max(d for d in sessions if d.year == year and d.month == 4)
        fridays = [date(year, 6, day) for day in range(1, 31) if date(year, 6, day).weekday() == 4]
        effective = max(d for d in sessions if d <= fridays[3])
        before = [d for d in sessions if d < screener_date]
        up_to = [d for d in sessions if d <= screener_date]
        return cls(
            sessions=sessions,
            rank_day=rank_day,
            effective_date=effective,
            screener_date=screener_date,
            previous_session=before[-1],
            window_start=up_to[-EXACT_WINDOW],
            june_end=max(d for d in sessions if d.year == year and d.month == 6),
        )

    def sessions_between(self, first: date, last: date) -> int:
        return sum(1 for d in self.sessions if first < d <= last)


def import_public(year: int, out: Path, source: Path | None = None) -> ImportSummary:
    """Write the contract files and ``import_report.md`` for ``year``'s June reconstitution into ``out``."""
    source = Path(source or DEFAULT_SOURCE).expanduser().resolve()
    out = Path(out).expanduser().resolve()
    sources = check_source(source, year)
    _prepare_out(out)

    try:
        screener = read_screener(source / sources.screener).to_pylist()
        sec = read_sec_tickers(source / SEC_FILE).to_pylist()
        member_lists = {m.index_code: (m, read_list(source, m.source)) for m in sources.members}
        minus_lists = {
            m.index_code: read_list(source, m.minus) for m in sources.members if m.minus is not None
        }
        evidence_lists = [(f, read_list(source, f)) for f in sources.evidence if (source / f.path).is_file()]
        price_files = [read_prices(source, f) for f in sources.price_points if (source / f.path).is_file()]
    except (OSError, ValueError) as exc:
        raise PublicImportError(f"cannot read a source file: {exc}") from exc
    missing_evidence = [f.path for f in sources.evidence if not (source / f.path).is_file()]

    con = duckdb.connect(config={"memory_limit": "1500MB", "preserve_insertion_order": True})
    try:
        con.execute("SET enable_progress_bar = false")
        with tempfile.TemporaryDirectory(prefix="indexpipe-bars-") as scratch:
            combined = Path(scratch) / "bars.csv"
            bar_files = combine_archives(bar_archives(source), combined)
            bar_rows = load_bars(con, combined, "bars")
        bars_end = con.execute("SELECT max(date) FROM bars").fetchall()[0][0]
        cal = _Calendar.of(year, sources.screener_date, bars_end)
        start = history_start(con, "bars")
        stats = bar_stats(con, "bars", cal.previous_session, cal.window_start, cal.screener_date)
        bridged = cal.screener_date > bars_end
        con.register("screener_arrow", pa.table({"ticker": [r["ticker"] for r in screener],
                                                 "volume": [r["volume"] for r in screener]}))  # fmt: skip
        volumes = volume_factor(con, "bars", "screener_arrow", cal.screener_date)
        factor = read_factor(source / BRIDGE_FACTOR_FILE) if bridged else {}

        records = [_record(row) for row in screener]
        records += _listed_classes(records, member_lists, stats)
        screener_index = TickerIndex(r.ticker for r in records)
        by_ticker = {r.ticker: r for r in records}
        in_lists = _listed(records, screener_index, member_lists, evidence_lists)
        _apply_list_evidence(records, in_lists)
        _attach_cik(records, sec)
        renames = _attach_bars(records, stats, sec, by_ticker, bridged)
        _rebase_lines(records, cal, stats, bars_end, start, bridged, factor)
        _group(records)
        _assign_exchanges(records, sec)
        _assign_countries(records)

        kept = [r for r in records if r.drop is None]
        points = _price_points(records, screener_index, price_files, factor, cal, bars_end) if bridged else []
        con.register("price_points_arrow", pa.table(
            {"security_id": [p[0] for p in points], "date": [p[1] for p in points], "price": [p[2] for p in points]},
            schema=pa.schema([("security_id", pa.string()), ("date", pa.date32()), ("price", pa.float64())]),
        ))  # fmt: skip
        con.execute("CREATE OR REPLACE TEMP TABLE price_points AS SELECT * FROM price_points_arrow")
        _write_tables(con, out, kept, in_lists, cal, factor, volumes)
        membership, unmatched = _initial_membership(records, screener_index, member_lists, minus_lists)
        _write_membership(con, out, membership)
        files = _file_rows(out)
        price_origin = dict(con.execute("SELECT origin, count(*) FROM price_rows GROUP BY origin").fetchall())
        facts = ReportFacts(
            year=year,
            source=source,
            sources=sources,
            rank_day=cal.rank_day,
            effective_date=cal.effective_date,
            screener_date=cal.screener_date,
            history_start=start,
            bars_end=bars_end,
            bar_files=bar_files,
            bar_rows=bar_rows,
            bridged=bridged,
            bridge_factor=BRIDGE_FACTOR_FILE if factor else None,
            price_end=cal.june_end if bridged else bars_end,
            volume_factor=volumes,
            price_points=tuple((d, len(rows)) for d, rows in price_files),
            price_points_used=len(points),
            records=records,
            renames=renames,
            price_origin=price_origin,
            files=files,
            membership=membership,
            unmatched=unmatched,
            listed=frozenset(in_lists),
            missing_evidence=tuple(missing_evidence),
            evidence=tuple((f.path, rows.as_of, len(rows.tickers)) for f, rows in evidence_lists),
            members=tuple(
                (code, m.source.path, m.minus.path if m.minus else None, rows.as_of)
                for code, (m, rows) in member_lists.items()
            ),
        )
        report = out / REPORT_NAME
        report.write_text(render_report(facts), encoding="utf-8")
    finally:
        con.close()
    counts = Counter(code for code, _ in membership)
    return ImportSummary(
        year=year,
        out_dir=out,
        files=files,
        report=report,
        lines_read=len(records),
        lines_kept=len(kept),
        companies=len({r.company.company_id for r in kept if r.company}),
        membership_rows=dict(sorted(counts.items())),
        notes=tuple(f"evidence file missing: {p}" for p in missing_evidence),
    )


# ----------------------------------------------------------------------------------------------------
# Lines


def _record(row: dict) -> LineRecord:
    inferred = infer_security_type(row["name"], row["ticker"], row["industry"], row["sector"])
    record = LineRecord(
        line=row["line"],
        symbol=row["symbol"],
        ticker=row["ticker"],
        name=row["name"],
        last_sale=row["last_sale"],
        net_change=row["net_change"],
        market_cap=row["market_cap"],
        country=row["country"],
        sector=row["sector"],
        industry=row["industry"],
        inferred=inferred,
        security_type=inferred.security_type,
        type_rule=inferred.rule,
    )
    if not record.last_sale or record.last_sale <= 0:
        record.drop = DROP_NO_LAST_SALE  # lines added from a list get theirs from their sibling class
    return record


def _listed_classes(
    records: list[LineRecord], member_lists: dict[str, tuple[object, ListRows]], stats: dict[str, BarStats]
) -> list[LineRecord]:
    """Share classes a membership list names but the screener omits (LEN.B, UHAL.B, MOG.A): kept when the
    bars have them and the screener has a class of the same company (same ticker family, same first name word),
    whose country and sector they take; their price factor is that class's (see ``_rebase_lines``)."""
    screener = TickerIndex(r.ticker for r in records)
    bars = TickerIndex(stats)
    known = {r.ticker for r in records}
    added: dict[str, LineRecord] = {}
    for _, rows in member_lists.values():
        for raw, name in zip(rows.tickers, rows.names, strict=True):
            ticker = bars.resolve(raw)
            if screener.resolve(raw) or ticker is None or ticker in known or ticker in added:
                continue
            siblings = sorted(
                (r for r in records if same_family(ticker, r.ticker) and r.drop is None
                 and r.security_type in CLASS_TYPES and first_word(r.name) == first_word(name)),
                key=lambda r: r.ticker,
            )  # fmt: skip
            if not siblings:
                continue
            sibling = siblings[0]
            record = _record(
                {"line": 0, "symbol": raw, "ticker": ticker, "name": name or sibling.name, "last_sale": None,
                 "net_change": None, "market_cap": None, "country": sibling.country, "sector": sibling.sector,
                 "industry": sibling.industry}
            )  # fmt: skip
            record.drop, record.sibling = None, sibling.ticker
            added[ticker] = record
    return [added[t] for t in sorted(added)]


def _listed(
    records: list[LineRecord],
    index: TickerIndex,
    member_lists: dict[str, tuple[object, ListRows]],
    evidence_lists: list[tuple[object, ListRows]],
) -> set[str]:
    """Screener tickers named by a Russell US list: the pre-reconstitution lists as they are (same weeks, same
    tickers), earlier lists only where the company name agrees too (tickers are reused over the years)."""
    names = {r.ticker: first_word(r.name) for r in records}
    listed: set[str] = set()
    for _, rows in member_lists.values():
        listed.update(t for t in map(index.resolve, rows.tickers) if t)
    for _, rows in evidence_lists:
        for raw, name in zip(rows.tickers, rows.names, strict=True):
            ticker = index.resolve(raw)
            if ticker and name and first_word(name) == names[ticker]:
                listed.add(ticker)
    return listed


def _apply_list_evidence(records: list[LineRecord], listed: set[str]) -> None:
    for r in records:
        if r.ticker in listed and r.security_type in STRUCTURE_TYPES:
            r.security_type = "common"
            r.type_rule = f"listed in a Russell US index (name suggested {r.inferred.security_type})"


def _attach_cik(records: list[LineRecord], sec: list[dict]) -> None:
    """SEC's CIK for a ticker, when SEC's company name starts like the screener's (SEC's file is newer: a ticker
    may since belong to another company)."""
    by_ticker = {s["ticker"]: s for s in sec}
    for r in records:
        s = by_ticker.get(r.ticker)
        if s is not None and first_word(s["name"]) == first_word(r.name):
            r.cik = s["cik"]


def _attach_bars(
    records: list[LineRecord],
    stats: dict[str, BarStats],
    sec: list[dict],
    by_ticker: dict[str, LineRecord],
    bridged: bool,
) -> list[tuple[str, str]]:
    """Each line's bar file: its own ticker's, or for a ticker changed since the screener (NYCB -> FLG, GPS ->
    GAP), the file of the one SEC ticker with the same company name whose bars match the screener price."""
    sec_by_stem: dict[str, list[dict]] = {}
    for s in sec:
        sec_by_stem.setdefault(name_stem(s["name"]), []).append(s)
    renames: list[tuple[str, str]] = []
    for r in records:
        if r.drop is not None:
            continue
        if r.ticker in stats:
            r.bars_ticker = r.ticker
            continue
        candidates = [] if bridged else sec_by_stem.get(name_stem(r.name), [])
        matches = []
        for s in candidates:
            st = stats.get(s["ticker"])
            if st is None or s["ticker"] in by_ticker or r.last_sale is None:
                continue
            fit = rebase(r.last_sale, r.net_change, st)
            if fit.kind == "exact" and abs(math.log(fit.scale / fit.split)) <= RENAME_TOLERANCE:
                matches.append(s)
        if len(matches) == 1:
            r.bars_ticker = r.renamed_to = matches[0]["ticker"]
            r.cik = r.cik or matches[0]["cik"]
            renames.append((r.ticker, r.bars_ticker))
        else:
            r.drop = DROP_NO_BARS
    return renames


def _rebase_lines(
    records: list[LineRecord],
    cal: _Calendar,
    stats: dict[str, BarStats],
    bars_end: date,
    start: date,
    bridged: bool,
    factor: dict[date, float],
) -> None:
    by_ticker = {r.ticker: r for r in records}
    # lines of the screener first: a class added from a list takes its sibling's factor
    for r in sorted(records, key=lambda x: x.sibling is not None):
        if r.drop is not None or r.bars_ticker is None:
            continue
        st = stats[r.bars_ticker]
        r.stats = st
        if r.sibling is not None:
            sibling = by_ticker[r.sibling]
            if sibling.rebase is None or sibling.drop is not None or st.close_before is None:
                r.drop = DROP_NO_SIBLING
                continue
            r.rebase = sibling.rebase
            # the class moved like its sibling between its last bar and the screener's price
            sibling_base = sibling.stats.close_before or sibling.last_sale / sibling.rebase.scale
            r.last_sale = (
                st.close_before * r.rebase.scale * sibling.last_sale / (sibling_base * sibling.rebase.scale)
            )
        else:
            move = 1.0
            if bridged and st.last_before is not None:
                move = _factor_move(factor, st.last_before, cal.screener_date)
            r.rebase = rebase(r.last_sale, r.net_change, st, move)
        if not bridged and r.rebase.kind != "exact":
            r.drop = DROP_NO_ANCHOR
            continue
        if bridged and cal.sessions_between(st.last, bars_end) > STALE_SESSIONS:
            r.drop = DROP_STALE
            continue
        r.first_date = max(st.first, start)
        r.end_date = cal.june_end if bridged else st.last
        if r.first_date > r.end_date:
            r.drop = DROP_OUT_OF_WINDOW


def _price_points(
    records: list[LineRecord],
    index: TickerIndex,
    price_files: list[tuple[date, list[tuple[str, float]]]],
    factor: dict[date, float],
    cal: _Calendar,
    bars_end: date,
) -> list[tuple[str, date, float]]:
    """(security, date, price) anchors from ETF holdings dated between the bars' end and the screener day, for
    kept lines; a price that moved more than twofold against the screener's, net of the market, is left out (a
    split in between would make it another share basis)."""
    by_ticker = {r.ticker: r for r in records if r.drop is None}
    points: dict[tuple[str, date], float] = {}
    for as_of, rows in price_files:
        if not bars_end < as_of < cal.screener_date or as_of not in cal.sessions:
            continue
        for raw, price in rows:
            record = by_ticker.get(index.resolve(raw) or "")
            if record is None or record.last_sale is None:
                continue
            moved = math.log(price / record.last_sale) + math.log(
                _factor_move(factor, as_of, cal.screener_date)
            )
            if abs(moved) <= math.log(2):
                points.setdefault((record.ticker, as_of), price)
    return [(sid, d, price) for (sid, d), price in sorted(points.items())]


def _factor_at(factor: dict[date, float], day: date) -> float | None:
    for back in range(8):
        value = factor.get(day - timedelta(days=back))
        if value is not None:
            return value
    return None


def _factor_move(factor: dict[date, float], first: date, last: date) -> float:
    a, b = _factor_at(factor, first), _factor_at(factor, last)
    return b / a if a and b else 1.0


def _group(records: list[LineRecord]) -> None:
    """Companies over the lines still in, then the company-level market cap test and the share counts."""
    alive = [r for r in records if r.drop is None]
    names = {r.ticker: r.name for r in records}
    # a class added from a list groups under its screener sibling's name (iShares truncates names: "U HAUL NON
    # VOTING SERIES N" is U-Haul Holding's)
    groups = group_companies(
        [
            Line(r.ticker, names[r.sibling] if r.sibling else r.name, r.cik, r.implied_shares,
                 r.security_type in CLASS_TYPES)
            for r in alive
        ]
    )  # fmt: skip
    for r in alive:
        r.company = groups[r.ticker]
        if r.company.is_tracking:
            r.security_type = "tracking_stock"
            r.type_rule = "tracking stock (one CIK, separate share counts)"
    companies: dict[str, list[LineRecord]] = {}
    for r in alive:
        companies.setdefault(r.company.company_id, []).append(r)
    for lines in companies.values():
        classes = [r for r in lines if r.security_type in CLASS_TYPES]
        main = next(r for r in lines if r.company.is_main)
        if classes:
            if main not in classes or main.implied_shares is None:
                for r in lines:
                    r.drop = DROP_NO_CAP
                continue
            # the screener's count covers every class (listed or not) in the main class's units; with no
            # per-class figure it is split evenly between the listed classes
            for r in classes:
                r.shares = main.implied_shares / len(classes) / r.company.conversion_ratio
        elif main.implied_shares is None:
            for r in lines:
                r.drop = DROP_NO_CAP
        else:
            main.shares = main.implied_shares


def _assign_exchanges(records: list[LineRecord], sec: list[dict]) -> None:
    """SEC's exchange for the ticker (or the renamed ticker); SEC's file is newer than the screener, so 'OTC'
    or no entry means "moved or left since": every screener line was listed on NYSE, NYSE American or Nasdaq
    that day, and the ticker's shape decides (Nasdaq tickers have four or five letters, NYSE ones up to three
    or a class suffix)."""
    by_ticker = {s["ticker"]: s["exchange"] for s in sec}
    for r in records:
        exchange = by_ticker.get(r.ticker) or (by_ticker.get(r.bars_ticker) if r.bars_ticker else None)
        if exchange in SEC_EXCHANGES:
            r.exchange, r.exchange_source = SEC_EXCHANGES[exchange], "SEC"
        else:
            plain = "." not in r.ticker and len(r.ticker) >= 4
            r.exchange = "NASDAQ" if plain else "NYSE"
            r.exchange_source = "ticker shape"


def _assign_countries(records: list[LineRecord]) -> None:
    """The company's screener country as an ISO code; without one (or with a name the table lacks), the main
    line's name decides between the US and the unknown country ZZ (``countries.country_without_name``)."""
    companies: dict[str, list[LineRecord]] = {}
    for r in records:
        if r.drop is None:
            companies.setdefault(r.company.company_id, []).append(r)
    for lines in companies.values():
        name = _company_value(lines, "country")
        code = country_code(name)
        if code is not None:
            source = "screener"
        else:
            main = next(r for r in lines if r.company.is_main)
            code = country_without_name(main.name)
            source = f"no screener country: {'a foreign name' if code != 'US' else 'a US name'}"
        for r in lines:
            r.country_code, r.country_source = code, source


# ----------------------------------------------------------------------------------------------------
# Tables


def _company_value(lines: list[LineRecord], attribute: str) -> str | None:
    """A company attribute from its main line, else from its first line that has one."""
    ordered = sorted(lines, key=lambda r: (not r.company.is_main, r.ticker))
    return next((getattr(r, attribute) for r in ordered if getattr(r, attribute)), None)


def _write_tables(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    kept: list[LineRecord],
    listed: set[str],
    cal: _Calendar,
    factor: dict[date, float],
    volumes: float,
) -> None:
    companies: dict[str, list[LineRecord]] = {}
    for r in kept:
        companies.setdefault(r.company.company_id, []).append(r)

    securities: dict[str, list] = {name: [] for name in (
        "security_id", "company_id", "ticker", "name", "security_type", "exchange", "country_incorporation",
        "country_headquarters", "country_most_liquid", "listing_date", "delisting_date", "conversion_ratio",
        "home_country")}  # fmt: skip
    classifications: dict[str, list] = {name: [] for name in (
        "company_id", "effective_date", "icb_industry", "icb_supersector", "icb_sector", "icb_subsector")}  # fmt: skip
    for company_id, lines in sorted(companies.items()):
        country = lines[0].country_code
        main = next(r for r in lines if r.company.is_main)
        most_liquid = country if main.security_type == "adr" else "US"
        home = "US" if any(r.ticker in listed for r in lines) else None
        for r in sorted(lines, key=lambda x: x.ticker):
            securities["security_id"].append(r.ticker)
            securities["company_id"].append(company_id)
            securities["ticker"].append(r.ticker)
            securities["name"].append(r.name or r.ticker)
            securities["security_type"].append(r.security_type)
            securities["exchange"].append(r.exchange)
            securities["country_incorporation"].append(country)
            securities["country_headquarters"].append(country)
            securities["country_most_liquid"].append(most_liquid)
            securities["listing_date"].append(r.first_date)
            securities["delisting_date"].append(None)
            securities["conversion_ratio"].append(r.company.conversion_ratio)
            securities["home_country"].append(home)
        sector, industry = _company_value(lines, "sector"), _company_value(lines, "industry")
        icb = icb_industry(sector, industry)
        if icb is not None:
            classifications["company_id"].append(company_id)
            classifications["effective_date"].append(min(r.first_date for r in lines))
            classifications["icb_industry"].append(icb)
            # the screener has one level below its sector: its industry names the three finer ICB levels
            for level in ("icb_supersector", "icb_sector", "icb_subsector"):
                classifications[level].append(industry or sector)
    shares = [r for r in sorted(kept, key=lambda x: x.ticker) if r.shares is not None]
    shares_table = {
        "security_id": [r.ticker for r in shares],
        "effective_date": [r.first_date for r in shares],
        "shares_outstanding": [float(max(1, round(r.shares))) for r in shares],
        "available_shares": [float(max(1, round(r.shares))) for r in shares],
    }
    con.register("securities_arrow", pa.table(securities))
    con.register("classifications_arrow", pa.table(classifications))
    con.register("shares_arrow", pa.table(shares_table))
    _copy_csv(con, "SELECT * FROM securities_arrow ORDER BY security_id", out / "securities.csv")
    _copy_csv(con, "SELECT * FROM shares_arrow ORDER BY security_id, effective_date", out / "shares.csv")
    _copy_csv(con, "SELECT * FROM classifications_arrow ORDER BY company_id", out / "classifications.csv")

    first = min(r.first_date for r in kept)
    sessions = [d for d in cal.sessions if d >= first]
    con.register("sessions_arrow", pa.table({"date": sessions, "k": list(range(len(sessions)))}))
    con.execute("CREATE OR REPLACE TEMP TABLE sessions AS SELECT date, k FROM sessions_arrow")
    ln_factor, last = [], None
    for d in sessions:
        value = factor.get(d, last)
        last = value
        ln_factor.append(math.log(value) if value else 0.0)
    con.register("factor_arrow", pa.table({"date": sessions, "ln_f": ln_factor}))
    con.execute("CREATE OR REPLACE TEMP TABLE factor AS SELECT * FROM factor_arrow")
    price_lines = {
        "security_id": [r.ticker for r in kept],
        "bars_ticker": [r.bars_ticker for r in kept],
        "scale": [r.rebase.scale for r in kept],
        "volume_factor": [volumes] * len(kept),
        "first_date": [r.first_date for r in kept],
        "last_bar": [min(r.stats.last, r.end_date) for r in kept],
        "end_date": [r.end_date for r in kept],
        "px": [r.last_sale for r in kept],
    }
    con.register("price_lines_arrow", pa.table(price_lines))
    con.execute("CREATE OR REPLACE TEMP TABLE price_lines AS SELECT * FROM price_lines_arrow")
    build_price_rows(con, cal.screener_date)
    # rows the input checks would refuse are left out and counted in the report: a bad 1e-06 bar, or a close that
    # serial reverse splits re-based below a hundredth of a cent (with its volume scaled up as far)
    limits = input_limits()
    con.execute(
        "UPDATE price_rows SET origin = 'implausible' WHERE close < ? OR close > ? OR volume > ?",
        [limits.min_close, limits.max_close, limits.max_volume],
    )
    con.execute(
        f"COPY (SELECT date, security_id, close, volume FROM price_rows WHERE origin <> 'implausible' "
        "ORDER BY security_id, date) "
        f"TO {sql_string(str(out / 'prices.parquet'))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"
    )


def _copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    con.execute(f"COPY ({query}) TO {sql_string(str(path))} (HEADER, DELIMITER ',')")


def _initial_membership(
    records: list[LineRecord],
    index: TickerIndex,
    member_lists: dict[str, tuple[object, ListRows]],
    minus_lists: dict[str, ListRows],
) -> tuple[list[tuple[str, tuple[date, str]]], list[tuple[str, str, str]]]:
    """(index code, (as of, security id)) rows and (index code, ticker, reason) for list entries left out."""
    by_ticker = {r.ticker: r for r in records}
    rows: list[tuple[str, tuple[date, str]]] = []
    unmatched: list[tuple[str, str, str]] = []
    for code, (_, listing) in member_lists.items():
        # entries compare by the security they name, or by their normalised spelling when they name none
        minus = (
            {index.resolve(t) or normalise(t) for t in minus_lists[code].tickers}
            if code in minus_lists
            else set()
        )
        seen: set[str] = set()
        for raw in listing.tickers:
            ticker = index.resolve(raw)
            key = ticker or normalise(raw)
            if key in minus or key in seen:
                continue
            seen.add(key)
            record = by_ticker.get(ticker) if ticker else None
            if record is None:
                unmatched.append((code, raw, "not in the screener export"))
            elif record.drop is not None:
                unmatched.append((code, raw, record.drop))
            else:
                rows.append((code, (listing.as_of, record.ticker)))
    return sorted(rows), sorted(unmatched)


def _write_membership(
    con: duckdb.DuckDBPyConnection, out: Path, rows: list[tuple[str, tuple[date, str]]]
) -> None:
    table = pa.table(
        {
            "index_code": [code for code, _ in rows],
            "as_of_date": [as_of for _, (as_of, _) in rows],
            "company_id": pa.array([None] * len(rows), pa.string()),
            "security_id": [sid for _, (_, sid) in rows],
        }
    )
    con.register("membership_arrow", table)
    _copy_csv(
        con, "SELECT * FROM membership_arrow ORDER BY index_code, security_id", out / "initial_membership.csv"
    )


def _file_rows(out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        for path in sorted(out.iterdir()):
            if path.name.endswith(".csv"):
                counts[path.name] = con.execute(
                    f"SELECT count(*) FROM read_csv({sql_string(str(path))}, header = true, all_varchar = true)"
                ).fetchall()[0][0]
            elif path.name.endswith(".parquet"):
                counts[path.name] = con.execute(
                    f"SELECT count(*) FROM read_parquet({sql_string(str(path))})"
                ).fetchall()[0][0]
    return counts


def _prepare_out(out: Path) -> None:
    """Create ``out``; remove the contract files and report of an earlier import (and nothing else)."""
    if out.exists() and not out.is_dir():
        raise PublicImportError(f"--out {out} is a file, not a directory")
    if (out / "prices").is_dir():
        raise PublicImportError(f"{out} holds a prices/ increments directory: import into an empty directory")
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        for suffix in (".csv", ".parquet", ".csv.gz"):
            (out / f"{table.name}{suffix}").unlink(missing_ok=True)
    (out / REPORT_NAME).unlink(missing_ok=True)


__all__ = ["ImportSummary", "PublicImportError", "YearSources", "import_public"]
