"""Back-test of the reconstitution preview (docs/preview.md): each projected preview scored against what its rank
day then determined.

For every company of a projected preview that is still in the reconstitution's rank-day universe, the outcome that
happened is its core index after the reconstitution (the determined preview's projected index) compared with its
core index on the preview date: addition, deletion, migration up or down, or stay. Scores per number of sessions
before the rank day:
  * precision and recall of the likely calls (a change whose probability is at least 0.5): precision = calls whose
    change happened / calls, recall = changes called / changes that happened;
  * the Brier score, the mean over companies of sum_k (p_k - o_k)^2 over the five outcomes (o_k = 1 for the one
    that happened); 0 is perfect, and "nobody changes" scores 2 x the share of companies that changed;
  * unseen: changes of companies the preview could not see (not listed, or not alive, on the preview date).
calibrate() recomputes the probabilities from the edges and volatilities the mart records for other volatility
scales and bases, so the model's one free parameter is chosen on the Brier score.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

OUTCOMES = ("addition", "deletion", "migration_up", "migration_down", "stay")
LEVELS: dict[str | None, int] = {None: 0, "RMICRO": 1, "R2000": 2, "R1000": 3}
FIXED_REASONS = {
    "excluded_security_type", "ineligible_exchange", "non_us", "no_rank_day_price", "float_below_min",
    "voting_rights_below_min",
}  # fmt: skip
LIKELY = 0.5


@dataclass(frozen=True)
class Scored:
    """One company of one projected preview, with what happened."""

    sessions_before: int
    preview_id: str
    company_id: str
    current: str | None
    actual: str | None
    probabilities: tuple[float, float, float, float, float]  # in the order of OUTCOMES

    @property
    def outcome(self) -> str:
        return outcome(self.current, self.actual)


@dataclass(frozen=True)
class Score:
    sessions_before: int
    previews: int
    companies: int
    changes: int  # changes that happened among the scored companies
    calls: int  # likely calls
    hits: int  # likely calls whose change happened
    caught: int  # changes that happened and were called likely
    brier: float
    brier_no_change: float
    unseen: int = 0

    @property
    def precision(self) -> float:
        return self.hits / self.calls if self.calls else float("nan")

    @property
    def recall(self) -> float:
        return self.caught / self.changes if self.changes else float("nan")


def outcome(current: str | None, after: str | None) -> str:
    now, then = LEVELS[current], LEVELS[after]
    if now == then:
        return "stay"
    if now == 0:
        return "addition"
    if then == 0:
        return "deletion"
    return "migration_up" if then > now else "migration_down"


def likely_call(probabilities: Sequence[float]) -> str | None:
    return next((o for o, p in zip(OUTCOMES[:4], probabilities, strict=False) if p >= LIKELY), None)


def score(rows: Iterable[Scored], unseen: dict[int, int] | None = None) -> list[Score]:
    """Scores per sessions-before, from scored companies (``unseen``: changes the previews could not see)."""
    groups: dict[int, list[Scored]] = defaultdict(list)
    for row in rows:
        groups[row.sessions_before].append(row)
    scores = []
    for before, group in sorted(groups.items()):
        changes = calls = hits = caught = 0
        brier = 0.0
        for row in group:
            happened = row.outcome
            call = likely_call(row.probabilities)
            changes += happened != "stay"
            calls += call is not None
            hits += call is not None and call == happened
            caught += happened != "stay" and call == happened
            brier += sum((p - (o == happened)) ** 2 for o, p in zip(OUTCOMES, row.probabilities, strict=True))
        n = len(group)
        scores.append(
            Score(
                sessions_before=before,
                previews=len({r.preview_id for r in group}),
                companies=n,
                changes=changes,
                calls=calls,
                hits=hits,
                caught=caught,
                brier=brier / n,
                brier_no_change=2 * changes / n,
                unseen=(unseen or {}).get(before, 0),
            )
        )
    return scores


_ROWS = """
with projected as (
    select p.*, e.recon_type
    from main.fct_reconstitution_preview as p
    join intermediate.int_preview_events as e using (preview_id)
    where p.preview_basis = 'projected' and p.sessions_to_rank_day > 0 and e.recon_type like ?
),
determined as (
    select recon_id, company_id, current_index_code as rank_day_index_code, projected_index_code as after_index_code
    from main.fct_reconstitution_preview
    where preview_basis = 'determined'
    qualify row_number() over (partition by recon_id, company_id order by preview_date) = 1
)
select p.sessions_to_rank_day, p.preview_id, p.company_id, p.current_index_code, d.after_index_code,
    p.p_add, p.p_delete, p.p_migrate_up, p.p_migrate_down, p.p_stay,
    p.ineligible_reason, p.move_to_r3000e_pct, p.move_to_r3000_pct, p.move_to_r1000_pct,
    p.sigma_daily, p.sigma_relative_daily
from projected as p
join determined as d using (recon_id, company_id)
order by p.preview_id, p.company_id
"""

_UNSEEN = """
with projected as (
    select distinct p.preview_id, p.recon_id, p.sessions_to_rank_day
    from main.fct_reconstitution_preview as p
    join intermediate.int_preview_events as e using (preview_id)
    where p.preview_basis = 'projected' and p.sessions_to_rank_day > 0 and e.recon_type like ?
),
changed as (
    select recon_id, company_id
    from main.fct_reconstitution_preview
    where preview_basis = 'determined' and projected_change <> 'stay'
    qualify row_number() over (partition by recon_id, company_id order by preview_date) = 1
)
select v.sessions_to_rank_day, count(*)
from projected as v
join changed as c using (recon_id)
where c.company_id not in (
    select company_id from main.fct_reconstitution_preview as p where p.preview_id = v.preview_id)
group by all
"""


def _fetch(con: duckdb.DuckDBPyConnection, recon_type: str) -> list[tuple]:
    pattern = "%" if recon_type == "all" else recon_type
    return con.execute(_ROWS, [pattern]).fetchall()


def score_warehouse(con: duckdb.DuckDBPyConnection, recon_type: str = "june") -> list[Score]:
    """The marts' projected previews (of June reconstitutions by default; 'all' for every one) scored."""
    rows = scored_rows(con, recon_type)
    pattern = "%" if recon_type == "all" else recon_type
    unseen = {before: n for before, n in con.execute(_UNSEEN, [pattern]).fetchall()}
    return score(rows, unseen)


def _phi(x: float) -> float:
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def recomputed(row: tuple, scale: float, basis: str, median_sigma: float | None) -> tuple[float, ...]:
    """The five outcome probabilities of a mart row for another volatility ``scale`` and ``basis`` (the model of
    fct_reconstitution_preview: level thresholds from the recorded moves, a normal log move)."""
    n, current = row[0], row[3]
    reason, moves = row[10], row[11:14]
    sigma = row[14] if basis == "total" else row[15]
    sigma = median_sigma if sigma is None else sigma
    if reason in FIXED_REASONS:
        levels = [1.0, 0.0, 0.0, 0.0]
    else:
        # a recorded move m is the edge e^x - 1; none recorded = no edge on the way (x = -inf)
        xs = [-math.inf if m is None else math.log1p(m) for m in moves]
        sd = scale * (sigma or 0.0) * math.sqrt(n)
        cdf = [(1.0 if x > 0 else 0.0) if sd == 0 else _phi(x / sd) for x in xs]
        levels = [cdf[0], max(cdf[1] - cdf[0], 0.0), max(cdf[2] - cdf[1], 0.0), 1.0 - cdf[2]]
    now = LEVELS[current]
    add = 1 - levels[0] if now == 0 else 0.0
    delete = levels[0] if now > 0 else 0.0
    up = sum(levels[now + 1 :]) if now > 0 else 0.0
    down = sum(levels[1:now]) if now > 0 else 0.0
    return (add, delete, up, down, levels[now])


def scored_rows(con: duckdb.DuckDBPyConnection, recon_type: str = "june") -> list[Scored]:
    """The marts' projected previews with what happened, at the marts' own probabilities."""
    return [Scored(r[0], r[1], r[2], r[3], r[4], tuple(r[5:10])) for r in _fetch(con, recon_type)]  # type: ignore[arg-type]


def rescored_rows(
    con: duckdb.DuckDBPyConnection, scales: Sequence[float], bases: Sequence[str], recon_type: str = "june"
) -> dict[tuple[str, float], list[Scored]]:
    """The same rows with the probabilities recomputed for each volatility basis and scale."""
    raw = _fetch(con, recon_type)
    # a company without enough returns takes its preview's median volatility, as the mart does
    medians: dict[tuple[str, str], float | None] = {}
    for preview_id, total, relative in con.execute(
        "select preview_id, median(sigma_daily), median(sigma_relative_daily)"
        " from main.fct_reconstitution_preview group by preview_id"
    ).fetchall():
        medians[(preview_id, "total")], medians[(preview_id, "relative")] = total, relative
    return {
        (basis, scale): [
            Scored(r[0], r[1], r[2], r[3], r[4], recomputed(r, scale, basis, medians[(r[1], basis)]))
            for r in raw
        ]
        for basis in bases
        for scale in scales
    }


def calibrate(
    con: duckdb.DuckDBPyConnection,
    scales: Sequence[float],
    bases: Sequence[str] = ("relative", "total"),
    recon_type: str = "june",
) -> dict[tuple[str, float], list[Score]]:
    """Scores of the marts' previews for each volatility basis and scale (the probabilities recomputed)."""
    return {key: score(rows) for key, rows in rescored_rows(con, scales, bases, recon_type).items()}


def score_lines(scores: Sequence[Score]) -> list[str]:
    lines = [
        "sessions before  previews  companies  changes  likely calls  precision  recall   Brier  Brier(no change)  unseen",
    ]
    for s in scores:
        lines.append(
            f"{s.sessions_before:>15}  {s.previews:>8}  {s.companies:>9,}  {s.changes:>7,}  {s.calls:>12,}  "
            f"{s.precision:>9.3f}  {s.recall:>6.3f}  {s.brier:>6.4f}  {s.brier_no_change:>16.4f}  {s.unseen:>6,}"
        )
    return lines


def holdings_sides(con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, str]]) -> dict[str, str]:
    """Company -> core index after a reconstitution in ETF holdings files: R2000 when the R2000 file holds it,
    else R1000 when the R1000 (or R3000) file does. Tickers are matched as indexpipe compare matches them."""
    from indexpipe.importers.ishares_holdings import read_holdings
    from indexpipe.importers.tickers import TickerIndex, normalise

    companies: dict[str, str] = {}
    for ticker, company_id in con.execute(
        "select ticker, company_id from main.dim_security where ticker is not null order by ticker, security_id"
    ).fetchall():
        companies.setdefault(normalise(ticker), company_id)
    index = TickerIndex(companies)
    held: dict[str, set[str]] = {}
    for path, code in files:
        tickers = read_holdings(path).rows.column("ticker").to_pylist()
        held[code] = {c for t in tickers if (r := index.resolve(t)) is not None and (c := companies.get(r))}
    if "R2000" not in held or not ({"R1000", "R3000"} & held.keys()):
        raise ValueError("give an R2000 holdings file and an R1000 or R3000 one")
    large = held.get("R1000", held.get("R3000", set()))
    sides = dict.fromkeys(large - held["R2000"], "R1000")
    sides.update(dict.fromkeys(held["R2000"], "R2000"))
    return sides


def score_against_holdings(
    con: duckdb.DuckDBPyConnection, recon_id: str, files: Sequence[tuple[Path, str]]
) -> tuple[list[Score], int]:
    """The projected previews of ``recon_id`` scored against the changes ETF holdings show (real data, where the
    engine's own rank day is not the truth): the R1000/R2000 members of the composition before (the preview's
    current index) that the files hold on either side; members they hold on neither side are left out (a deletion
    cannot be told from a name the funds do not hold). Also returns how many were left out."""
    sides = holdings_sides(con, files)
    rows, left_out = [], 0
    for r in con.execute(
        """
        select sessions_to_rank_day, preview_id, company_id, current_index_code,
            p_add, p_delete, p_migrate_up, p_migrate_down, p_stay
        from main.fct_reconstitution_preview
        where recon_id = ? and preview_basis = 'projected' and sessions_to_rank_day > 0
          and current_index_code in ('R1000', 'R2000')
        order by preview_id, company_id
        """,
        [recon_id],
    ).fetchall():
        after = sides.get(r[2])
        if after is None:
            left_out += 1
            continue
        rows.append(Scored(r[0], r[1], r[2], r[3], after, tuple(r[4:9])))  # type: ignore[arg-type]
    return score(rows), left_out
