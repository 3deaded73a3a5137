"""Assemble the synthetic market: companies -> events -> price paths -> shares, prices and actions tables.

Everything is drawn from one ``numpy`` generator seeded by ``MarketConfig.seed`` in a fixed order, so the same
configuration writes byte-identical files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from indexpipe.calendars import trading_days
from indexpipe.contract import TABLES_BY_NAME
from indexpipe.generator.events import Events, choose_acquirers, plan_events
from indexpipe.generator.fundamentals import (
    classifications_table,
    company_params,
    estimates_table,
    fundamentals_table,
)
from indexpipe.generator.lines import Lines, build_lines
from indexpipe.generator.paths import log_paths
from indexpipe.generator.taxonomy import subsectors
from indexpipe.generator.universe import Companies, build_companies
from indexpipe.market_scale import scaled_ranks, write_market_file
from indexpipe.rules import project_vars

CALIBRATION_RANK_DAY = date(2024, 4, 30)
FIRST_DECEMBER_RECON_END = date(2026, 12, 31)


def last_complete_quarter_end(today: date) -> date:
    quarter_first_month = 3 * ((today.month - 1) // 3) + 1
    first_of_quarter = date(today.year, quarter_first_month, 1)
    return date.fromordinal(first_of_quarter.toordinal() - 1)


def default_end(today: date | None = None) -> date:
    """End of the last complete quarter, but never before the first December reconstitution (2026-12-11).

    The issue asks for both; until 2027-04-01 they disagree, and the December reconstitution wins so that
    every reconstitution the methodology defines up to 2026 falls inside the default span.
    """
    return max(last_complete_quarter_end(today or date.today()), FIRST_DECEMBER_RECON_END)


@dataclass(frozen=True)
class MarketConfig:
    seed: int = 42
    start: date = date(2015, 1, 1)
    end: date = field(default_factory=default_end)
    companies: int = 6000
    anchor: date = CALIBRATION_RANK_DAY  # the day sizes are pinned to the calibration curve
    prices_format: str = "parquet"  # "parquet" or "csv"; other tables are always CSV


@dataclass
class Market:
    config: MarketConfig
    days: np.ndarray
    companies: Companies
    lines: Lines
    tables: dict[str, pa.Table]


def plan_market(config: MarketConfig) -> tuple[np.random.Generator, np.ndarray, Companies, Events]:
    """The first draws of every market, in this order: its XNYS sessions, companies and planned events (the
    generator's random state after them is returned for the rest of the market)."""
    if config.end <= config.start:
        raise ValueError(f"--end {config.end} must be after --start {config.start}")
    rng = np.random.default_rng(config.seed)
    days = trading_days(config.start, config.end)
    if len(days) < 300:
        raise ValueError("the span must hold at least 300 XNYS trading days")
    anchor_day = int(
        np.clip(np.searchsorted(days, np.datetime64(config.anchor), "right") - 1, 0, len(days) - 1)
    )
    scale = config.companies / 6000

    co = build_companies(rng, days, config.companies, anchor_day)
    return rng, days, co, plan_events(rng, co, days, scale)


def generate_market(config: MarketConfig) -> Market:
    rng, days, co, ev = plan_market(config)
    co = _append_spin_children(rng, co, ev, days)
    choose_acquirers(rng, co, ev)
    reit_subs = {
        i for i, s in enumerate(subsectors()) if "REIT" in s.subsector and s.industry == "Real Estate"
    }
    lines = build_lines(rng, co, reit_subs)

    log_path, anchor_level = log_paths(rng, co, ev, days)
    shares = _ShareHistory(rng, co, lines, ev, days)
    main_price = _main_prices(co, ev, log_path, anchor_level, shares)
    merger_terms = shares.apply_mergers(main_price)

    params = company_params(rng, co)
    tables = {
        "securities": _securities_table(co, lines, days),
        "prices": _prices_table(rng, co, lines, log_path, anchor_level, main_price, shares, days),
        "shares": shares.table(),
        "corporate_actions": _actions_table(co, lines, ev, merger_terms, main_price, days),
        "fundamentals": fundamentals_table(rng, co, params, shares.effective_shares_at, days),
        "estimates": estimates_table(rng, co, params, main_price, shares.effective_shares_at, days),
        "classifications": classifications_table(rng, co, days),
    }
    return Market(config, days, co, lines, tables)


def _append_spin_children(rng: np.random.Generator, co: Companies, ev: Events, days: np.ndarray) -> Companies:
    """Each spin-off creates a US company that lists on the ex-date; its size is set from the parent later."""
    n_new = len(ev.spins)
    if n_new == 0:
        return co
    parents = np.array([s[0] for s in ev.spins])
    spin_days = np.array([s[2] for s in ev.spins])
    life = (rng.exponential(1 / 0.026, n_new) * 252).astype(int) + 130
    exit_day = np.minimum(spin_days + life, len(days))
    exit_type = np.where(
        exit_day < len(days), rng.choice(["cash_acquisition", "stock_merger", "delisting"], n_new), ""
    ).astype(object)
    first_id = co.n
    new = dict(
        company_id=np.array([f"C{first_id + i + 1:05d}" for i in range(n_new)], dtype=object),
        kind=np.full(n_new, "spin_us", dtype=object),
        flag=np.full(n_new, "", dtype=object),
        subsector=co.subsector[parents],
        listing_day=spin_days,
        listing_date=days[spin_days],
        exit_day=exit_day,
        exit_type=exit_type,
        anchor_day=spin_days,
        anchor_cap=co.anchor_cap[parents] * 0.2,  # provisional, used only for factor loadings
        anchor_price=np.ones(n_new),  # set from the parent's price on the ex-date
        value_score=rng.standard_normal(n_new),
        countries=np.tile(np.array(["US", "US", "US", "US", "US"], dtype=object), (n_new, 1)),
        name=np.array(
            [f"{co.name[p].rsplit(' ', 2)[0]} Spinco {i + 1}" for i, p in enumerate(parents)], dtype=object
        ),
        ticker=np.array([f"{co.ticker[p]}S" for p in parents], dtype=object),
    )
    merged = {f.name: np.concatenate([getattr(co, f.name), new[f.name]]) for f in dataclasses.fields(co)}
    ev.spins = [(p, first_id + i, d, f, q) for i, (p, _, d, f, q) in enumerate(ev.spins)]
    return Companies(**merged)


def _main_prices(
    co: Companies, ev: Events, log_path: np.ndarray, anchor_level: np.ndarray, shares: _ShareHistory
) -> np.ndarray:
    """(n_days, n_companies) close of each company's main line: anchor_price where the path is at anchor_level."""
    # spin children: value spun off = f / (1 - f) of the parent's value on the ex-date (after the drop)
    for parent, child, day, f, q in ev.spins:
        parent_close = co.anchor_price[parent] * np.exp(log_path[day, parent] - anchor_level[parent])
        parent_cap = parent_close * shares.effective_shares_at(parent, day)
        child_cap = parent_cap * f / (1.0 - f)
        child_shares = q * shares.effective_shares_at(parent, day)
        co.anchor_price[child] = child_cap / child_shares
        co.anchor_cap[child] = child_cap
        shares.set_spin_child(child, child_shares)
    price = np.exp(log_path - anchor_level[None, :]) * co.anchor_price[None, :]
    return price


class _ShareHistory:
    """Shares outstanding and float per line through time: quarterly issuance/buybacks, float drift, lock-ups,
    splits and merger issuance. Company shares are tracked in main-class equivalents."""

    def __init__(self, rng: np.random.Generator, co: Companies, lines: Lines, ev: Events, days: np.ndarray):
        self.co, self.lines, self.ev, self.days = co, lines, ev, days
        n_days = len(days)
        self.base = co.anchor_cap / co.anchor_price  # main-class-equivalent shares on the anchor day
        quarter = days.astype("datetime64[M]").astype(int) // 3
        quarter_first = np.flatnonzero(np.r_[True, np.diff(quarter) != 0])
        self.points: dict[
            int, list[tuple[int, float, float]]
        ] = {}  # company -> [(day, log level, float mult)]
        splits: dict[int, list[tuple[int, float]]] = {}
        for c, d, r in ev.splits:
            splits.setdefault(c, []).append((d, r))
        self.splits = splits
        self.mergers_in: dict[int, list[tuple[int, float]]] = {}
        for c in range(co.n):
            start, stop = int(co.listing_day[c]), int(co.exit_day[c])
            jitter = int(rng.integers(25, 45))
            updates = quarter_first + jitter
            updates = updates[(updates > start) & (updates < min(stop, n_days))]
            growth = rng.normal(0.002, 0.008, len(updates))
            float_moves = np.where(
                rng.random(len(updates)) < 0.04, rng.uniform(0.85, 1.12, len(updates)), 1.0
            )
            events = [(start, 0.0, 1.0)]
            events += [
                (int(d), float(g), float(m)) for d, g, m in zip(updates, growth, float_moves, strict=True)
            ]
            events += [(d, float(np.log(r)), 1.0) for d, r in splits.get(c, [])]
            if co.kind[c] == "ipo_us" and start + 126 < stop:
                events.append((start + 126, 0.0, -1.0))  # lock-up expiry: float rises to its normal level
            events.sort(key=lambda e: e[0])
            self.points[c] = events
        self.ipo_float = rng.uniform(0.12, 0.35, co.n)
        self._levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def set_spin_child(self, child: int, shares_on_ex_date: float) -> None:
        self.base[child] = shares_on_ex_date
        self._levels.pop(child, None)

    def _level_points(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """Days and log share level (relative to the anchor day) of each change point of company c."""
        if c not in self._levels:
            events = self.points[c] + [(d, float(np.log1p(k)), 1.0) for d, k in self.mergers_in.get(c, [])]
            events.sort(key=lambda e: e[0])
            days = np.array([e[0] for e in events])
            level = np.cumsum([e[1] for e in events])
            anchor = int(self.co.anchor_day[c])
            # merger issuance is not part of the anchor normalisation: acquirers grow by what they buy
            organic = np.cumsum([e[1] for e in sorted(self.points[c], key=lambda e: e[0])])
            organic_days = np.array([e[0] for e in sorted(self.points[c], key=lambda e: e[0])])
            at_anchor = organic[max(np.searchsorted(organic_days, anchor, "right") - 1, 0)]
            self._levels[c] = (days, level - at_anchor)
        return self._levels[c]

    def effective_shares_at(self, c: int, day: int) -> float:
        days, level = self._level_points(c)
        i = max(int(np.searchsorted(days, day, "right")) - 1, 0)
        return float(self.base[c] * np.exp(level[i]))

    def split_factor(self, c: int, day_index: np.ndarray) -> np.ndarray:
        """Cumulative split ratio at each day, relative to the anchor day (1 for most companies)."""
        factor = np.ones(len(day_index))
        for d, r in self.splits.get(c, []):
            factor *= np.where(day_index >= d, r, 1.0)
            if d <= self.co.anchor_day[c]:
                factor /= r
        return factor

    def apply_mergers(self, main_price: np.ndarray) -> dict[int, tuple[float, float]]:
        """Fill in stock-merger terms from prices and grow each acquirer's shares; target -> (ratio, cash)."""
        terms: dict[int, tuple[float, float]] = {}
        for target, acquirer, day, cash_fraction in self.ev.mergers:
            value = main_price[day - 1, target]
            ratio = round(value * (1.0 - cash_fraction) / main_price[day - 1, acquirer], 6)
            cash = round(value * cash_fraction, 4)
            issued = ratio * self.effective_shares_at(target, day - 1)
            k = issued / self.effective_shares_at(acquirer, day - 1)
            self.mergers_in.setdefault(acquirer, []).append((day, k))
            self._levels.pop(acquirer, None)
            terms[target] = (ratio, cash)
        return terms

    def table(self) -> pa.Table:
        co, lines, days = self.co, self.lines, self.days
        ids, dates, outstanding, available, votes = [], [], [], [], []
        for li in range(lines.n):
            c = int(lines.company[li])
            if lines.fraction[li] == 0.0:  # preferred, warrant, unit ...: one fixed share count
                ids.append(lines.security_id[li])
                dates.append(co.listing_date[c])
                outstanding.append(lines.fixed_shares[li])
                available.append(round(lines.fixed_shares[li] * lines.float_factor[li]))
                votes.append(lines.votes[li])
                continue
            point_days, level = self._level_points(c)
            float_now = self.ipo_float[c] if co.kind[c] == "ipo_us" else lines.float_factor[li]
            events = dict((d, m) for d, _, m in self.points[c])
            for j, d in enumerate(point_days):
                move = events.get(int(d), 1.0)
                if move == -1.0:
                    float_now = lines.float_factor[li]
                elif move != 1.0 and lines.float_factor[li] >= 0.06 and co.flag[c] != "low_voting":
                    float_now = float(np.clip(float_now * move, 0.06, 1.0))
                if j + 1 < len(point_days) and point_days[j + 1] == d:
                    continue  # several changes on one day: publish the last state once
                total = round(
                    self.base[c] * np.exp(level[j]) * lines.fraction[li] / lines.conversion_ratio[li]
                )
                ids.append(lines.security_id[li])
                dates.append(co.listing_date[c] if d == co.listing_day[c] else days[d])
                outstanding.append(float(total))
                available.append(float(np.floor(total * float_now)))
                votes.append(lines.votes[li])
        table = pa.table(
            {
                "security_id": pa.array(ids, pa.string()),
                "effective_date": pa.array(np.array(dates, dtype="datetime64[D]"), pa.date32()),
                "shares_outstanding": pa.array(outstanding, pa.float64()),
                "available_shares": pa.array(available, pa.float64()),
                "votes_per_share": pa.array(votes, pa.float64()),
            }
        )
        return table.sort_by([("security_id", "ascending"), ("effective_date", "ascending")])


def _prices_table(
    rng, co: Companies, lines: Lines, log_path, anchor_level, main_price, shares, days
) -> pa.Table:
    date_parts, id_parts, close_parts, volume_parts = [], [], [], []
    turnover = np.clip(0.006 * np.exp(0.35 * rng.standard_normal(co.n)), 0.001, 0.05)
    turnover[co.kind == "etf"] = 0.03
    turnover[co.kind == "otc"] = 0.001
    for li in np.flatnonzero(lines.listed):
        c = int(lines.company[li])
        lo, hi = int(lines.listing_day[li]), int(min(lines.exit_day[li], len(days)))
        if hi <= lo:
            continue
        span = np.arange(lo, hi)
        if lines.fraction[li] > 0:
            close = main_price[lo:hi, c] * lines.price_multiple[li]
            traded = (
                shares.base[c]
                * lines.fraction[li]
                / lines.conversion_ratio[li]
                * shares.split_factor(c, span)
            )
            traded *= max(lines.float_factor[li], 0.05)
        else:
            rel = log_path[lo:hi, c] - anchor_level[c]
            close = lines.price_multiple[li] * np.exp(lines.aux_beta[li] * rel)
            traded = np.full(hi - lo, lines.fixed_shares[li])
        daily_move = np.abs(np.diff(np.log(np.maximum(close, 1e-4)), prepend=np.log(max(close[0], 1e-4))))
        noise = np.exp(0.45 * rng.standard_normal(hi - lo) - 0.1)
        volume = np.round(
            traded * turnover[c] * lines.volume_multiple[li] * noise * (1.0 + 10.0 * daily_move)
        )
        close = np.where(close >= 1.0, np.round(close, 2), np.round(close, 4))
        date_parts.append(days[lo:hi])
        id_parts.append(np.full(hi - lo, li, dtype=np.int32))
        close_parts.append(np.maximum(close, 0.0001))
        volume_parts.append(volume.astype(np.int64))
    line_idx = np.concatenate(id_parts)
    table = pa.table(
        {
            "date": pa.array(np.concatenate(date_parts), pa.date32()),
            "security_id": pa.DictionaryArray.from_arrays(
                pa.array(line_idx), pa.array(lines.security_id, pa.string())
            ).cast(pa.string()),
            "close": pa.array(np.concatenate(close_parts), pa.float64()),
            "volume": pa.array(np.concatenate(volume_parts), pa.int64()),
        }
    )
    return table  # already ordered by security, then date


def _securities_table(co: Companies, lines: Lines, days: np.ndarray) -> pa.Table:
    c = lines.company
    delisted = lines.exit_day < len(days)
    delisting = np.where(delisted, days[np.minimum(lines.exit_day, len(days) - 1)], np.datetime64("NaT"))
    countries = co.countries[c]
    blank_to_null = (
        [None if v == "" else v for v in countries[:, 3]],
        [None if v == "" else v for v in countries[:, 4]],
    )
    return pa.table(
        {
            "security_id": pa.array(lines.security_id, pa.string()),
            "company_id": pa.array(co.company_id[c], pa.string()),
            "ticker": pa.array(lines.ticker, pa.string()),
            "name": pa.array(lines.name, pa.string()),
            "security_type": pa.array(lines.security_type, pa.string()),
            "exchange": pa.array(lines.exchange, pa.string()),
            "country_incorporation": pa.array(countries[:, 0], pa.string()),
            "country_headquarters": pa.array(countries[:, 1], pa.string()),
            "country_most_liquid": pa.array(countries[:, 2], pa.string()),
            "listing_date": pa.array(co.listing_date[c].astype("datetime64[D]"), pa.date32()),
            "delisting_date": pa.array(delisting.astype("datetime64[D]"), pa.date32()),
            "conversion_ratio": pa.array(lines.conversion_ratio, pa.float64()),
            "country_assets": pa.array(blank_to_null[0], pa.string()),
            "country_revenue": pa.array(blank_to_null[1], pa.string()),
        }
    )


def _actions_table(co, lines: Lines, ev: Events, merger_terms, main_price, days) -> pa.Table:
    rows: list[tuple] = []  # (ex_day, security_id, action_type, cash, ratio, related)
    main_line = {}
    for li in range(lines.n):
        main_line.setdefault(int(lines.company[li]), lines.security_id[li])
    common_lines: dict[int, list[int]] = {}
    all_lines: dict[int, list[int]] = {}
    for li in range(lines.n):
        c = int(lines.company[li])
        all_lines.setdefault(c, []).append(li)
        if lines.fraction[li] > 0:
            common_lines.setdefault(c, []).append(li)

    for kind, items in (("cash_dividend", ev.dividends), ("special_dividend", ev.specials)):
        for c, d, y in items:
            rows.append((d, main_line[c], kind, round(y * main_price[d - 1, c], 4), None, None))
    for c, d, r in ev.splits:
        for li in common_lines[c]:
            rows.append((d, lines.security_id[li], "split", None, r, None))
    for parent, child, d, _f, q in ev.spins:
        rows.append((d, main_line[parent], "spin_off", None, q, main_line[child]))
    mergers = {t: (a, d) for t, a, d, _ in ev.mergers}
    for c in np.flatnonzero(co.exit_type != ""):
        d, kind = int(co.exit_day[c]), co.exit_type[c]
        for li in all_lines[c]:
            sid, cr = lines.security_id[li], lines.conversion_ratio[li]
            if lines.fraction[li] == 0 and kind in ("cash_acquisition", "stock_merger"):
                rows.append((d, sid, "delisting", None, None, None))
            elif kind == "cash_acquisition":
                rows.append((d, sid, kind, round(main_price[d - 1, c] * cr * 1.001, 4), None, None))
            elif kind == "stock_merger":
                ratio, cash = merger_terms[c]
                rows.append(
                    (d, sid, kind, round(cash * cr, 4), round(ratio * cr, 6), main_line[mergers[c][0]])
                )
            else:
                rows.append((d, sid, kind, None, None, None))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return pa.table(
        {
            "action_id": pa.array([f"A{i + 1:07d}" for i in range(len(rows))], pa.string()),
            "security_id": pa.array([r[1] for r in rows], pa.string()),
            "ex_date": pa.array(days[[r[0] for r in rows]].astype("datetime64[D]"), pa.date32()),
            "action_type": pa.array([r[2] for r in rows], pa.string()),
            "cash_amount": pa.array([r[3] for r in rows], pa.float64()),
            "ratio": pa.array([r[4] for r in rows], pa.float64()),
            "related_security_id": pa.array([r[5] for r in rows], pa.string()),
        }
    )


def write_market(market: Market, out_dir: Path) -> dict[str, Path]:
    """Write one file per contract table (the directory's previous contract files are replaced) and
    ``market.json`` (the market's size and the rule overrides for it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, table in market.tables.items():
        columns = TABLES_BY_NAME[name].column_names
        table = table.select([c for c in columns if c in table.column_names])
        for stale in out_dir.glob(f"{name}.*"):
            stale.unlink()
        if name == "prices" and market.config.prices_format == "parquet":
            path = out_dir / "prices.parquet"
            # in date order, so each row group spans a few months and its min/max statistics let a reader of one
            # day (`indexpipe day`'s check) skip the other 15 of the default market's 16 groups: 1-1.5 s -> 0.02 s
            table = table.sort_by([("date", "ascending"), ("security_id", "ascending")])
            pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
        else:
            path = out_dir / f"{name}.csv"
            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        written[name] = path
    config = market.config
    # the breakpoint ranks a build applies to this market (scaled below the calibrated size; see market_scale)
    write_market_file(
        out_dir,
        {"seed": config.seed, "companies": config.companies, "start": config.start, "end": config.end},
        scaled_ranks(config.companies, project_vars()),
    )
    return written
