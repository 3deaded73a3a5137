"""Growth/Value and Defensive/Dynamic on a crafted market, against numbers worked out by hand (issue 5).

The market is tests/style_fixtures.py: two June reconstitutions, R1000 and R2000 of ten companies each. The
variables are given as ranks, so the standard scores are the ten (or nine) normal quantiles of the percentiles
(r - 0.5) / n, read from a table (project decision 2):

    n = 10: z1..z10 = -1.644854 -1.036433 -0.674490 -0.385320 -0.125661 0.125661 0.385320 0.674490 1.036433 1.644854
    n = 9:  z1..z9  = -1.593219 -0.967422 -0.589456 -0.282216 0 0.282216 0.589456 0.967422 1.593219

CVS = 0.5 z(B/P) - 0.25 z(growth) - 0.25 z(SPS growth). Hand values are rounded to 6 decimals, hence the
tolerance.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from recon_fixtures import build_market
from style_fixtures import style_market

TOL = 5e-6


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(style_market(), tmp_path_factory.mktemp("style"))


def _scores(db: Path, recon_id: str, base: str) -> dict[str, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(
            "select * from main.fct_style_scores "
            "where recon_id = ? and base_index_code = ? and event = 'reconstitution'",
            [recon_id, base],
        )
        names = [d[0] for d in cur.description]
        return {row[names.index("company_id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_ten_company_r1000_scores_breaks_and_probabilities(db: Path) -> None:
    rows = _scores(db, "2023-06", "R1000")
    assert sorted(rows) == list("ABCDEFGHIJ")
    # ranks (B/P, growth, SPS growth) -> CVS, e.g. D (4, 8, 6): 0.5(-0.385320) - 0.25(0.674490) - 0.25(0.125661)
    expected_cvs = {
        "A": -1.492749,  # (1, 10, 9): -0.822427 - 0.411214 - 0.259108
        "B": -1.188539,  # (2, 9, 10)
        "C": -0.602198,  # (3, 7, 8)
        "D": -0.392698,
        "E": -0.127746,  # (5, 5, 7)
        "F": 0.127746,  # (6, 6, 4)
        "G": 0.392698,  # (7, 3, 5)
        "H": 0.602198,  # (8, 4, 3)
        "I": 1.188539,  # (9, 2, 1)
        "J": 1.492749,  # (10, 1, 2)
    }
    for cid, cvs in expected_cvs.items():
        assert rows[cid]["cvs"] == pytest.approx(cvs, abs=TOL), cid
        assert rows[cid]["cvs_source"] == "computed"  # the first reconstitution: nothing to band against
    # sorted by CVS, float caps $12, 10, 8, 14, 6, 16, 9, 11, 7.5, 6.5B of $100B: cumulative 12, 22, 30 (XL = C),
    # 44, 50 (XM = E, exactly at 50%), 66, 75 (XU = G, exactly at 75%), 86, 93.5, 100
    cumulative = {"A": 0.12, "B": 0.22, "C": 0.30, "D": 0.44, "E": 0.50, "F": 0.66, "G": 0.75, "H": 0.86}
    for cid, pct in cumulative.items():
        assert rows[cid]["cvs_cum_cap_pct"] == pytest.approx(pct, abs=1e-12), cid
    for row in rows.values():
        assert row["cvs_xl"] == pytest.approx(expected_cvs["C"], abs=TOL)
        assert row["cvs_xm"] == pytest.approx(expected_cvs["E"], abs=TOL)
        assert row["cvs_xu"] == pytest.approx(expected_cvs["G"], abs=TOL)
    # at or below XL: pure growth; at XM: 50/50; at or above XU: pure value; linear in CVS in between:
    # D: 0.5 (-0.392698 + 0.602198) / (-0.127746 + 0.602198) = 0.5 x 0.209500 / 0.474452 = 0.220781
    # F: 0.5 + 0.5 (0.127746 + 0.127746) / (0.392698 + 0.127746) = 0.5 + 0.5 x 0.490913 = 0.745456
    expected_value = {
        "A": 0,
        "B": 0,
        "C": 0,
        "D": 0.220781,
        "E": 0.5,
        "F": 0.745456,
        "G": 1,
        "H": 1,
        "I": 1,
        "J": 1,
    }
    for cid, value in expected_value.items():
        assert rows[cid]["value_probability"] == pytest.approx(value, abs=TOL), cid
        assert rows[cid]["growth_probability"] == pytest.approx(1 - value, abs=TOL), cid


def test_ninety_five_percent_rule(db: Path) -> None:
    rows = _scores(db, "2023-06", "R2000")
    # 1 or 2 analysts blend the growth score with the sub-sector's mean (0 here: all ten in one sub-sector):
    # M (2, 2, 8), 1 analyst: growth score -1.036433 / 3 = -0.345478, CVS = -0.518217 + 0.086370 - 0.168623
    # S (7, 6, 2), 2 analysts: growth score 2/3 x 0.125661 = 0.083774, CVS = 0.192660 - 0.020944 + 0.259108
    expected_cvs = {"L": -0.862549, "M": -0.600470, "N": -0.572459, "O": -0.455030, "P": -0.005412,
                    "Q": 0.099081, "R": 0.127051, "S": 0.430824, "T": 0.444713, "K": 1.402263}  # fmt: skip
    for cid, cvs in expected_cvs.items():
        assert rows[cid]["cvs"] == pytest.approx(cvs, abs=TOL), cid
    # caps L 4.4, M 5.9, N 1.0, O 1.6, P 2.1, Q 5.6, R 1.3, S 1.7, T 5.0, K 5.8 ($34.4B): XL = M (29.9%),
    # XM = Q (59.9%), XU = T (83.1%)
    # N: 0.5 (-0.572459 + 0.600470) / (0.099081 + 0.600470) = 0.020021 < 0.05 -> pure growth
    # S: 0.5 + 0.5 (0.430824 - 0.099081) / (0.444713 - 0.099081) = 0.979909 > 0.95 -> pure value
    # O: 0.5 (-0.455030 + 0.600470) / 0.699551 = 0.103953 and R: 0.5 + 0.5 x 0.027970 / 0.345632 = 0.540463 stay
    assert rows["N"]["value_probability"] == 0.0 and rows["N"]["growth_probability"] == 1.0
    assert rows["S"]["value_probability"] == 1.0 and rows["S"]["growth_probability"] == 0.0
    assert rows["O"]["value_probability"] == pytest.approx(0.103953, abs=TOL)
    assert rows["R"]["value_probability"] == pytest.approx(0.540463, abs=TOL)


def test_cvs_band_keeps_a_small_move_in_the_same_core_index_only(db: Path) -> None:
    rows = _scores(db, "2024-06", "R1000")
    # B: 2 analysts in 2024: growth score 2/3 x 1.036433 = 0.690955, raw CVS -0.518217 - 0.172739 - 0.411214
    # = -1.102170, moved by 0.086369 <= 0.10 from -1.188539: keeps the old CVS
    assert rows["B"]["raw_cvs"] == pytest.approx(-1.102170, abs=TOL)
    assert rows["B"]["previous_cvs"] == pytest.approx(-1.188539, abs=TOL)
    assert rows["B"]["cvs"] == pytest.approx(-1.188539, abs=TOL)
    assert rows["B"]["cvs_source"] == "banded"
    # D: 1 analyst: growth score 0.674490 / 3 = 0.224830, raw CVS -0.192660 - 0.056208 - 0.031415 = -0.280283,
    # moved by 0.112415 > 0.10: takes the new CVS
    assert rows["D"]["raw_cvs"] == pytest.approx(-0.280283, abs=TOL)
    assert rows["D"]["cvs"] == pytest.approx(-0.280283, abs=TOL)
    assert rows["D"]["cvs_source"] == "computed"
    # K: R2000 in 2023 with CVS 1.402263 (ranks 10, 1, 3 there), R1000 now with J's old ranks (10, 1, 2):
    # 1.492749, only 0.090486 away, but it changed core index: no band
    assert rows["K"]["previous_cvs"] == pytest.approx(1.402263, abs=TOL)
    assert rows["K"]["cvs"] == pytest.approx(1.492749, abs=TOL)
    assert rows["K"]["cvs_source"] == "computed"
    # an unchanged company keeps its CVS, and its probability moves with the breaks: 2024 caps with K ($20B) in
    # and J out give XL = C (26.4%), XM = F (58.1%), XU = H (75.8%), so E (CVS -0.127746, 0.5 in 2023) gets
    # 0.5 (-0.127746 + 0.602198) / (0.127746 + 0.602198) = 0.324993
    assert rows["E"]["cvs_source"] == "banded"
    assert rows["E"]["value_probability"] == pytest.approx(0.324993, abs=TOL)


def test_substitution_by_peer_group_means(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(
            "select company_id, book_to_price, book_to_price_score, book_to_price_peer_group, sps_growth_5y, "
            "sps_growth_5y_score, sps_growth_5y_peer_group from intermediate.int_value_scores "
            "where recon_id = '2024-06' and base_index_code = 'R2000'"
        )
        rows = {r[0]: r[1:] for r in cur.fetchall()}
    # N's book turned negative: no B/P. Valid B/P ranks of nine: L1 M2 O3 T4 R5 S6 Q7 P8 J9. Its sub-sector X1
    # (L, N) has one valid value (< 5), its sector SEC1 (X1 + X3) seven: the mean of L, M, O, T, R, Q, P =
    # (-1.593219 - 0.967422 - 0.589456 - 0.282216 + 0 + 0.589456 + 0.967422) / 7 = -0.267919
    bp, bp_score, bp_group = rows["N"][:3]
    assert bp is None
    assert bp_score == pytest.approx(-0.267919, abs=TOL)
    assert bp_group == "sector"
    # T has no accounts five years back: no SPS growth. Valid ranks of nine: J1 S2 R3 N4 O5 L6 M7 Q8 P9; its
    # sub-sector X3 has five valid (M, O, P, Q, R): (0.589456 + 0 + 1.593219 + 0.967422 - 0.589456) / 5 = 0.512128
    sps, sps_score, sps_group = rows["T"][3:]
    assert sps is None
    assert sps_score == pytest.approx(0.512128, abs=TOL)
    assert sps_group == "subsector"
    # a valid value keeps its own score: L is the lowest of nine B/P values
    assert rows["L"][1] == pytest.approx(-1.593219, abs=TOL)


def test_rank_day_inputs_are_point_in_time(db: Path) -> None:
    rows = _scores(db, "2023-06", "R2000")
    # N's negative book is in the 2023-03-31 accounts, public 2023-05-15, after the 2023-04-28 rank day
    assert rows["N"]["book_to_price"] == pytest.approx(0.45, abs=1e-12)
    # K's 2023 sales growth compares 2022-12-31 with 2017-12-31 (ratio 0.84), not the 2018 accounts
    assert rows["K"]["sps_growth_5y"] == pytest.approx((1 / 0.84) ** 0.2 - 1, abs=1e-12)
    # B's 2024 estimate (2 analysts, dated 2024-02-15) did not reach 2023: full weight on its own growth score
    assert _scores(db, "2023-06", "R1000")["B"]["analyst_count"] == 5


def test_stability_scores_missing_indicators_and_negative_median_eps(db: Path) -> None:
    rows = _scores(db, "2023-06", "R1000")
    # percentile scores (average rank - 1) / (n - 1), 1 = most defensive:
    # debt/equity, nine values (J has no debt figure: 0.25), lowest best: E 0, B 1/8, I 2/8, G 3/8, C 4/8, H 5/8,
    #   D 6/8, F 7/8, A 1
    # pre-tax ROA, ten values, highest best: E 0, I 1/9, B 2/9, G 3/9, C 4/9, H 5/9, D 6/9, J 7/9, A 8/9, F 1
    # EPS variability: EPS alternating m +- e over 20 quarters gives a trend standard error of 1.050122 e, over a
    #   median of 2: eight values, lowest best: F 1, A 6/7, J 5/7, D 4/7, H 3/7, C 2/7, G 1/7, B 0; I has 14
    #   quarters (0.25); E's median EPS is -0.5 (0, the most dynamic)
    # weekly volatility: A's one-day spike makes it the only non-zero one: A 0, the nine others tied at 5/9;
    # monthly volatility: 11 months of prices, fewer than 36: 0.25 for all
    expected = {
        "A": (1, 8 / 9, 6 / 7, 0),
        "B": (1 / 8, 2 / 9, 0, 5 / 9),
        "C": (4 / 8, 4 / 9, 2 / 7, 5 / 9),
        "D": (6 / 8, 6 / 9, 4 / 7, 5 / 9),
        "E": (0, 0, 0, 5 / 9),
        "F": (7 / 8, 1, 1, 5 / 9),
        "G": (3 / 8, 3 / 9, 1 / 7, 5 / 9),
        "H": (5 / 8, 5 / 9, 3 / 7, 5 / 9),
        "I": (2 / 8, 1 / 9, 0.25, 5 / 9),
        "J": (0.25, 7 / 9, 5 / 7, 5 / 9),
    }
    for cid, (de, roa, variability, weekly) in expected.items():
        row = rows[cid]
        assert row["debt_to_equity_score"] == pytest.approx(de, abs=1e-12), cid
        assert row["pretax_roa_score"] == pytest.approx(roa, abs=1e-12), cid
        assert row["eps_variability_score"] == pytest.approx(variability, abs=1e-12), cid
        assert row["weekly_volatility_score"] == pytest.approx(weekly, abs=1e-12), cid
        assert row["monthly_volatility_score"] == 0.25, cid
    # stability = 0.5 quality (mean of three) + 0.5 volatility (mean of two), e.g.
    # A: 0.5 (1 + 0.888889 + 0.857143) / 3 + 0.5 (0 + 0.25) / 2 = 0.457672 + 0.062500 = 0.520172
    # E: 0 + 0.5 (0.555556 + 0.25) / 2 = 0.201389
    stability = {"A": 0.520172, "B": 0.259259, "C": 0.406415, "D": 0.532738, "E": 0.201389,
                 "F": 0.680556, "G": 0.343254, "H": 0.469577, "I": 0.303241, "J": 0.491733}  # fmt: skip
    for cid, score in stability.items():
        assert rows[cid]["stability_score"] == pytest.approx(score, abs=TOL), cid
    # sorted by stability with caps: E 6, B 16, I 23.5, G 32.5 (XL), C 40.5, H 51.5 (XM), J 58, A 70, D 84 (XU), F
    # C: 0.5 (0.406415 - 0.343254) / (0.469577 - 0.343254) = 0.25; J: 0.5 + 0.5 x 0.022156 / 0.063161 = 0.675393;
    # A: 0.5 + 0.5 x 0.050595 / 0.063161 = 0.900524 (kept: the 95% rule needs more than 0.95)
    defensive = {
        "E": 0,
        "B": 0,
        "I": 0,
        "G": 0,
        "C": 0.25,
        "H": 0.5,
        "J": 0.675393,
        "A": 0.900524,
        "D": 1,
        "F": 1,
    }
    for cid, probability in defensive.items():
        assert rows[cid]["defensive_probability"] == pytest.approx(probability, abs=TOL), cid
        assert rows[cid]["dynamic_probability"] == pytest.approx(1 - probability, abs=TOL), cid


def test_eps_variability_is_the_trend_standard_error_over_the_median(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(
            con.execute(
                "select company_id, eps_variability from intermediate.int_style_inputs where recon_id = '2023-06' "
                "and company_id in ('A', 'B', 'E', 'I')"
            ).fetchall()
        )
    # y = 2 + 0.1 (-1)^t, t = 1..20: Sxx = 665, Sxy = 10 e, Syy = 20 e^2, SSE = e^2 (20 - 100/665) = 19.849624 e^2,
    # standard error sqrt(SSE / 18) = 1.050122 e; over the median 2: 0.0525061 (A), 0.262531 (B, e = 0.5)
    assert got["A"] == pytest.approx(0.0525061, abs=1e-7)
    assert got["B"] == pytest.approx(0.262531, abs=1e-6)
    assert got["E"] is None  # median <= 0: scored 0, not ranked
    assert got["I"] is None  # fewer than 20 quarters


def test_style_and_stability_memberships_split_their_parents(db: Path) -> None:
    first_session_2023 = date(2023, 6, 26)
    with duckdb.connect(str(db), read_only=True) as con:
        members = {
            (index_code, security_id): factor
            for index_code, security_id, factor in con.execute(
                "select index_code, security_id, inclusion_factor from main.fct_index_membership "
                "where valid_from <= ? and (valid_to is null or valid_to > ?)",
                [first_session_2023, first_session_2023],
            ).fetchall()
        }
        holdings = con.execute(
            "select index_code, security_id, float_market_cap from main.fct_index_holdings "
            "where as_of_date = date '2023-06-23'"
        ).fetchall()
    assert members[("R1000V", "D_1")] == pytest.approx(0.220781, abs=TOL)
    assert members[("R1000G", "D_1")] == pytest.approx(0.779219, abs=TOL)
    assert members[("R1000V", "E_1")] == members[("R1000G", "E_1")] == pytest.approx(0.5)
    assert ("R1000V", "A_1") not in members and members[("R1000G", "A_1")] == 1.0
    # R3000 Value takes each company's probability from its own base universe (O: R2000, 0.103953)
    assert members[("R3000V", "O_1")] == pytest.approx(0.103953, abs=TOL)
    assert members[("R3000V", "D_1")] == members[("R1000V", "D_1")]
    # the Top 200 (scaled: #4: F, D, A, H) and Midcap split with their R1000 probabilities
    assert {s for (i, s) in members if i in ("RTOP200G", "RTOP200V")} == {"F_1", "D_1", "A_1", "H_1"}
    assert members[("RMIDV", "E_1")] == pytest.approx(0.5)
    assert members[("R1000DEF", "A_1")] == pytest.approx(0.900524, abs=TOL)
    assert ("R1000DEF", "E_1") not in members and members[("R1000DYN", "E_1")] == 1.0
    # holdings: D's $14B float cap in R1000 is 0.220781 value + 0.779219 growth
    caps = {(i, s): cap for i, s, cap in holdings}
    assert caps[("R1000V", "D_1")] == pytest.approx(14e9 * 0.220781, rel=1e-5)
    for parent, sides in {
        "R1000": ("G", "V"),
        "R2000": ("G", "V"),
        "R3000": ("G", "V"),
        "R1000_": ("DEF", "DYN"),
    }.items():
        parent = parent.rstrip("_")
        for (index_code, security_id), cap in caps.items():
            if index_code == parent:
                parts = sum(caps.get((parent + side, security_id), 0.0) for side in sides)
                assert parts == pytest.approx(cap, rel=1e-12), (parent, security_id)
