"""Index membership on a date against ETF holdings files (iShares layout).

An ETF that tracks an index holds (nearly) its members, so a holdings file dated after a reconstitution is the
best public copy of the membership. Names are matched on tickers through one normaliser (importers/tickers.py).

Per file: precision and recall of the engine's members of that index, on the file's date. When the files cover
the R2000 and the R3000 (or R1000), the split: every name the ETFs hold is R2000 if the R2000 fund holds it and
R1000 otherwise, and the agreement is the share of the names the engine classifies (has in its R3000) that it
puts on the same side. Every disagreement is listed with the company's rank, cumulative cap percentage on the
rank day, its distance to the R1000 band edges, and a reason:

- data: the engine has no such security, or no rank-day price for it;
- eligibility: the engine found the company ineligible (non-US, type, float, price ...);
- line: the engine ranks the company in the R3000 but prices it with another class (this class is no index line);
- band: the company sits inside the R1000 band, where the side depends on the membership before;
- rank: outside the band, so the engine's total market cap ranks it on the other side, or below #3,000 (a cap or
  universe difference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from indexpipe.importers.ishares_holdings import read_holdings
from indexpipe.importers.tickers import TickerIndex


@dataclass(frozen=True)
class IndexAgreement:
    index_code: str
    as_of: date
    source: str
    etf_names: int  # equity rows of the file
    etf_names_with_data: int  # ... that the engine has as a security
    engine_members: int
    engine_members_held: int  # engine members the ETF universe holds (any file)
    both: int
    precision: float  # both / engine members held in the ETF universe
    recall: float  # both / ETF names with data
    recall_all: float  # both / every ETF name


@dataclass(frozen=True)
class Disagreement:
    ticker: str
    name: str | None
    etf_side: str
    engine_side: str | None
    reason: str
    size_rank: int | None
    cum_cap_pct: float | None
    distance_to_band_pct: float | None  # percentage points outside (+) or inside (-) the nearest band edge
    total_market_cap: float | None
    detail: str


@dataclass(frozen=True)
class SplitAgreement:
    as_of: date
    recon_id: str
    breakpoint_pct: float
    band: float
    breakpoint_cap: float | None
    classified: int
    agree: int
    not_classified: int  # ETF names the engine does not have in its R3000
    # on the classified names: engine R2000 and ETF R2000 (true positives), engine R2000, ETF R2000
    r2000_both: int = 0
    r2000_engine: int = 0
    r2000_etf: int = 0
    disagreements: tuple[Disagreement, ...] = field(default_factory=tuple)

    @property
    def agreement(self) -> float:
        return self.agree / self.classified if self.classified else float("nan")

    @property
    def r2000_precision(self) -> float:
        return self.r2000_both / self.r2000_engine if self.r2000_engine else float("nan")

    @property
    def r2000_recall(self) -> float:
        return self.r2000_both / self.r2000_etf if self.r2000_etf else float("nan")


@dataclass(frozen=True)
class MembershipComparison:
    indexes: tuple[IndexAgreement, ...]
    split: SplitAgreement | None


def _engine_lines(con: duckdb.DuckDBPyConnection, on: date) -> dict[str, dict]:
    """Every line with a ticker: its size indexes on ``on`` and its company's latest rank-day figures."""
    rows = con.execute(
        """
        with latest_recon as (
            select recon_id, rank_date from main.fct_rank_day_universe
            where effective_date < ? group by all order by rank_date desc limit 1
        ),
        size_members as (
            select m.security_id, list(m.index_code order by m.index_code) as indexes
            from main.fct_index_membership as m
            join main.dim_index as i using (index_code)
            where i.family = 'size' and m.valid_from <= ? and (m.valid_to is null or m.valid_to > ?)
            group by all
        )
        select s.security_id, s.ticker, s.name, s.company_id, coalesce(m.indexes, []) as indexes,
            u.size_rank, u.cum_cap_pct, u.total_market_cap, u.ineligible_reason, u.recon_id
        from main.dim_security as s
        left join size_members as m using (security_id)
        left join (
            select u.* from main.fct_rank_day_universe as u join latest_recon using (recon_id)
        ) as u using (company_id)
        where s.ticker is not null
        order by s.ticker, s.security_id
        """,
        [on, on, on],
    ).fetchall()
    names = ("security_id", "ticker", "name", "company_id", "indexes", "size_rank", "cum_cap_pct", "total_cap",
             "ineligible_reason", "recon_id")  # fmt: skip
    lines: dict[str, dict] = {}
    for row in rows:
        line = dict(zip(names, row, strict=True))
        # two lines with one ticker (a relisting): keep the one in an index, else the first
        if line["ticker"] not in lines or (line["indexes"] and not lines[line["ticker"]]["indexes"]):
            lines[line["ticker"]] = line
    return lines


def _breakpoint(con: duckdb.DuckDBPyConnection, recon_id: str, rank: int) -> tuple[float, float | None]:
    pct, cap = con.execute(
        "select max(cum_cap_pct) filter (where size_rank = ?), max(total_market_cap) filter (where size_rank = ?) "
        "from main.fct_rank_day_universe where recon_id = ?",
        [rank, rank, recon_id],
    ).fetchone()
    return pct, cap


def compare_membership(
    db: Path,
    files: list[tuple[Path, str]],
    on: date | None = None,
    *,
    rank_r1000: int = 1000,
    band_r1000: float = 0.025,
    rank_r3000: int = 3000,
) -> MembershipComparison:
    """Compare each (holdings file, index code) with the engine on the file's date (``on`` for a file without
    one)."""
    holdings = [(read_holdings(path), path, code) for path, code in files]
    with duckdb.connect(str(db), read_only=True) as con:
        agreements = []
        per_file = []
        for h, path, code in holdings:
            day = h.as_of or on
            if day is None:
                raise ValueError(f"{path}: the file has no 'Fund Holdings as of' date; give --date")
            lines = _engine_lines(con, day)
            index = TickerIndex(lines)
            etf = {}
            for ticker, name in zip(
                h.rows.column("ticker").to_pylist(), h.rows.column("name").to_pylist(), strict=True
            ):
                etf[index.resolve(ticker) or f"?{ticker}"] = name
            per_file.append((code, day, path, lines, etf))
        universe = {t for *_, etf in per_file for t in etf}
        for code, day, path, lines, etf in per_file:
            members = {t for t, line in lines.items() if code in line["indexes"]}
            with_data = {t for t in etf if t in lines}
            held = members & universe
            both = members & set(etf)
            agreements.append(
                IndexAgreement(
                    index_code=code,
                    as_of=day,
                    source=Path(path).name,
                    etf_names=len(etf),
                    etf_names_with_data=len(with_data),
                    engine_members=len(members),
                    engine_members_held=len(held),
                    both=len(both),
                    precision=len(both) / len(held) if held else float("nan"),
                    recall=len(both) / len(with_data) if with_data else float("nan"),
                    recall_all=len(both) / len(etf) if etf else float("nan"),
                )
            )
        split = _split(con, per_file, rank_r1000, band_r1000, rank_r3000)
    return MembershipComparison(tuple(agreements), split)


def _split(con, per_file, rank_r1000: int, band_r1000: float, rank_r3000: int) -> SplitAgreement | None:
    by_code = {code: (day, lines, etf) for code, day, _, lines, etf in per_file}
    if "R2000" not in by_code or not ({"R3000", "R1000"} & by_code.keys()):
        return None
    day, lines, small = by_code["R2000"]
    large_code = "R1000" if "R1000" in by_code else "R3000"
    large = by_code[large_code][2]
    etf_side = {t: "R2000" for t in small}
    for t in large:
        if t not in etf_side:
            etf_side[t] = "R1000"
    recon_id = next((line["recon_id"] for line in lines.values() if line["recon_id"]), None)
    if recon_id is None:
        return None
    pct, cap = _breakpoint(con, recon_id, rank_r1000)
    agree = classified = r2000_both = r2000_engine = r2000_etf = 0
    disagreements = []
    for ticker in sorted(etf_side):
        side = etf_side[ticker]
        line = lines.get(ticker)
        indexes = line["indexes"] if line else []
        engine = "R1000" if "R1000" in indexes else "R2000" if "R2000" in indexes else None
        if engine is not None:
            classified += 1
            r2000_engine += engine == "R2000"
            r2000_etf += side == "R2000"
            r2000_both += engine == side == "R2000"
            if engine == side:
                agree += 1
                continue
        disagreements.append(
            _disagreement(
                ticker,
                side,
                engine,
                line,
                pct,
                band_r1000,
                small.get(ticker) or large.get(ticker),
                rank_r3000,
            )
        )
    return SplitAgreement(
        as_of=day,
        recon_id=recon_id,
        breakpoint_pct=pct,
        band=band_r1000,
        breakpoint_cap=cap,
        classified=classified,
        agree=agree,
        not_classified=len(etf_side) - classified,
        r2000_both=r2000_both,
        r2000_engine=r2000_engine,
        r2000_etf=r2000_etf,
        disagreements=tuple(disagreements),
    )


def _disagreement(ticker, side, engine, line, pct, band, etf_name, rank_r3000: int) -> Disagreement:
    if line is None:
        return Disagreement(ticker.lstrip("?"), etf_name, side, None, "data", None, None, None, None,
                            "no security with this ticker in the input")  # fmt: skip
    cum, rank = line["cum_cap_pct"], line["size_rank"]
    distance = None
    if cum is not None and pct is not None:
        # outside the band: how far past the nearer edge; inside: minus the distance to the nearer edge
        low, high = pct - band, pct + band
        outside = cum < low or cum > high
        distance = 100 * (max(low - cum, cum - high) if outside else -min(cum - low, high - cum))
    reason_code = line["ineligible_reason"]
    if engine is None and reason_code in ("no_rank_day_price", None) and rank is None:
        reason, detail = "data", f"not ranked ({reason_code or 'not in the rank-day universe'})"
    elif engine is None and reason_code:
        reason, detail = "eligibility", f"ineligible: {reason_code}"
    elif engine is None and rank > rank_r3000:
        reason, detail, distance = (
            "rank",
            f"ranked #{rank:,}, below the R3000 cut at #{rank_r3000:,} (no band)",
            None,
        )
    elif engine is None:
        reason, detail, distance = "line", "the company is ranked, but another class is its index line", None
    elif distance is not None and distance <= 0:
        reason, detail = (
            "band",
            f"inside the band ({-distance:.2f} pp from its edge); side set by prior membership",
        )
    else:
        reason, detail = "rank", f"{distance:.2f} pp outside the band" if distance is not None else "no rank"
    return Disagreement(ticker, line["name"] or etf_name, side, engine, reason, rank, cum, distance,
                        line["total_cap"], detail)  # fmt: skip
