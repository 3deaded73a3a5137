"""The reconstitution preview and trade demand (docs/preview.md) on the crafted market of tests/preview_fixtures.py,
built twice (as written, and with rows dated after the preview date: that build runs only the preview mart, what it
is built from and its checks, all its test reads), plus the banding market of tests/recon_fixtures.py for the
rank-day identity (conftest.py's shared banding_warehouse, which has a preview on the 2024 rank day). Every
expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.cli import main
from indexpipe.preview.backtest import Scored, rescored_rows, score, score_warehouse, scored_rows
from indexpipe.report import Quarter, write_report
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.warehouse.published import published_link
from preview_fixtures import (
    EFFECTIVE_2024,
    PREVIEW_VARS,
    preview_date,
    preview_market,
)
from recon_fixtures import build_market
from report_html import drawn_charts, rendered_dom_or_skip

PREVIEW_MART = ("fct_reconstitution_preview",)
D = preview_date()  # 2024-04-02, 20 sessions before the rank day


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@pytest.fixture(scope="module")
def preview_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(preview_market(), tmp_path_factory.mktemp("preview"), PREVIEW_VARS)


@pytest.fixture(scope="module")
def preview_late_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # its test reads the preview mart only: the build runs it, what it is built from and its checks
    return build_market(
        preview_market(late_rows=True), tmp_path_factory.mktemp("preview_late"), PREVIEW_VARS, PREVIEW_MART
    )


@pytest.fixture(scope="module")
def banding_db(banding_warehouse: Path) -> Path:
    # conftest.py: the banding market (bands, the $1 rescue, Microcap band) with a preview on the 2024 rank day
    return banding_warehouse


def rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def preview_row(db: Path, company: str, on: date) -> dict:
    (row,) = rows(
        db,
        "select * from main.fct_reconstitution_preview where company_id = ? and preview_date = ?",
        [company, on],
    )
    return row


# ----------------------------------------------------------------------------------------------------
# which previews exist


def test_default_previews_are_40_20_10_sessions_before_the_rank_day_and_the_session_after(
    preview_db: Path,
) -> None:
    events = rows(preview_db, "select * from intermediate.int_preview_events order by preview_date")
    # 2023-06 has no composition before it (no initial list): no default preview. 2024-06: 40, 20, 10 sessions
    # before 2024-04-30 (03-04, 04-02, 04-16), the var's rank day itself, and the session after it (05-01)
    assert [
        (e["preview_date"], e["recon_id"], e["sessions_to_rank_day"], e["preview_basis"]) for e in events
    ] == [
        (date(2024, 3, 4), "2024-06", 40, "projected"),
        (date(2024, 4, 2), "2024-06", 20, "projected"),
        (date(2024, 4, 16), "2024-06", 10, "projected"),
        (date(2024, 4, 30), "2024-06", 0, "projected"),
        (date(2024, 5, 1), "2024-06", 0, "determined"),
    ]
    assert events[1]["in_force_recon_id"] == "2023-06"


# ----------------------------------------------------------------------------------------------------
# the probability model, by hand


def test_volatility_is_the_sample_deviation_of_60_daily_log_returns(preview_db: Path) -> None:
    (x,) = rows(
        preview_db,
        "select * from intermediate.int_preview_trading where preview_id = ? and company_id = 'X'",
        [f"2024-06@{D}"],
    )
    # 30 returns of +a and 30 of -a: mean 0, sample variance 60 a^2 / 59 with a = 0.02 sqrt(59/60) -> 0.02
    assert x["volatility_returns"] == 60
    assert x["sigma_daily"] == pytest.approx(0.02, abs=1e-12)
    # relative to the day's mean over the 31 eligible companies (X moves, 30 stand still): r - r/31 = r x 30/31
    assert x["sigma_relative_daily"] == pytest.approx(0.02 * 30 / 31, abs=1e-12)
    assert x["avg_daily_volume_20d"] == 100_000


def test_three_percent_below_the_band_edge_with_two_percent_volatility_and_20_sessions(
    preview_db: Path,
) -> None:
    x = preview_row(preview_db, "X", D)
    # X: R2000 member ranked #9 at 88.80%; the #10 breakpoint is at 90.00%, band 87.50%..92.50%; to move up X must
    # be above 87.50%, i.e. above company #8 (cumulative 87.50%, 133.9 units = 1.03 x X's 130)
    assert (x["projected_rank"], x["current_index_code"], x["projected_index_code"]) == (9, "R2000", "R2000")
    assert x["cum_cap_pct"] == pytest.approx(0.8880, abs=1e-12)
    assert x["breakpoint_pct"] == pytest.approx(0.90, abs=1e-12)
    assert (x["band_lower_pct"], x["band_upper_pct"]) == (pytest.approx(0.875), pytest.approx(0.925))
    assert x["band_edge_cap"] == pytest.approx(1.339e9, rel=1e-12)
    assert x["distance_to_edge_pct"] == pytest.approx(0.03, abs=1e-12)  # 133.9 / 130 - 1
    assert x["move_to_r1000_pct"] == pytest.approx(0.03, abs=1e-12)
    # move sd = 0.02 x sqrt(20) = 0.0894427; z = ln(1.03) / 0.0894427 = 0.0295588 / 0.0894427 = 0.330477
    # P(up) = 1 - Phi(0.330477) = 0.370520; the #25 edge (ln(39 / 130) = -1.204, z = -13.5) adds nothing
    assert x["sessions_to_rank_day"] == 20
    assert x["move_sd"] == pytest.approx(0.02 * math.sqrt(20), abs=1e-12)
    z = math.log(1.03) / (0.02 * math.sqrt(20))
    assert x["p_migrate_up"] == pytest.approx(1 - phi(z), abs=1e-6)
    assert x["p_migrate_up"] == pytest.approx(0.370520, abs=1e-6)
    assert x["p_stay"] == pytest.approx(0.629480, abs=1e-6)
    assert x["p_add"] == 0 and x["p_delete"] == pytest.approx(0, abs=1e-12)
    assert x["p_migrate_down"] == pytest.approx(0, abs=1e-12)
    total = x["p_add"] + x["p_delete"] + x["p_migrate_up"] + x["p_migrate_down"] + x["p_stay"]
    assert total == pytest.approx(1, abs=1e-12)


def test_fewer_sessions_left_narrow_the_move(preview_db: Path) -> None:
    # ten sessions before the rank day (2024-04-16, ten sessions after 04-02: X at its level, 130 again), its own
    # 60 returns to that day again 30 x (+a) and 30 x (-a): sigma 0.02; z = ln(1.03) / (0.02 sqrt(10))
    # = 0.0295588 / 0.0632456 = 0.467366, P(up) = 1 - Phi(0.467366) = 0.320119 (20 sessions: 0.370520)
    x = preview_row(preview_db, "X", date(2024, 4, 16))
    assert x["vehicle_close"] == 130
    assert x["sigma_daily"] == pytest.approx(0.02, abs=1e-12)
    z = math.log(1.03) / (0.02 * math.sqrt(10))
    assert x["p_migrate_up"] == pytest.approx(1 - phi(z), abs=1e-6)
    assert x["p_migrate_up"] == pytest.approx(0.320119, abs=1e-6)


def test_a_microcap_addition_and_deletion_at_the_4000th_edge(preview_db: Path) -> None:
    g, c30 = preview_row(preview_db, "G", D), preview_row(preview_db, "C30", D)
    # G (31 units, #30) joins the R3000E (Microcap) and C30 (30 units, #31) falls out of it. No volatility (constant
    # closes): the outcome is certain; G would leave if it fell below #31's cap: 30 / 31 - 1 = -3.23%
    assert (g["current_index_code"], g["projected_index_code"], g["projected_change"]) == (
        None,
        "RMICRO",
        "addition",
    )
    assert (g["p_add"], g["p_stay"]) == (1.0, 0.0)
    assert g["distance_to_edge_pct"] == pytest.approx(30 / 31 - 1, abs=1e-12)
    assert (c30["current_index_code"], c30["projected_index_code"]) == ("RMICRO", None)
    assert (c30["p_delete"], c30["p_stay"]) == (1.0, 0.0)
    assert c30["distance_to_edge_pct"] == pytest.approx(31 / 30 - 1, abs=1e-12)  # back above G


# ----------------------------------------------------------------------------------------------------
# the rank day and after it


def test_a_preview_dated_on_the_rank_day_is_the_reconstitution(banding_db: Path) -> None:
    # the banding market's 2024-06: bands at #10 and #20, the $1 rescue, deletions by rank and by price
    previewed = rows(
        banding_db,
        "select company_id, projected_rank, cum_cap_pct, current_index_code, projected_index_code, ineligible_reason,"
        " p_add, p_delete, p_migrate_up, p_migrate_down, p_stay from main.fct_reconstitution_preview"
        " where preview_date = date '2024-04-30' order by company_id",
    )
    chain = rows(
        banding_db,
        """
        select company_id, size_rank, cum_cap_pct,
            case when was_r1000 then 'R1000' when was_r3000 then 'R2000' when was_micro then 'RMICRO' end as before,
            case when in_r1000 then 'R1000' when in_r3000 then 'R2000' when in_micro then 'RMICRO' end as after,
            ineligible_reason
        from intermediate.int_reconstitution_chain
        where recon_id = '2024-06' and kind = 'universe' order by company_id
        """,
    )
    assert len(previewed) == len(chain) == 32  # A01..A30, M1..M5 among them, R1 and R2
    for p, c in zip(previewed, chain, strict=True):
        assert (p["company_id"], p["projected_rank"], p["current_index_code"], p["projected_index_code"]) == (
            c["company_id"], c["size_rank"], c["before"], c["after"],
        )  # fmt: skip
        assert p["ineligible_reason"] == c["ineligible_reason"]
        assert p["cum_cap_pct"] == c["cum_cap_pct"]
        # no session left: the rules' outcome is certain
        assert sorted([p["p_add"], p["p_delete"], p["p_migrate_up"], p["p_migrate_down"], p["p_stay"]]) == [
            0,
            0,
            0,
            0,
            1,
        ]


def test_after_the_rank_day_the_preview_holds_the_changes_it_determined(preview_db: Path) -> None:
    determined = rows(
        preview_db,
        "select company_id, projected_change, current_index_code, projected_index_code, p_add, p_delete, p_stay"
        " from main.fct_reconstitution_preview where preview_date = date '2024-05-01' and projected_change <> 'stay'"
        " order by company_id",
    )
    changes = rows(
        preview_db,
        "select company_id, from_index_code, to_index_code from main.fct_reconstitution_changes"
        " where recon_id = '2024-06' and change_type in ('addition', 'deletion', 'migration') order by company_id",
    )
    # G added to the Microcap, C30 deleted (ranked 31): X stays in the R2000 by the band
    assert (
        [(r["company_id"], r["current_index_code"], r["projected_index_code"]) for r in determined]
        == [(c["company_id"], c["from_index_code"], c["to_index_code"]) for c in changes]
        == [("C30", "RMICRO", None), ("G", None, "RMICRO")]
    )
    assert [(r["p_add"], r["p_delete"], r["p_stay"]) for r in determined] == [(0, 1, 0), (1, 0, 0)]


def test_the_weight_a_change_adds_or_removes(preview_db: Path) -> None:
    g = preview_row(preview_db, "G", date(2024, 5, 1))
    c30 = preview_row(preview_db, "C30", date(2024, 5, 1))
    # rank-day figures, float 80% everywhere so it cancels. The Microcap (outside the R2000) is #21-#30 both years
    # (the #20 band, 95.5%-96.5%, keeps C20 at 96.00% above it and C21 at 96.49% in it, as in 2023): after =
    # C21..C29 (49, 47, ..., 33: 369 units) + G 31 = 400 units; before = C21..C29 + C30 = 399 units
    assert g["projected_index_weight"] == pytest.approx(31 / 400, rel=1e-12)
    assert c30["current_index_weight"] == pytest.approx(30 / 399, rel=1e-12)


# ----------------------------------------------------------------------------------------------------
# trade demand, by hand


def test_trade_demand_of_an_addition_and_a_deletion(preview_db: Path) -> None:
    demand = {
        r["security_id"]: r
        for r in rows(
            preview_db,
            "select * from main.fct_reconstitution_trade_demand where recon_id = '2024-06' and index_code = 'R3000E'",
        )
    }
    g, c30, x = demand["G_1"], demand["C30_1"], demand["X_1"]
    assert (g["pricing_date"], g["is_effective"], g["tracking_assets_usd"]) == (EFFECTIVE_2024, True, 1.0e9)
    # closes on 2024-06-28 are the 2024 levels (X's back at 130). R3000E before (2023 composition): every company
    # but G = 10,000 - 31 + 30 = 9,999 units; after: every company but C30 = 10,000 units; float 80% cancels.
    # G: weight 0 -> 31 / 10,000 = 0.0031; 0.0031 x $1B = $3.1M; / $2.00 = 1,550,000 shares; / 100,000 a day = 15.5
    assert (g["change_type"], g["weight_before"]) == ("addition", 0.0)
    assert g["weight_change"] == pytest.approx(0.0031, rel=1e-12)
    assert g["shares_to_trade"] == pytest.approx(1_550_000, rel=1e-12)
    assert g["days_of_volume"] == pytest.approx(15.5, rel=1e-12)
    # C30: 30 / 9,999 = 0.0030003 -> 0; -0.0030003 x $1B / $30 = -100,010.001 shares, 1.0001 days
    assert c30["change_type"] == "deletion"
    assert c30["weight_change"] == pytest.approx(-30 / 9999, rel=1e-12)
    assert c30["shares_to_trade"] == pytest.approx(-30 / 9999 * 1e9 / 30, rel=1e-12)
    assert c30["days_of_volume"] == pytest.approx(30 / 9999 * 1e9 / 30 / 100_000, rel=1e-12)
    # a stayer is diluted: X 130 / 9,999 -> 130 / 10,000
    assert x["change_type"] == "decrease"
    assert x["weight_change"] == pytest.approx(130 / 10_000 - 130 / 9_999, rel=1e-9)
    # one-way turnover = the additions' and increases' weight = G's 0.0031 + every stayer's ... all stayers lose:
    # turnover = 0.0031 (and the weight changes sum to 0)
    assert g["index_one_way_turnover"] == pytest.approx(0.0031, rel=1e-9)
    assert sum(r["weight_change"] for r in demand.values()) == pytest.approx(0, abs=1e-12)


# ----------------------------------------------------------------------------------------------------
# point in time


def test_nothing_dated_after_the_preview_date_changes_it(preview_db: Path, preview_late_db: Path) -> None:
    sql = "select * from main.fct_reconstitution_preview where preview_date <= ? order by preview_date, company_id"
    before, late = rows(preview_db, sql, [D]), rows(preview_late_db, sql, [D])
    assert len(before) == 62  # 31 companies on 2024-03-04 and on 2024-04-02
    assert before == late
    # the late rows do reach the later previews (X at $195, G's shares ten-fold, LATE listed from 2024-04-03)
    later = "select * from main.fct_reconstitution_preview where preview_date = ? order by company_id"
    assert rows(preview_db, later, [date(2024, 4, 16)]) != rows(preview_late_db, later, [date(2024, 4, 16)])
    assert preview_row(preview_late_db, "X", date(2024, 4, 16))["vehicle_close"] == 195
    assert preview_row(preview_late_db, "LATE", date(2024, 4, 16))["current_index_code"] is None
    assert all(
        r["latest_input_date"] <= r["preview_date"] for r in rows(preview_late_db, sql, [date(2026, 1, 1)])
    )


# ----------------------------------------------------------------------------------------------------
# back-test, the command and the report page


def test_backtest_scores_computed_by_hand() -> None:
    rows = [
        # called up (0.7) and moved up: Brier (0.7 - 1)^2 + (0.3 - 0)^2 = 0.09 + 0.09 = 0.18
        Scored(10, "p", "A", "R2000", "R1000", (0.0, 0.0, 0.7, 0.0, 0.3)),
        # called up (0.6) but stayed: 0.6^2 + (0.4 - 1)^2 = 0.36 + 0.36 = 0.72
        Scored(10, "p", "B", "R2000", "R2000", (0.0, 0.0, 0.6, 0.0, 0.4)),
        # added, not called (0.4): (0.4 - 1)^2 + 0.6^2 = 0.72
        Scored(10, "p", "C", None, "RMICRO", (0.4, 0.0, 0.0, 0.0, 0.6)),
        # stayed in the R1000: 0.1^2 + 0.1^2 + (0.8 - 1)^2 = 0.06
        Scored(10, "p", "D", "R1000", "R1000", (0.0, 0.1, 0.0, 0.1, 0.8)),
    ]
    (s,) = score(rows, {10: 3})
    # changes A, C; calls A, B; hit A: precision 1/2, recall 1/2; Brier (0.18 + 0.72 + 0.72 + 0.06) / 4 = 0.42;
    # "nobody changes" = 2 x 2 / 4 = 1.0
    assert (s.companies, s.changes, s.calls, s.hits, s.caught, s.unseen) == (4, 2, 2, 1, 1, 3)
    assert (s.precision, s.recall) == (0.5, 0.5)
    assert s.brier == pytest.approx(0.42, abs=1e-12)
    assert s.brier_no_change == 1.0


def test_backtest_recomputes_the_marts_probabilities(preview_db: Path) -> None:
    # the calibration recomputes probabilities from the recorded edges and volatilities: at the build's own
    # setting (total volatility, scale 1) it must give the mart's numbers (within Phi's approximation, 7.5e-8)
    with duckdb.connect(str(preview_db), read_only=True) as con:
        marts = scored_rows(con)
        again = rescored_rows(con, [1.0], ["total"])[("total", 1.0)]
        scores = score_warehouse(con)
    assert len(marts) == len(again) == 3 * 31  # 40, 20 and 10 sessions before (the rank day's has none left)
    for a, b in zip(marts, again, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-7)
    # G's addition and C30's deletion are certain (no volatility) and called: precision and recall 1
    assert {s.sessions_before: (s.changes, s.calls, s.hits) for s in scores} == {
        10: (2, 2, 2),
        20: (2, 2, 2),
        40: (2, 2, 2),
    }


def test_the_command_adds_a_preview_date_through_a_run(
    preview_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(preview_db, db)
    monkeypatch.setenv(DBT_VARS_ENV, json.dumps(PREVIEW_VARS))
    before = rows(db, "select * from main.fct_reconstitution_preview order by preview_id, company_id")
    # a Saturday: the preview is dated the Friday before, 2024-04-12 (12 sessions before the rank day)
    assert main(["preview", "--date", "2024-04-13", "--db", str(db), "--out", str(tmp_path / "p.csv")]) == 0
    out = capsys.readouterr().out
    assert (
        "Preview of the 2024-06 reconstitution on 2024-04-12: 12 sessions to the rank day 2024-04-30" in out
    )
    assert "made by a run of the preview models" in out
    after = rows(db, "select * from main.fct_reconstitution_preview order by preview_id, company_id")
    added = [r for r in after if r["preview_date"] == date(2024, 4, 12)]
    assert len(added) == 31
    assert [r for r in after if r["preview_date"] != date(2024, 4, 12)] == before  # the others unchanged
    # X on its level (130) with 12 sessions left: z = ln(1.03) / (0.02 sqrt(12)) = 0.426654, P(up) = 0.334814
    x = next(r for r in added if r["company_id"] == "X")
    assert x["p_migrate_up"] == pytest.approx(1 - phi(math.log(1.03) / (0.02 * math.sqrt(12))), abs=1e-6)
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 32
    # the published snapshot has it too; asking again reads it
    published = duckdb.sql(
        f"select count(*) from '{published_link(db) / 'fct_reconstitution_preview.parquet'}' "
        "where preview_date = date '2024-04-12'"
    ).fetchall()[0][0]
    assert published == 31
    assert main(["preview", "--date", "2024-04-12", "--db", str(db)]) == 0
    assert "read from the marts" in capsys.readouterr().out
    # a date after the prices is refused in one line
    assert main(["preview", "--date", "2024-07-20", "--db", str(db)]) == 1
    assert "after the last price date 2024-07-10" in capsys.readouterr().err


def test_the_report_has_a_preview_page_when_a_reconstitution_is_near(
    preview_db: Path, tmp_path: Path
) -> None:
    q2 = write_report(preview_db, "R2000", Quarter(2024, 2), tmp_path / "q2.html")
    html = q2.path.read_text()
    # Q2 2024: the latest preview in the quarter is the determined one of 2024-05-01
    assert "Reconstitution preview" in html and 'data-exhibit="P1"' in html
    assert "Preview of the 2024-06 reconstitution on May 1, 2024" in html
    assert 'data-chart="exhibit-P1"' in html
    # the browser draws the chart: two traces (joining, leaving) with a bar each where the market has flows (G
    # joins and C30 leaves the Microcap: one bar each; the R1000 and R2000 bars have zero height)
    drawn = drawn_charts(rendered_dom_or_skip(q2.path))
    assert drawn["chart-P1"].svgs > 0 and drawn["chart-P1"].traces == 2
    assert drawn["chart-P1"].marks >= 2
    # Q3 2023 has no preview (the 2024-06 ones are dated from March 2024)
    q3 = write_report(preview_db, "R2000", Quarter(2023, 3), tmp_path / "q3.html")
    assert "Reconstitution preview" not in q3.path.read_text()
