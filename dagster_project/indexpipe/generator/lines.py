"""Share lines of each company: the main line, extra listed or unlisted common classes, preferreds, warrants.

Each common line holds a fixed fraction of its company's shares in main-class equivalents (``fraction``);
``conversion_ratio`` converts a line's own shares into main-class shares, as in the input contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexpipe.generator.universe import US_OPERATING, Companies

MAIN_TYPE = {
    "etf": "etf", "mutual_fund": "mutual_fund", "closed_end_fund": "closed_end_fund", "bdc": "bdc",
    "royalty_trust": "royalty_trust", "limited_partnership": "limited_partnership", "llc": "llc",
    "spac": "spac", "adr": "adr",
}  # fmt: skip
COMMON_TYPES = ("common", "reit", "tracking_stock")


@dataclass
class Lines:
    company: np.ndarray  # index into Companies
    security_id: np.ndarray
    ticker: np.ndarray
    name: np.ndarray
    security_type: np.ndarray
    exchange: np.ndarray
    conversion_ratio: np.ndarray
    fraction: np.ndarray  # share of the company's main-class-equivalent shares (0 for non-common lines)
    float_factor: np.ndarray  # available / outstanding in normal times
    votes: np.ndarray
    price_multiple: np.ndarray  # close relative to the main line (x conversion ratio); aux lines: own level
    aux_beta: np.ndarray  # for non-common lines: sensitivity to the company's log path
    volume_multiple: np.ndarray
    fixed_shares: np.ndarray  # non-common lines: a fixed share count
    listing_day: np.ndarray
    exit_day: np.ndarray

    @property
    def n(self) -> int:
        return len(self.company)

    @property
    def listed(self) -> np.ndarray:
        return self.exchange != "UNLISTED"

    @property
    def is_common(self) -> np.ndarray:
        return np.isin(self.security_type, COMMON_TYPES)


def _exchange(rng: np.random.Generator, kind: str) -> str:
    options = {
        "etf": (("NYSE_ARCA", "NASDAQ", "CBOE"), (0.8, 0.1, 0.1)),
        "mutual_fund": (("NASDAQ",), (1.0,)),
        "otc": (("OTC",), (1.0,)),
        "spac": (("NASDAQ", "NYSE"), (0.7, 0.3)),
    }
    default = (("NASDAQ", "NYSE", "NYSE_AMERICAN", "CBOE"), (0.55, 0.40, 0.04, 0.01))
    names, p = options.get(kind, default)
    if kind in ("closed_end_fund", "bdc", "royalty_trust", "limited_partnership", "llc"):
        names, p = ("NYSE", "NASDAQ"), (0.8, 0.2)
    return str(rng.choice(names, p=p))


def _main_float(rng: np.random.Generator) -> float:
    return float(np.clip(1.0 - np.exp(np.log(0.1) + 0.9 * rng.standard_normal()), 0.08, 1.0))


def build_lines(rng: np.random.Generator, co: Companies, reit_subsectors: set[int]) -> Lines:
    rows: list[dict] = []
    low_float_seen = 0
    for c in range(co.n):
        kind, flag, ticker, name = co.kind[c], co.flag[c], co.ticker[c], co.name[c]
        if kind in MAIN_TYPE:
            sec_type = MAIN_TYPE[kind]
        elif flag == "tracking":
            sec_type = "tracking_stock"
        elif kind in US_OPERATING and co.subsector[c] in reit_subsectors:
            sec_type = "reit"
        else:
            sec_type = "common"
        main = dict(
            company=c, ticker=ticker, name=name, security_type=sec_type, exchange=_exchange(rng, kind),
            conversion_ratio=1.0, fraction=1.0, float_factor=_main_float(rng), votes=1.0, price_multiple=1.0,
            aux_beta=1.0, volume_multiple=1.0, fixed_shares=0.0,
        )  # fmt: skip
        extra: list[dict] = []
        if flag == "low_float":
            # the first two hit the 5% edge exactly: 5.000% passes, 4.9999% fails (docs/methodology.md §1)
            edges = (0.05, 0.049999)
            main["float_factor"] = (
                edges[low_float_seen] if low_float_seen < 2 else float(rng.uniform(0.01, 0.049))
            )
            low_float_seen += 1
        elif flag == "low_voting":
            # 100m listed A (1 vote, 65% float) + 300m unlisted B (10 votes): 65m / 3.1bn = 2.1% of votes
            main.update(fraction=0.25, float_factor=0.65)
            extra.append(_unlisted(main, 0.75))
        elif flag == "unlisted_class":
            u = float(rng.uniform(0.1, 0.5))
            main["fraction"] = 1.0 - u
            extra.append(_unlisted(main, u))
        elif flag == "second_class":
            share = float(rng.uniform(0.3, 0.6))
            main["fraction"] = 1.0 - share
            berkshire_like = rng.random() < 0.05
            ratio = 1500.0 if berkshire_like else 1.0
            extra.append(
                main
                | dict(
                    ticker=f"{ticker}.{'A' if berkshire_like else 'B'}",
                    name=f"{name} Class {'A' if berkshire_like else 'B'}",
                    conversion_ratio=ratio, fraction=share, float_factor=_main_float(rng),
                    price_multiple=ratio * float(1.0 + 0.01 * rng.standard_normal()),
                    # some pairs trade within 20% of each other: then most available shares decides
                    volume_multiple=float(rng.uniform(0.2, 1.15)) / (ratio if berkshire_like else 1.0),
                )
            )  # fmt: skip
        elif flag == "preferred":
            pref_type = "convertible_preferred" if rng.random() < 0.1 else "preferred"
            extra.append(_aux(rng, main, pref_type, ".PRA", "Preferred Series A", 25.0, 0.1, "NYSE"))
        if kind == "spac":
            if rng.random() < 0.6:
                extra.append(_aux(rng, main, "warrant", ".WS", "Warrants", 0.8, 1.5, main["exchange"]))
            if rng.random() < 0.5:
                extra.append(_aux(rng, main, "unit", ".U", "Units", 10.2, 1.0, main["exchange"]))
        rows.append(main)
        rows.extend(extra)

    # a few rights and trust receipts on random operating companies
    operating = np.flatnonzero(np.isin(co.kind, US_OPERATING) & (co.flag == ""))
    for i, c in enumerate(rng.choice(operating, size=min(8, len(operating)), replace=False)):
        base = next(r for r in rows if r["company"] == c)
        if i % 2 == 0:
            rows.append(_aux(rng, base, "right", ".RT", "Rights", 0.5, 1.0, base["exchange"]))
        else:
            rows.append(_aux(rng, base, "trust_receipt", ".TR", "Trust Receipts", 20.0, 1.0, "NYSE"))

    def col(key: str, dtype=object) -> np.ndarray:
        return np.array([r[key] for r in rows], dtype=dtype)

    company = col("company", int)
    return Lines(
        company=company,
        security_id=np.array([f"S{i + 1:06d}" for i in range(len(rows))], dtype=object),
        ticker=col("ticker"),
        name=col("name"),
        security_type=col("security_type"),
        exchange=col("exchange"),
        conversion_ratio=col("conversion_ratio", float),
        fraction=col("fraction", float),
        float_factor=col("float_factor", float),
        votes=col("votes", float),
        price_multiple=col("price_multiple", float),
        aux_beta=col("aux_beta", float),
        volume_multiple=col("volume_multiple", float),
        fixed_shares=col("fixed_shares", float),
        listing_day=co.listing_day[company].copy(),
        exit_day=co.exit_day[company].copy(),
    )


def _unlisted(main: dict, fraction: float) -> dict:
    return main | dict(
        ticker=f"{main['ticker']}.UNL", name=f"{main['name']} Class B (unlisted)", exchange="UNLISTED",
        fraction=fraction, float_factor=0.0, votes=10.0, volume_multiple=0.0,
    )  # fmt: skip


def _aux(
    rng, main: dict, sec_type: str, suffix: str, label: str, level: float, beta: float, exchange: str
) -> dict:
    return main | dict(
        ticker=f"{main['ticker']}{suffix}", name=f"{main['name']} {label}", security_type=sec_type,
        exchange=exchange, fraction=0.0, float_factor=float(rng.uniform(0.8, 1.0)), votes=0.0,
        price_multiple=level, aux_beta=beta, volume_multiple=0.05,
        fixed_shares=float(np.round(rng.uniform(2e6, 4e7), -3)),
    )  # fmt: skip
