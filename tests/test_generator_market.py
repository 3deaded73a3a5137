"""The default synthetic market looks like the US market (issue 2; docs/methodology.md §1, §9).

The calibration figures come from tests/sql/calibration_2024.sql, a plain reading of the rules over the files
that does not touch the pipeline's own models.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from indexpipe.contract import ACTION_TYPES, EXCHANGES, SECURITY_TYPES
from indexpipe.ingest.files import sql_string
from indexpipe.rules import project_vars

pytestmark = pytest.mark.slow
SQL_DIR = Path(__file__).parent / "sql"


@pytest.fixture(scope="module")
def files(default_market: Path) -> Path:
    return default_market


@pytest.fixture(scope="module")
def con(files: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("securities", "shares", "corporate_actions", "fundamentals", "estimates", "classifications"):
        con.execute(f"create view {name} as select * from read_csv('{files}/{name}.csv')")
    con.execute(f"create view prices as select * from read_parquet('{files}/prices.parquet')")
    return con


def calibration_sql(files: Path, rank_day: str) -> str:
    """The calibration query, with the eligible exchanges and security types of dbt_project.yml (their one home)."""
    rules = project_vars()
    sql = (
        (SQL_DIR / "calibration_2024.sql")
        .read_text()
        .replace("${dir}", str(files))
        .replace("${rank_day}", rank_day)
    )
    for name in ("eligible_exchanges", "eligible_security_types"):
        sql = sql.replace(f"${{{name}}}", "(" + ", ".join(sql_string(v) for v in rules[name]) + ")")
    return sql


def calibration(files: Path, rank_day: str) -> dict[str, float]:
    rel = duckdb.sql(calibration_sql(files, rank_day))
    return dict(zip(rel.columns, rel.fetchall()[0], strict=True))


def test_calibration_on_the_2024_rank_day(files: Path) -> None:
    figures = calibration(files, "2024-04-30")
    assert 3000 <= figures["eligible_companies"] <= 3800, figures
    assert 3.5e9 <= figures["cap_1000"] <= 6e9, figures
    assert 100e6 <= figures["cap_3000"] <= 250e6, figures
    assert 0.06 <= figures["share_1001_3000"] <= 0.10, figures
    assert 1.5e12 <= figures["largest_cap"] <= 3.5e12, figures


@pytest.mark.parametrize("rank_day", ["2015-04-30", "2018-04-30", "2021-04-30", "2026-04-30", "2026-10-30"])
def test_other_rank_days_stay_in_the_documented_ranges(files: Path, rank_day: str) -> None:
    """README: every rank day 2015-2026 within 3,000-3,800 eligible, #1,000 $2.5-6.5B, #3,000 $100-350M."""
    figures = calibration(files, rank_day)
    assert 3000 <= figures["eligible_companies"] <= 3800, figures
    assert 2.5e9 <= figures["cap_1000"] <= 6.5e9, figures
    assert 100e6 <= figures["cap_3000"] <= 350e6, figures


def test_size_of_the_universe(con: duckdb.DuckDBPyConnection) -> None:
    lines, companies = con.execute("select count(*), count(distinct company_id) from securities").fetchone()
    assert 6500 <= lines <= 7500
    assert 5500 <= companies <= 6500


def test_every_security_type_and_exchange_occurs(con: duckdb.DuckDBPyConnection) -> None:
    types = {r[0] for r in con.execute("select distinct security_type from securities").fetchall()}
    exchanges = {r[0] for r in con.execute("select distinct exchange from securities").fetchall()}
    assert types == set(SECURITY_TYPES)
    assert exchanges == set(EXCHANGES)


def test_home_country_cases_occur(con: duckdb.DuckDBPyConnection) -> None:
    bdi = "('BM','KY','VG','BS','PA','JE','GG','IM','MH','LR','BB')"
    us_hq_bdi_inc, bdi_hq, foreign = con.execute(
        f"""select
            count(distinct company_id) filter (where country_incorporation in {bdi} and country_headquarters = 'US'),
            count(distinct company_id) filter (where country_headquarters in {bdi}),
            count(distinct company_id) filter (where country_headquarters not in ('US', 'PR') and security_type = 'common')
        from securities"""
    ).fetchone()
    assert us_hq_bdi_inc >= 5 and bdi_hq >= 10 and foreign >= 50


def test_share_class_structures_occur(con: duckdb.DuckDBPyConnection) -> None:
    two_listed, unlisted = con.execute(
        """select
            count(*) filter (where listed >= 2),
            count(*) filter (where unlisted >= 1)
        from (
            select company_id,
                count(*) filter (where exchange <> 'UNLISTED') as listed,
                count(*) filter (where exchange = 'UNLISTED') as unlisted
            from securities where security_type in ('common', 'reit') group by company_id
        )"""
    ).fetchone()
    assert two_listed >= 50 and unlisted >= 100


def test_low_float_and_sub_dollar_stocks_on_the_rank_day(con: duckdb.DuckDBPyConnection) -> None:
    low_float = con.execute(
        """select count(*) from (
            select security_id, arg_max(available_shares / shares_outstanding, effective_date) as float_factor
            from shares where effective_date <= date '2024-04-30' and shares_outstanding > 0 group by 1
        ) join securities using (security_id)
        where float_factor < 0.05 and float_factor > 0 and security_type in ('common', 'reit')"""
    ).fetchone()[0]
    sub_dollar = con.execute(
        """select count(*) from prices join securities using (security_id)
        where date = date '2024-04-30' and close < 1 and security_type in ('common', 'reit')
          and exchange in ('NYSE', 'NASDAQ', 'NYSE_AMERICAN')"""
    ).fetchone()[0]
    assert low_float >= 20 and sub_dollar >= 30


def test_corporate_actions_every_year(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select year(ex_date) as y, action_type, count(*) from corporate_actions group by all"
    ).fetchall()
    present = {(y, t) for y, t, _ in rows}
    for year in range(2015, 2026):
        missing = [t for t in ACTION_TYPES if (year, t) not in present]
        assert not missing, f"{year}: no {missing}"


def test_ipos_every_quarter_tens_a_year_a_few_large(con: duckdb.DuckDBPyConnection) -> None:
    per_quarter = con.execute(
        """select year(listing_date) * 10 + quarter(listing_date) as q, count(*) from securities
        where security_type in ('common', 'reit') and exchange <> 'OTC' and listing_date > date '2015-01-02'
          and listing_date <= date '2026-09-30' and company_id not in (
            select s.company_id from corporate_actions a join securities s on s.security_id = a.related_security_id
            where a.action_type = 'spin_off')
        group by 1"""
    ).fetchall()
    counts = dict(per_quarter)
    quarters = [y * 10 + q for y in range(2015, 2026) for q in range(1, 5) if not (y == 2015 and q == 1)]
    assert all(counts.get(q, 0) >= 1 for q in quarters), counts
    yearly = {}
    for q, n in counts.items():
        yearly[q // 10] = yearly.get(q // 10, 0) + n
    assert all(10 <= yearly[y] <= 250 for y in range(2016, 2026)), yearly
    large = con.execute(
        """select count(*) from securities s
        join prices p on p.security_id = s.security_id and p.date = s.listing_date
        join shares h on h.security_id = s.security_id and h.effective_date = s.listing_date
        where s.listing_date > date '2015-01-02' and s.security_type in ('common', 'reit')
          and p.close * h.shares_outstanding > 10e9"""
    ).fetchone()[0]
    assert large >= 3


def test_shares_grow_and_shrink_and_floats_change(con: duckdb.DuckDBPyConnection) -> None:
    up, down, float_moves = con.execute(
        """with steps as (
            select security_id, shares_outstanding / lag(shares_outstanding) over w as growth,
                available_shares / shares_outstanding - lag(available_shares / shares_outstanding) over w as float_move
            from shares where shares_outstanding > 0 window w as (partition by security_id order by effective_date)
        )
        select count(*) filter (where growth between 1.001 and 1.2), count(*) filter (where growth between 0.8 and 0.999),
            count(*) filter (where abs(float_move) > 0.01) from steps"""
    ).fetchone()
    assert up > 1000 and down > 1000 and float_moves > 100


def test_splits_show_in_prices_and_shares(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """select a.ratio, p0.close / p1.close as price_ratio, s1.shares_outstanding / s0.shares_outstanding as share_ratio
        from corporate_actions a
        join prices p1 on p1.security_id = a.security_id and p1.date = a.ex_date
        asof join prices p0 on p0.security_id = a.security_id and a.ex_date > p0.date
        join shares s1 on s1.security_id = a.security_id and s1.effective_date = a.ex_date
        asof join shares s0 on s0.security_id = a.security_id and a.ex_date > s0.effective_date
        where a.action_type = 'split'"""  # asof: the last row before the ex-date (a max() subquery took 13 GB)
    ).fetchall()
    assert len(rows) >= 50
    for ratio, price_ratio, share_ratio in rows:
        assert share_ratio == pytest.approx(ratio, rel=0.03)
        assert price_ratio == pytest.approx(ratio, rel=0.35)  # one day of market and stock noise


def test_small_caps_are_more_volatile_than_large_caps(con: duckdb.DuckDBPyConnection) -> None:
    vol_small, vol_large = con.execute(
        """with caps as (
            select s.security_id, p.close * h.shares_outstanding as cap
            from securities s
            join prices p on p.security_id = s.security_id and p.date = date '2024-04-30'
            join (select security_id, arg_max(shares_outstanding, effective_date) as shares_outstanding
                  from shares where effective_date <= date '2024-04-30' group by 1) h on h.security_id = s.security_id
            where s.security_type = 'common' and s.exchange in ('NYSE', 'NASDAQ')
        ),
        buckets as (select security_id, ntile(5) over (order by cap) as bucket from caps),
        returns as (
            select security_id, ln(close / lag(close) over (partition by security_id order by date)) as r
            from prices where date between date '2023-05-01' and date '2024-04-30'
        ),
        vol as (select security_id, stddev(r) as sd from returns group by 1)
        select median(sd) filter (where bucket = 1), median(sd) filter (where bucket = 5)
        from vol join buckets using (security_id)"""
    ).fetchone()
    assert vol_small > 1.5 * vol_large


def test_fundamentals_are_point_in_time_and_consistent_with_style(con: duckdb.DuckDBPyConnection) -> None:
    late = con.execute("select count(*) from fundamentals where available_date <= period_end").fetchone()[0]
    assert late == 0
    industries = con.execute("select count(distinct icb_industry) from classifications").fetchone()[0]
    assert industries == 11
    thin_coverage = con.execute(
        "select count(distinct company_id) from estimates where analyst_count between 0 and 2"
    ).fetchone()[0]
    assert thin_coverage >= 500
    # value companies (high book-to-price) are expected to grow more slowly
    corr = con.execute(
        """with book as (
            select company_id, arg_max(book_value, period_end) as book from fundamentals
            where available_date <= date '2024-04-30' group by 1),
        growth as (
            select company_id, arg_max(eps_growth_2y, as_of_date) as g from estimates
            where as_of_date <= date '2024-04-30' group by 1),
        cap as (
            select s.company_id, p.close * h.shares_outstanding as cap from securities s
            join prices p on p.security_id = s.security_id and p.date = date '2024-04-30'
            join (select security_id, arg_max(shares_outstanding, effective_date) as shares_outstanding
                  from shares where effective_date <= date '2024-04-30' group by 1) h on h.security_id = s.security_id
            where s.security_type in ('common', 'reit'))
        select corr(rank_bp, rank_g) from (
            select rank() over (order by book / cap) as rank_bp, rank() over (order by g) as rank_g
            from book join growth using (company_id) join cap using (company_id) where book > 0 and g is not null)"""
    ).fetchone()[0]
    assert corr < -0.15
