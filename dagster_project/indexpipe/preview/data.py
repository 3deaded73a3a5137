"""A reconstitution preview read from the marts (read-only), for the command line and the report page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

CHANGES = ("addition", "deletion", "migration_up", "migration_down")
CORE_INDEXES = ("R1000", "R2000", "RMICRO")
LIKELY = 0.5  # a change is called likely from this probability


@dataclass(frozen=True)
class PreviewCompany:
    company_id: str
    ticker: str | None
    name: str | None
    current: str | None  # core index now: R1000, R2000, RMICRO or None
    projected: str | None
    rank: int | None
    cum_cap_pct: float | None
    total_market_cap: float | None
    distance: float | None  # distance_to_edge_pct
    p_add: float
    p_delete: float
    p_up: float
    p_down: float
    p_stay: float
    days_of_volume: float | None
    net_demand_usd: float | None
    p_in: dict[str | None, float]  # core index after (None: outside) -> probability

    def probability(self, change: str) -> float:
        return {
            "addition": self.p_add,
            "deletion": self.p_delete,
            "migration_up": self.p_up,
            "migration_down": self.p_down,
            "stay": self.p_stay,
        }[change]

    @property
    def likely_change(self) -> str | None:
        """The change whose probability is at least 0.5, if one is."""
        return next((c for c in CHANGES if self.probability(c) >= LIKELY), None)


@dataclass(frozen=True)
class Preview:
    preview_id: str
    preview_date: date
    recon_id: str
    basis: str  # projected or determined
    sessions_to_rank_day: int
    rank_date: date
    effective_date: date
    breakpoint_pct: float | None
    breakpoint_cap: float | None
    band_lower_pct: float | None
    band_upper_pct: float | None
    companies: tuple[PreviewCompany, ...]

    def expected(self, change: str) -> float:
        return sum(c.probability(change) for c in self.companies)

    def likely(self, change: str) -> list[PreviewCompany]:
        """Companies whose likely change is ``change``, most probable first (then larger caps)."""
        chosen = [c for c in self.companies if c.likely_change == change]
        return sorted(
            chosen, key=lambda c: (-c.probability(change), -(c.total_market_cap or 0), c.company_id)
        )

    def watch(self, change: str, low: float = 0.2) -> list[PreviewCompany]:
        """Companies with a ``change`` probability from ``low`` up to 0.5: the ones near an edge."""
        chosen = [c for c in self.companies if low <= c.probability(change) < LIKELY]
        return sorted(
            chosen, key=lambda c: (-c.probability(change), -(c.total_market_cap or 0), c.company_id)
        )

    def band_flows(self) -> dict[str, tuple[float, float]]:
        """Per core index, the expected number of companies joining it and leaving it."""
        return {
            code: (
                sum(c.p_in[code] for c in self.companies if c.current != code),
                sum(1 - c.p_in[code] for c in self.companies if c.current == code),
            )
            for code in CORE_INDEXES
        }


def previews_in(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[str]:
    """Preview ids dated from ``first`` to ``last``, latest first."""
    return [
        row[0]
        for row in con.execute(
            """
            select preview_id from main.fct_reconstitution_preview
            where preview_date between ? and ? group by all order by max(preview_date) desc, preview_id
            """,
            [first, last],
        ).fetchall()
    ]


def load_preview(con: duckdb.DuckDBPyConnection, preview_id: str) -> Preview:
    head = con.execute(
        """
        select p.preview_date, p.recon_id, p.preview_basis, p.sessions_to_rank_day, e.rank_date, e.effective_date,
            max(p.breakpoint_pct), max(p.breakpoint_cap), max(p.band_lower_pct), max(p.band_upper_pct)
        from main.fct_reconstitution_preview as p
        join intermediate.int_preview_events as e using (preview_id)
        where p.preview_id = ?
        group by all
        """,
        [preview_id],
    ).fetchone()
    if head is None:
        raise LookupError(f"no preview {preview_id}")
    companies = tuple(
        PreviewCompany(*row[:16], p_in={"R1000": row[16], "R2000": row[17], "RMICRO": row[18], None: row[19]})
        for row in con.execute(
            """
            select p.company_id, s.ticker, s.name, p.current_index_code, p.projected_index_code, p.projected_rank,
                p.cum_cap_pct, p.total_market_cap, p.distance_to_edge_pct, p.p_add, p.p_delete, p.p_migrate_up,
                p.p_migrate_down, p.p_stay, p.days_of_volume, p.net_demand_usd,
                p.p_in_r1000, p.p_in_r2000, p.p_in_rmicro, p.p_outside
            from main.fct_reconstitution_preview as p
            left join main.dim_security as s on s.security_id = p.pricing_security_id
            where p.preview_id = ?
            order by p.projected_rank nulls last, p.company_id
            """,
            [preview_id],
        ).fetchall()
    )
    return Preview(preview_id, *head, companies)
