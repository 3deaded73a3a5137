"""The closing summary of a build: what was built, what to look at, what to run next.

Read from the warehouse just built (read-only): every index's members on the last calculated date (from
``fct_index_membership``, in dim_index's order), the last price level of the Russell 1000, 2000 and 3000, and one
warning line naming the indexes without members on that date.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexpipe.settings import DBT_PROJECT_DIR
from indexpipe.warehouse import connect_read_only

HEADLINE_INDEXES = ("R1000", "R2000", "R3000")
_PER_LINE = 6


@dataclass(frozen=True)
class WarehouseSummary:
    last_date: date | None
    members: dict[str, int]  # index code -> members on last_date, in the order of the index seed
    levels: dict[str, float]  # price level on last_date of the headline indexes

    @property
    def empty(self) -> tuple[str, ...]:
        return tuple(code for code, n in self.members.items() if n == 0)


def _seed_order() -> dict[str, int]:
    with (DBT_PROJECT_DIR / "seeds" / "index_definitions.csv").open(newline="", encoding="utf-8") as fh:
        return {row["index_code"]: n for n, row in enumerate(csv.DictReader(fh))}


def read_summary(db: Path) -> WarehouseSummary:
    con = connect_read_only(db)
    try:
        last_date = con.execute("select max(date) from main.fct_index_levels").fetchone()[0]
        rows = con.execute(
            """
            select i.index_code, count(m.security_id)
            from main.dim_index as i
            left join main.fct_index_membership as m
                on m.index_code = i.index_code
                and m.valid_from <= ?
                and (m.valid_to is null or m.valid_to > ?)
            group by i.index_code
            """,
            [last_date, last_date],
        ).fetchall()
        levels = dict(
            con.execute(
                "select index_code, price_level from main.fct_index_levels where date = ? and index_code in "
                "(select unnest(?::varchar[]))",
                [last_date, list(HEADLINE_INDEXES)],
            ).fetchall()
        )
    finally:
        con.close()
    order = _seed_order()
    members = dict(sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[0])))
    return WarehouseSummary(last_date, members, {c: levels[c] for c in HEADLINE_INDEXES if c in levels})


def summary_lines(summary: WarehouseSummary) -> list[str]:
    """Members per index (several to a line), the headline levels, and one warning per empty index."""
    if summary.last_date is None:
        return ["warning: no index levels were calculated (the prices end before the first reconstitution)"]
    lines = [f"members on {summary.last_date} ({len(summary.members)} indexes):"]
    cells = [f"{code:<9}{n:>6,}" for code, n in summary.members.items()]
    lines += ["  " + "  ".join(cells[i : i + _PER_LINE]) for i in range(0, len(cells), _PER_LINE)]
    if summary.levels:
        levels = ", ".join(f"{code} {level:,.2f}" for code, level in summary.levels.items())
        lines.append(f"price levels on {summary.last_date}: {levels}")
    if empty := summary.empty:
        lines.append(
            f"warning: {len(empty)} of {len(summary.members)} indexes have no members on {summary.last_date}: "
            + ", ".join(empty)
        )
    return lines
