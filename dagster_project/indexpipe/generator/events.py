"""Corporate events that shape prices and share counts: dividends, splits, spin-offs, exits and mergers.

Events are planned before prices are simulated, because each one is a jump in the log price path (a dividend
or a spin-off lowers the price on its ex-date, a split divides it). Deal terms that depend on prices (merger
ratios, cash per share) are filled in afterwards from the simulated closes, so the files stay consistent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexpipe.generator.universe import US_OPERATING, Companies

PER_YEAR = {"special": 10, "forward_split": 12, "reverse_split": 5, "stock_dividend": 3, "spin": 5}
# Fewest shares a consolidation may leave a company (main-class equivalents). The shares file rounds each line to
# whole shares and the input check holds a split's shares to its ratio within a factor 1.25: at 100 shares the
# rounding is at most 0.5% (2% for a line with a quarter of them), whereas over 24 years a penny stock consolidated
# again and again went from 6 shares to 0.6, published as 1 (x0.167 for a 1-for-10). The default market's
# smallest consolidation leaves 462 shares, so it keeps every split.
MIN_SHARES_AFTER_CONSOLIDATION = 100.0


@dataclass
class Events:
    # (company, day, fraction of price paid) for each ordinary quarterly dividend
    dividends: list[tuple[int, int, float]] = field(default_factory=list)
    specials: list[tuple[int, int, float]] = field(default_factory=list)
    splits: list[tuple[int, int, float]] = field(default_factory=list)  # (company, day, new shares per old)
    # (parent, child, day, value fraction spun off, new shares per parent share)
    spins: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    # (target, acquirer or -1, day, cash fraction of the deal value); ratios come from prices later
    mergers: list[tuple[int, int, int, float]] = field(default_factory=list)

    def log_jumps(self) -> list[tuple[int, int, float]]:
        """(company, day, log price change on that day) for every event that moves the price path."""
        jumps = [(c, d, float(np.log1p(-y))) for c, d, y in self.dividends + self.specials]
        jumps += [(c, d, -float(np.log(r))) for c, d, r in self.splits]
        jumps += [(p, d, float(np.log1p(-f))) for p, _, d, f, _ in self.spins]
        return jumps


def _alive(co: Companies, day: int) -> np.ndarray:
    return (co.listing_day <= day) & (co.exit_day > day)


def plan_events(rng: np.random.Generator, co: Companies, days: np.ndarray, scale: float) -> Events:
    ev = Events()
    n_days = len(days)
    us = np.isin(co.kind, US_OPERATING)
    _plan_dividends(rng, co, days, ev)

    years = days.astype("datetime64[Y]").astype(int)
    year_bounds = [
        (int(np.argmax(years == y)), int(len(years) - np.argmax(years[::-1] == y))) for y in np.unique(years)
    ]

    def per_year(kind: str):
        """Event days for ``kind``: at least one in every calendar year of the span, Poisson around the rate."""
        for first, stop in year_bounds:
            for _ in range(max(1, int(rng.poisson(PER_YEAR[kind] * scale * (stop - first) / 252)))):
                yield int(rng.integers(max(first, 1), stop))

    candidates = np.flatnonzero(us)
    for day in per_year("special"):
        pool = candidates[_alive(co, day)[candidates] & (co.exit_day[candidates] > day + 5)]
        if len(pool):
            ev.specials.append((int(rng.choice(pool)), day, float(rng.uniform(0.02, 0.12))))

    high_priced = us & (co.anchor_price >= 100)
    low_priced = np.isin(co.flag, ["penny"]) | (co.kind == "otc")
    consolidations = Consolidations(co.anchor_cap / co.anchor_price)
    for kind, eligible, ratios in (
        ("forward_split", high_priced, (2.0, 3.0, 4.0)),
        ("reverse_split", low_priced, (0.1, 0.2, 0.125)),
        ("stock_dividend", us, (1.05,)),
    ):
        for day in per_year(kind):
            alive = eligible & _alive(co, day) & (co.listing_day + 20 < day) & (co.exit_day > day + 20)
            if kind == "reverse_split":
                alive &= co.anchor_day < day  # penny stocks consolidate after the anchor day
            pool = np.flatnonzero(alive)
            if len(pool):
                company, ratio = int(rng.choice(pool)), float(rng.choice(ratios))
                # drawn either way, so the generator's later draws (and every market that skips none) stay the same
                if kind != "reverse_split" or consolidations.admit(company, ratio):
                    ev.splits.append((company, day, ratio))

    # Spin-offs come from plain, large US companies seasoned for a year; the child is appended by the caller.
    used: set[int] = set()
    for day in per_year("spin"):
        seasoned = (co.listing_day == 0) | (co.listing_day + 250 < day)
        alive = us & (co.flag == "") & (co.anchor_cap >= 2e9) & seasoned & _alive(co, day)
        pool = np.flatnonzero(alive & (co.exit_day > day + 250) & (day < n_days - 5))
        pool = np.array([p for p in pool if int(p) not in used])
        if len(pool) == 0:
            continue
        p = int(rng.choice(pool))
        used.add(p)
        ev.spins.append((p, -1, day, float(rng.uniform(0.08, 0.3)), float(rng.uniform(0.1, 1.0))))
    ev.spins.sort(key=lambda s: (s[2], s[0]))
    return ev


class Consolidations:
    """The reverse splits planned so far, against the shares each company has left.

    Reverse splits come after a company's anchor day, when it has ``anchor_shares``; its later shares are those
    times the ratios of its consolidations (issuance drifts them by a few percent, and stock dividends only add).
    The product is taken over every consolidation admitted, whatever its date: the fewest shares the company will
    have, so no split is admitted that a later-planned earlier one would push below the floor.
    """

    def __init__(self, anchor_shares: np.ndarray) -> None:
        self.anchor_shares = anchor_shares
        self.factor: dict[int, float] = {}

    def admit(self, company: int, ratio: float) -> bool:
        """True (and counted) when ``company`` keeps at least MIN_SHARES_AFTER_CONSOLIDATION after ``ratio``."""
        factor = self.factor.get(company, 1.0) * ratio
        if self.anchor_shares[company] * factor < MIN_SHARES_AFTER_CONSOLIDATION:
            return False
        self.factor[company] = factor
        return True


def _plan_dividends(rng: np.random.Generator, co: Companies, days: np.ndarray, ev: Events) -> None:
    """Quarterly ex-dates for payers: most large companies, REITs and utilities; few small ones."""
    n = co.n
    big = co.anchor_cap > 1e10
    p_pay = np.where(big, 0.75, 0.3)
    p_pay = np.where(
        np.isin(co.kind, ["closed_end_fund", "bdc", "royalty_trust", "limited_partnership"]), 0.95, p_pay
    )
    p_pay = np.where(np.isin(co.kind, ["spac", "otc", "adr"]) | (co.flag == "penny"), 0.0, p_pay)
    payers = np.flatnonzero(rng.random(n) < p_pay)
    annual_yield = np.clip(rng.lognormal(np.log(0.022), 0.6, n), 0.003, 0.11)
    high_yield = np.isin(co.kind, ["closed_end_fund", "bdc", "royalty_trust", "limited_partnership"])
    annual_yield[high_yield] *= 3.0
    quarter_of_day = (days.astype("datetime64[M]").astype(int)) // 3
    quarter_starts = np.flatnonzero(np.r_[True, np.diff(quarter_of_day) != 0])
    offsets = rng.integers(5, 55, size=n)
    for c in payers:
        ex_days = quarter_starts + offsets[c]
        ex_days = ex_days[
            (ex_days > co.listing_day[c] + 20) & (ex_days < co.exit_day[c]) & (ex_days < len(days))
        ]
        y = float(min(annual_yield[c], 0.3)) / 4.0
        ev.dividends.extend((int(c), int(d), y) for d in ex_days)


def choose_acquirers(rng: np.random.Generator, co: Companies, ev: Events) -> None:
    """Stock-merger targets get an acquirer alive after the deal: a larger member or an outsider."""
    us = np.isin(co.kind, US_OPERATING)
    outsiders = np.isin(co.kind, ["foreign", "adr"])
    for target in np.flatnonzero(co.exit_type == "stock_merger"):
        day = int(co.exit_day[target])
        alive_after = _alive(co, day) & (co.exit_day > day + 5) & (np.arange(co.n) != target)
        use_outsider = rng.random() < 0.25 or not us[target]
        pool = np.flatnonzero(alive_after & (outsiders if use_outsider else us & (co.flag == "")))
        pool = pool[co.anchor_cap[pool] >= co.anchor_cap[target]]
        if len(pool) == 0:
            co.exit_type[target] = "cash_acquisition"
            continue
        weights = np.sqrt(co.anchor_cap[pool])
        acquirer = int(rng.choice(pool, p=weights / weights.sum()))
        cash_fraction = float(rng.uniform(0.2, 0.5)) if rng.random() < 0.3 else 0.0
        ev.mergers.append((int(target), acquirer, day, cash_fraction))
    ev.mergers.sort(key=lambda m: (m[2], m[0]))
