"""Same input, same bytes (decision 14): a market full of ties (tests/rules_fixtures.py ``tie_market``) is built
into a fresh warehouse twice, with the rows of every input file in their written order and shuffled, then again
into the first warehouse, over what its first build left there, with the rows reversed (a table is a set: an
ordering without a final tie-breaker follows the order rows arrive in, so this exposes it on a small market where
one thread would otherwise always see the same order; a build reloads every raw table and rebuilds every model with
``--full-refresh``, so the rerun sees only the reversed rows). Every published Parquet file must be byte-identical
across the three. The ties themselves are resolved by a stable id, checked by hand below; the audit of every
ordering is in docs/determinism.md."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from indexpipe.build import build
from indexpipe.settings import Settings
from indexpipe.warehouse.published import published_link
from recon_fixtures import SCALED_VARS, build_market
from rules_fixtures import DUO_LISTING, TIE_EXIT_DAY, TIE_SPLIT_DAY, tie_market
from test_recon_rules import _query, intervals, universe

Snapshots = tuple[Path, list[dict[str, bytes]]]


def _published(db: Path) -> dict[str, bytes]:
    """The published snapshot next to the warehouse (assets/quality.py ``published_marts``), file name -> bytes."""
    files = {p.name: p.read_bytes() for p in sorted(published_link(db).glob("*.parquet"))}
    assert files, f"no published snapshot beside {db}"
    return files


def _reorder_rows(directory: Path, order: str) -> None:
    """Rewrite every CSV of ``directory`` with its data rows reversed or shuffled (seeded); the header stays first."""
    for path in sorted(directory.glob("*.csv")):
        header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if order == "reversed":
            rows.reverse()
        else:
            random.Random(path.name).shuffle(rows)
        path.write_text(header + "".join(rows), encoding="utf-8")


@pytest.fixture(scope="module")
def tie_builds(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    market = tie_market()
    first = build_market(market, tmp_path_factory.mktemp("ties_written"))
    snapshots = [_published(first)]
    root = tmp_path_factory.mktemp("ties_shuffled")
    input_dir = market.write(root / "input")
    _reorder_rows(input_dir, "shuffled")
    build(Settings(input_dir=input_dir, duckdb_path=root / "w.duckdb"), dbt_vars=dict(SCALED_VARS))
    snapshots.append(_published(root / "w.duckdb"))
    # the same input, its rows reversed, into the first warehouse: a rerun and another order in one build
    input_dir = market.write(first.parent / "input")
    _reorder_rows(input_dir, "reversed")
    build(Settings(input_dir=input_dir, duckdb_path=first), dbt_vars=dict(SCALED_VARS))
    snapshots.append(_published(first))
    return first, snapshots


def test_published_marts_are_byte_identical_across_builds(
    tie_builds: Snapshots,
) -> None:
    _, snapshots = tie_builds
    first = snapshots[0]
    assert "fct_index_membership.parquet" in first and "fct_rank_day_universe.parquet" in first
    assert len(first) >= 10
    for n, other in enumerate(snapshots[1:], start=2):
        assert other.keys() == first.keys(), n
        differing = sorted(name for name in first if other[name] != first[name])
        assert differing == [], f"build {n} published different bytes for {differing}"


def test_ties_are_broken_by_stable_ids(tie_builds: Snapshots) -> None:
    db, _ = tie_builds
    u = universe(db, "2024-06")
    # caps ($B): T01 30, T02 20, T03 12, T04 8, T05 = T06 = 6, T07 3, T08 2.5, T09 2, T10 = T11 = 1.5, T12 = VT = 1,
    # EXITS 0.9, T13 = T14 = 0.8, SPL 0.7, T15 0.6: equal caps rank by company id
    ranks = {c: u[c]["size_rank"] for c in ("T05", "T06", "T10", "T11", "T12", "VT", "T13", "T14")}
    assert ranks == {"T05": 5, "T06": 6, "T10": 10, "T11": 11, "T12": 12, "VT": 13, "T13": 15, "T14": 16}
    # #10 is the R1000 breakpoint: T10 is in (by rank, a first reconstitution), T11 is not
    on = date(2024, 7, 1)
    assert {i for i, f, t, _ in intervals(db, "T10_1") if f <= on and (t is None or t > on)} >= {"R1000"}
    assert "R1000" not in {i for i, f, t, _ in intervals(db, "T11_1") if f <= on and (t is None or t > on)}
    # VT's two lines trade 500,000 a day with 8m available each: the pricing vehicle is the lower id, VT_A
    assert u["VT"]["pricing_security_id"] == "VT_A"
    # DUO's two lines first trade together on 2024-05-15 with equal figures (50m x $400 = $20B float cap each, above
    # the #6 breakpoint T06 $6B): one fast entry, the lower id DUO_A, after 05-15, 16, 17, 20, 21 -> from 05-22;
    # total cap 120m x $400 = $48B >= #2 ($20B): Top 50 and every index above it
    first_days = _query(
        db,
        "select security_id, first_trade_date from intermediate.int_ipo_first_days where company_id = 'DUO'",
    )
    assert sorted((r["security_id"], r["first_trade_date"]) for r in first_days) == [
        ("DUO_A", DUO_LISTING),
        ("DUO_B", DUO_LISTING),
    ]
    assert intervals(db, "DUO_A") == {
        (i, date(2024, 5, 22), None, "fast_entry_ipo")
        for i in ("R3000E", "R3000", "R1000", "RTOP500", "RTOP200", "RTOP50")
    }
    assert intervals(db, "DUO_B") == set()
    # ... and so for the thousand companies built the same way
    duo_lines = _query(
        db,
        "select distinct security_id from main.fct_index_membership where regexp_matches(company_id, '^DUO[0-9]{4}$') "
        "and valid_from = date '2024-05-22'",
    )
    assert len(duo_lines) == 1000 and all(r["security_id"].endswith("_A") for r in duo_lines)
    # DUOV's line B traded 200,000 shares on its first day and A 100,000: B is the IPO line
    assert {(i, f) for i, f, _, _ in intervals(db, "DUOV_B")} == {
        (i, date(2024, 5, 22)) for i in ("R3000E", "R3000", "R1000", "RTOP500", "RTOP200", "RTOP50")
    }
    assert intervals(db, "DUOV_A") == set()
    # EXITS (#14: R2000 from 2024-07-01) is delisted (X2) and bankrupt (X1) on the same ex-date, 07-08: the
    # bankruptcy is the reason (a bankruptcy explains an exit before a plain delisting), whatever the action ids
    exits = _query(db, "select * from intermediate.int_security_exits where security_id = 'EXITS_1'")
    assert [(r["exit_reason"], r["ex_date"], r["leaves_on"]) for r in exits] == [
        ("bankruptcy", TIE_EXIT_DAY, TIE_EXIT_DAY)
    ]
    deletions = _query(
        db,
        "select from_index_code, reason from main.fct_reconstitution_changes "
        "where security_id = 'EXITS_1' and change_type = 'deletion'",
    )
    assert deletions == [{"from_index_code": "R2000", "reason": "deleted: bankruptcy"}]
    # two splits of SPL_1 on one day (SP1 x1.2, then SP2 x1.1), after the 2024-07-01 June update (10m shares):
    # one state for the day, 10m x 1.2 x 1.1 = 13.2m index shares
    shares = _query(
        db,
        "select apply_date, update_kind, index_shares from intermediate.int_index_shares "
        "where security_id = 'SPL_1' order by apply_date",
    )
    assert [(r["apply_date"], r["update_kind"]) for r in shares] == [
        (date(2024, 7, 1), "june"),
        (TIE_SPLIT_DAY, "split"),
    ]
    assert [r["index_shares"] for r in shares] == [pytest.approx(10_000_000), pytest.approx(13_200_000)]
