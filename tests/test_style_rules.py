"""Growth/Value and Defensive/Dynamic on a crafted market, against numbers worked out by hand (issue 5).

The market is tests/style_fixtures.py: two June reconstitutions, R1000 and R2000 of ten companies each. The
variables are given as ranks, so the standard scores are the ten (or nine) normal quantiles of the percentiles
(r - 0.5) / n, read from a table (project decision 2):

    n = 10: z1..z10 = -1.644854 -1.036433 -0.674490 -0.385320 -0.125661 0.125661 0.385320 0.674490 1.036433 1.644854
    n = 9:  z1..z9  = -1.593219 -0.967422 -0.589456 -0.282216 0 0.282216 0.589456 0.967422 1.593219

CVS = 0.5 z(B/P) - 0.25 z(growth) - 0.25 z(SPS growth). Hand values are rounded to 6 decimals, hence the
tolerance.

Probability curve (project decision 3, k = 2.5), in the company's cumulative-cap position c within its base
universe sorted by CVS: c = (cap sorted before it + half its own) / total, a tie group sharing the midpoint of its
span. Value probability 0 for c <= 0.25, 0.5 t^k up to 0.5 with t = (c - 0.25) / 0.25, 1 - 0.5 t'^k below 0.75
with t' = (0.75 - c) / 0.25, 1 from 0.75; then the 95% rule. With k = 2.5, t^k = t^2 x sqrt(t).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from recon_fixtures import build_market
from style_fixtures import CURVE_VARS, DECEMBER_VARS, curve_market, december_market

TOL = 5e-6
# the December and curve markets' tests read the scores only: their builds run the scores, what they are built from
# and every check on them
STYLE_SCORES = ("fct_style_scores",)


@pytest.fixture(scope="module")
def db(style_warehouse: Path) -> Path:
    return style_warehouse


@pytest.fixture(scope="module")
def december_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(
        december_market(), tmp_path_factory.mktemp("december"), dbt_vars=DECEMBER_VARS, models=STYLE_SCORES
    )


@pytest.fixture(scope="module")
def curve_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(
        curve_market(), tmp_path_factory.mktemp("curve"), dbt_vars=CURVE_VARS, models=STYLE_SCORES
    )


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
    # the probability reads the position c = (cap before + half its own) / 100: A 6/100, B (12 + 5) = 17%,
    # C (22 + 4) = 26%, D (30 + 7) = 37%, E (44 + 3) = 47%, F (50 + 8) = 58%, G (66 + 4.5) = 70.5%, H 80.5%,
    # I 89.75%, J 96.75%
    position = {"A": 0.06, "B": 0.17, "C": 0.26, "D": 0.37, "E": 0.47, "F": 0.58, "G": 0.705, "H": 0.805,
                "I": 0.8975, "J": 0.9675}  # fmt: skip
    for cid, c in position.items():
        assert rows[cid]["cvs_cap_position"] == pytest.approx(c, abs=1e-12), cid
    # c <= 0.25: pure growth (A, B); c >= 0.75: pure value (H, I, J); the S in between:
    # C: t = (0.26 - 0.25) / 0.25 = 0.04, 0.5 x 0.04^2 x sqrt(0.04) = 0.5 x 0.0016 x 0.2 = 0.00016 < 0.05 -> 0
    # D: t = 0.12 / 0.25 = 0.48, 0.5 x 0.2304 x 0.692820 = 0.5 x 0.159626 = 0.079813 (kept: above 0.05)
    # E: t = 0.22 / 0.25 = 0.88, 0.5 x 0.7744 x 0.938083 = 0.5 x 0.726452 = 0.363226 (E holds XM, but its own
    #    cap straddles 50%: its midpoint is 47%, so it is not 50/50)
    # F: t' = (0.75 - 0.58) / 0.25 = 0.68, 1 - 0.5 x 0.4624 x 0.824621 = 1 - 0.5 x 0.381305 = 0.809348
    # G: t' = 0.045 / 0.25 = 0.18, 1 - 0.5 x 0.0324 x 0.424264 = 1 - 0.006873 = 0.993127 > 0.95 -> 1
    expected_value = {
        "A": 0,
        "B": 0,
        "C": 0,
        "D": 0.079813,
        "E": 0.363226,
        "F": 0.809348,
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
    # caps L 4.4, M 5.9, N 1.0, O 1.6, P 2.1, Q 5.6, R 1.3, S 1.7, T 5.0, K 5.8 ($34.4B), cumulative 4.4, 10.3,
    # 11.3, 12.9, 15.0, 20.6, 21.9, 23.6, 28.6, 34.4; positions c = (cap before + half its own) / 34.4:
    # N: (10.3 + 0.5) / 34.4 = 0.313953, t = 0.063953 / 0.25 = 0.255814,
    #    0.5 x 0.065441 x 0.505781 = 0.5 x 0.033099 = 0.016549 < 0.05 -> pure growth
    # O: (11.3 + 0.8) / 34.4 = 0.351744, t = 0.406977, 0.5 x 0.165630 x 0.637947 = 0.5 x 0.105663 = 0.052832, just
    #    above 0.05: stays
    # P: (12.9 + 1.05) / 34.4 = 0.405523, t = 0.622093, 0.5 x 0.387000 x 0.788729 = 0.5 x 0.305238 = 0.152619
    # R: (20.6 + 0.65) / 34.4 = 0.617733, t' = (0.75 - 0.617733) / 0.25 = 0.529070,
    #    1 - 0.5 x 0.279915 x 0.727372 = 1 - 0.5 x 0.203602 = 0.898199 stays
    # S: (21.9 + 0.85) / 34.4 = 0.661337, t' = 0.354651, 1 - 0.5 x 0.125777 x 0.595526 = 1 - 0.5 x 0.074904
    #    = 0.962548 > 0.95 -> pure value
    assert rows["N"]["cvs_cap_position"] == pytest.approx(10.8 / 34.4, abs=1e-12)
    assert rows["N"]["value_probability"] == 0.0 and rows["N"]["growth_probability"] == 1.0
    assert rows["S"]["value_probability"] == 1.0 and rows["S"]["growth_probability"] == 0.0
    assert rows["O"]["value_probability"] == pytest.approx(0.052832, abs=TOL)
    assert rows["P"]["value_probability"] == pytest.approx(0.152619, abs=TOL)
    assert rows["R"]["value_probability"] == pytest.approx(0.898199, abs=TOL)


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
    # an unchanged company keeps its CVS, and its probability moves with the others' caps: 2024 caps with K ($20B)
    # in and J out, $113.5B sorted A 12, B 10, C 8, D 14, E 6, ..., put E (CVS -0.127746, c 0.47 and 0.363226 in
    # 2023) at c = (44 + 3) / 113.5 = 0.414097: t = 0.164097 / 0.25 = 0.656388,
    # 0.5 x 0.430845 x 0.810178 = 0.5 x 0.349061 = 0.174530
    assert rows["E"]["cvs_source"] == "banded"
    assert rows["E"]["cvs_cap_position"] == pytest.approx(47 / 113.5, abs=1e-12)
    assert rows["E"]["value_probability"] == pytest.approx(0.174530, abs=TOL)


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
    # N's negative book is in the 2023-03-31 accounts, public 2023-04-29, the day after the 2023-04-28 rank day:
    # its B/P is still the 2022-12-31 book's, 0.1 x 4 + 0.05 = 0.45 (read a day late it would be missing)
    assert rows["N"]["book_to_price"] == pytest.approx(0.45, abs=1e-12)
    # K's 2023 sales growth compares 2022-12-31 with 2017-12-31 (ratio 0.84), not the 2018 accounts
    assert rows["K"]["sps_growth_5y"] == pytest.approx((1 / 0.84) ** 0.2 - 1, abs=1e-12)
    # B's estimate dated 2023-04-29 (2 analysts) did not reach 2023: its 2023-02-15 consensus of 5 analysts counts
    r1000 = _scores(db, "2023-06", "R1000")
    assert r1000["B"]["analyst_count"] == 5
    # and no row read anything dated after the rank day: the latest figure of each is the rank day's close
    for row in [*rows.values(), *r1000.values()]:
        assert row["rank_date"] == date(2023, 4, 28)
        assert row["latest_input_date"] == date(2023, 4, 28), row["company_id"]


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
    # 100 (cumulative), so the positions (cap before + half its own) are E 3%, B 11%, I 19.75%, G 28%, C 36.5%,
    # H 46%, J 54.75%, A 64%, D 77%, F 92%; the same curve (decision 4):
    # G: t = 0.03 / 0.25 = 0.12, 0.5 x 0.0144 x 0.346410 = 0.002494 < 0.05 -> 0
    # C: t = 0.115 / 0.25 = 0.46, 0.5 x 0.2116 x 0.678233 = 0.5 x 0.143514 = 0.071757
    # H: t = 0.21 / 0.25 = 0.84, 0.5 x 0.7056 x 0.916515 = 0.5 x 0.646693 = 0.323347
    # J: t' = (0.75 - 0.5475) / 0.25 = 0.81, 1 - 0.5 x 0.6561 x 0.9 = 1 - 0.5 x 0.590490 = 0.704755
    # A: t' = 0.11 / 0.25 = 0.44, 1 - 0.5 x 0.1936 x 0.663325 = 1 - 0.5 x 0.128420 = 0.935790 (kept: below 0.95)
    position = {"E": 0.03, "B": 0.11, "I": 0.1975, "G": 0.28, "C": 0.365, "H": 0.46, "J": 0.5475, "A": 0.64,
                "D": 0.77, "F": 0.92}  # fmt: skip
    for cid, c in position.items():
        assert rows[cid]["stability_cap_position"] == pytest.approx(c, abs=1e-12), cid
    defensive = {
        "E": 0,
        "B": 0,
        "I": 0,
        "G": 0,
        "C": 0.071757,
        "H": 0.323347,
        "J": 0.704755,
        "A": 0.935790,
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
    assert members[("R1000V", "D_1")] == pytest.approx(0.079813, abs=TOL)
    assert members[("R1000G", "D_1")] == pytest.approx(0.920187, abs=TOL)
    assert members[("R1000V", "E_1")] == pytest.approx(0.363226, abs=TOL)
    assert members[("R1000G", "E_1")] == pytest.approx(0.636774, abs=TOL)
    assert ("R1000V", "A_1") not in members and members[("R1000G", "A_1")] == 1.0
    # R3000 Value takes each company's probability from its own base universe (P: R2000, 0.152619)
    assert members[("R3000V", "P_1")] == pytest.approx(0.152619, abs=TOL)
    assert members[("R3000V", "D_1")] == members[("R1000V", "D_1")]
    # the Top 200 (scaled: #4: F, D, A, H) and Midcap split with their R1000 probabilities
    assert {s for (i, s) in members if i in ("RTOP200G", "RTOP200V")} == {"F_1", "D_1", "A_1", "H_1"}
    assert members[("RMIDV", "E_1")] == pytest.approx(0.363226, abs=TOL)
    assert members[("R1000DEF", "J_1")] == pytest.approx(0.704755, abs=TOL)
    assert members[("R1000DYN", "A_1")] == pytest.approx(0.064210, abs=TOL)
    assert members[("R1000DEF", "D_1")] == 1.0 and ("R1000DYN", "D_1") not in members
    assert ("R1000DEF", "E_1") not in members and members[("R1000DYN", "E_1")] == 1.0
    # holdings: D's $14B float cap in R1000 is 0.079813 value + 0.920187 growth
    caps = {(i, s): cap for i, s, cap in holdings}
    assert caps[("R1000V", "D_1")] == pytest.approx(14e9 * 0.079813, rel=1e-4)
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


def test_s_curve_on_a_hundred_equal_caps(curve_db: Path) -> None:
    rows = _scores(curve_db, "2024-06", "R1000")
    assert len(rows) == 100
    # company i has CVS z_i = Phi^-1((i - 0.5) / 100) (style_fixtures.curve_market); each holds 1% of the cap, so the
    # cumulative share through i is i / 100 and the breaks are the 25th, 50th and 75th names:
    # XL = Phi^-1(0.245) = -0.690309, XM = Phi^-1(0.495) = -0.012533, XU = Phi^-1(0.745) = 0.658838
    xl, xm, xu = -0.690309, -0.012533, 0.658838
    for name, cvs in (("C025", xl), ("C050", xm), ("C075", xu), ("C030", -0.538836), ("C065", 0.371856)):
        assert rows[name]["cvs"] == pytest.approx(cvs, abs=2e-6), name
    first = rows["C001"]
    assert (first["cvs_xl"], first["cvs_xm"], first["cvs_xu"]) == pytest.approx((xl, xm, xu), abs=2e-6)
    # the probability reads the position: name i has (i - 1)% of the cap before it and 1% of its own, so
    # c = (i - 0.5) / 100 (the same percentile as its CVS, whatever the CVS values)
    for i in (1, 30, 35, 50, 65, 100):
        assert rows[f"C{i:03d}"]["cvs_cap_position"] == pytest.approx((i - 0.5) / 100, abs=1e-12), i
    # 30th: c = 0.295, t = (0.295 - 0.25) / 0.25 = 0.18, 0.5 x 0.18^2 x sqrt(0.18) = 0.5 x 0.0324 x 0.424264
    #   = 0.5 x 0.013746 = 0.006873 < 0.05 -> 0 (95% rule)
    # 35th: c = 0.345, t = 0.38, 0.5 x 0.1444 x 0.616441 = 0.5 x 0.089014 = 0.044507 < 0.05 -> 0 (95% rule)
    # 50th: c = 0.495, t = 0.98, 0.5 x 0.9604 x 0.989949 = 0.5 x 0.950747 = 0.475374
    # 65th: c = 0.645, t' = (0.75 - 0.645) / 0.25 = 0.42, 1 - 0.5 x 0.1764 x 0.648074 = 1 - 0.5 x 0.114320
    #   = 0.942840 (kept: not above 0.95)
    assert rows["C030"]["value_probability"] == 0.0
    assert rows["C035"]["value_probability"] == 0.0
    assert rows["C050"]["value_probability"] == pytest.approx(0.475374, abs=2e-6)
    assert rows["C065"]["value_probability"] == pytest.approx(0.942840, abs=2e-6)
    # the whole curve: a side is below 0.05 where t < 0.1^(1/2.5) = 0.398107, i.e. c < 0.25 + 0.25 x 0.398107
    # = 0.349527 (names up to 35) or c > 0.650473 (names from 66, 66th: t' = 0.38, 1 - 0.044507 = 0.955493 -> 1);
    # the split is names 36-65: 30 of 100, 30% of the cap (k = 1 would split 26-75, 50%)
    split = sorted(int(c[1:]) for c, row in rows.items() if 0 < row["value_probability"] < 1)
    assert split == list(range(36, 66))


def test_december_recomputes_every_cvs_and_new_probabilities_only_for_new_and_migrating(
    december_db: Path,
) -> None:
    # style_fixtures.december_market; CVS of the four names of a base universe by B/P rank: 1 -0.575175,
    # 2 -0.159320, 3 0.159320, 4 0.575175 (half of Phi^-1(0.125), Phi^-1(0.375), ...)
    lo, mid_lo, mid_hi, hi = -0.575175, -0.159320, 0.159320, 0.575175
    june = _scores(december_db, "2023-06", "R1000")
    # June 2023, caps A 40, B 30, C 20, D 10 sorted by CVS: A (cum 40%) = XL, B (70%) = XM, C (90%) = XU; positions
    # A 20%, B 55%, C 80%, D 95%: A 0, C and D 1, B t' = (0.75 - 0.55) / 0.25 = 0.8,
    # 1 - 0.5 x 0.64 x 0.894427 = 1 - 0.5 x 0.572433 = 0.713783
    assert {c: r["value_probability"] for c, r in june.items()} == pytest.approx(
        {"A": 0.0, "B": 0.713783, "C": 1.0, "D": 1.0}, abs=TOL
    )
    december = _scores(december_db, "2023-12", "R1000")
    assert set(december) == {"A", "B", "C", "E"}  # E migrated up from the R2000, D down
    # every company gets a new banded CVS (M7 §8.1.2): A (rank 4 now) moved 1.150 from -0.575175 and B (rank 1)
    # 0.416 from -0.159320: computed; C (rank 3 again) moved 0: banded; E is new to the R1000: computed
    expected = {
        "A": (hi, "computed"),
        "B": (lo, "computed"),
        "C": (mid_hi, "banded"),
        "E": (mid_lo, "computed"),
    }
    for cid, (cvs, source) in expected.items():
        assert december[cid]["cvs"] == pytest.approx(cvs, abs=TOL), cid
        assert december[cid]["cvs_source"] == source, cid
    assert december["A"]["previous_cvs"] == pytest.approx(lo, abs=TOL)
    # the December breaks sort the December CVS with the December caps (A 40, B 30, E 25, C 20 of $115B):
    # B 26.1% = XL, E 47.8%, C 65.2% = XM, A 100% = XU (carrying the June CVS would have given XL = A, XM = B)
    breaks = (december["A"]["cvs_xl"], december["A"]["cvs_xm"], december["A"]["cvs_xu"])
    assert breaks == pytest.approx((lo, mid_hi, hi), abs=TOL)
    # only E (migrating) is placed: c = (30 + 12.5) / 115 = 0.369565, t = 0.119565 / 0.25 = 0.478261,
    # 0.5 x 0.228733 x 0.691564 = 0.5 x 0.158184 = 0.079092. With the June CVS carried (A -0.575175,
    # B -0.159320, C 0.159320) E would have tied with B and shared the midpoint of their span 40-95:
    # c = 67.5 / 115 = 0.586957, t' = 0.652174, 1 - 0.5 x 0.425331 x 0.807573 = 0.828257
    assert december["E"]["cvs_cap_position"] == pytest.approx(42.5 / 115, abs=1e-12)
    assert december["E"]["value_probability"] == pytest.approx(0.079092, abs=TOL)
    assert not december["E"]["probability_retained"]
    # A, B and C keep their June probabilities although their CVS and the breaks moved (M7 §8.1.1)
    for cid in ("A", "B", "C"):
        assert december[cid]["probability_retained"], cid
        assert december[cid]["value_probability"] == june[cid]["value_probability"], cid
        assert december[cid]["defensive_probability"] == june[cid]["defensive_probability"], cid
    # next June the band compares A (which kept its June probability) with its June CVS, not its December one:
    # A is back at rank 1 (-0.575175), 0 from its June 2023 CVS -> banded (against December's 0.575175 it would
    # have moved 1.150); E, classified in December, compares with its December CVS (-0.159320, rank 2 again)
    next_june = _scores(december_db, "2024-06", "R1000")
    assert next_june["A"]["previous_cvs"] == pytest.approx(lo, abs=TOL)
    assert (next_june["A"]["cvs_source"], next_june["A"]["cvs"]) == ("banded", pytest.approx(lo, abs=TOL))
    assert next_june["E"]["previous_cvs"] == pytest.approx(mid_lo, abs=TOL)
    assert next_june["E"]["cvs_source"] == "banded"


def test_equal_scores_share_the_midpoint_of_their_cap_span(december_db: Path) -> None:
    rows = _scores(december_db, "2024-06", "R2000")
    # style_fixtures.december_market: the 2024 R2000 is D 0.5, F 5, G 4, H 3 ($12.5B). B/P ranks D 1, F 2, G 2,
    # H 4: average ranks 1, 2.5, 2.5, 4, percentiles 0.125, 0.5, 0.5, 0.875, CVS 0.5 z = -0.575175, 0, 0, 0.575175
    assert rows["F"]["cvs"] == rows["G"]["cvs"] == pytest.approx(0.0, abs=1e-12)
    # F and G span 0.5 to 9.5 of the sorted cap whatever their order: both sit at its midpoint
    # c = (0.5 + 9 / 2) / 12.5 = 0.4, t = 0.15 / 0.25 = 0.6, 0.5 x 0.36 x 0.774597 = 0.5 x 0.278855 = 0.139427.
    # Sorted by company id instead, F would sit at (0.5 + 2.5) / 12.5 = 0.24 (value 0) and G at (5.5 + 2) / 12.5
    # = 0.6 (t' = 0.6, 1 - 0.139427 = 0.860573): the ids would decide.
    # D: c = 0.25 / 12.5 = 0.02 -> 0; H: c = (9.5 + 1.5) / 12.5 = 0.88 -> 1
    expected = {"D": (0.02, 0.0), "F": (0.4, 0.139427), "G": (0.4, 0.139427), "H": (0.88, 1.0)}
    for cid, (c, value) in expected.items():
        assert rows[cid]["cvs_cap_position"] == pytest.approx(c, abs=1e-12), cid
        assert rows[cid]["value_probability"] == pytest.approx(value, abs=TOL), cid
