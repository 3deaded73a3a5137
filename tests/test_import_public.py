"""`indexpipe import public`: readers and inference on ten-row excerpts of the real public files, and the import.

Each excerpt is cut from ../shared/data/public inside the test (never stored in the repository); every test that
needs those files skips with a message when the folder is absent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import tarfile
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import COMBINED_BARS, link_or_copy
from indexpipe.cli import main
from indexpipe.contract import ICB_INDUSTRIES
from indexpipe.importers import public_market
from indexpipe.importers.barchart_sql import read_barchart_list
from indexpipe.importers.companies import Line, conversion_ratio, group_companies, same_family
from indexpipe.importers.countries import COUNTRY_CODES, country_code, country_without_name
from indexpipe.importers.daily_bars import combine_archives, load_bars
from indexpipe.importers.ftse_symbols import read_ftse_symbols
from indexpipe.importers.icb_sectors import INDUSTRY_TO_ICB, SECTOR_TO_ICB, icb_industry
from indexpipe.importers.ishares_holdings import read_holdings
from indexpipe.importers.names import first_word, name_stem
from indexpipe.importers.nasdaq_screener import read_screener
from indexpipe.importers.public_prices import BarStats, build_price_rows, nearest_split, rebase
from indexpipe.importers.public_sources import bar_archives
from indexpipe.importers.sec_tickers import read_sec_tickers
from indexpipe.importers.security_types import infer_security_type
from indexpipe.importers.tickers import TickerIndex, normalise
from indexpipe.ingest.validate import validate_input_dir
from indexpipe.settings import REPO_ROOT

PUBLIC = REPO_ROOT.parent / "shared" / "data" / "public"
SCREENER_2024 = "nasdaq_screener_2024-05-0x_pontino/nasdaq_screener.csv"
SCREENER_2025 = "nasdaq_screener_2025-05-23_sknetworks/nasdaq_screener.csv"
SEC = "sec_company_tickers_exchange_2026-04/company_tickers_exchange.json"


def public_file(relative: str) -> Path:
    path = PUBLIC / relative
    if not path.exists():
        pytest.skip(f"public reference data not available: {path} (see docs/real-data.md)")
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def screener_excerpt(
    tmp_path: Path, symbols: list[str], name: str = "screener.csv", source: str = SCREENER_2024
) -> Path:
    """The header and the rows of ``symbols`` of a real screener export (2024's by default), in file order."""
    lines = _lines(public_file(source))
    rows = [line for line in lines[1:] if line.split(",", 1)[0] in symbols]
    assert len(rows) == len(symbols), "every chosen symbol is in the export"
    path = tmp_path / name
    path.write_text(lines[0] + "".join(rows), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ readers


def test_ishares_reader_keeps_ten_equity_rows_and_drops_cash_and_futures(tmp_path: Path) -> None:
    source = public_file("iwm_2025-05-13/IWM_holdings.csv")
    lines = _lines(source)
    header = next(i for i, line in enumerate(lines) if line.startswith("Ticker,"))
    equity = [line for line in lines[header + 1 :] if '"Equity"' in line][:10]
    other = [
        line
        for line in lines[header + 1 :]
        if any(f'"{c}"' in line for c in ("Cash", "Money Market", "Futures"))
    ]
    disclaimer = [line for line in lines[header + 1 :] if not line.startswith('"')][:3]
    excerpt = tmp_path / "IWM_holdings.csv"
    excerpt.write_text("".join(lines[: header + 1] + equity + other + disclaimer), encoding="utf-8")

    holdings = read_holdings(excerpt)

    assert holdings.fund == "iShares Russell 2000 ETF"
    assert holdings.as_of == date(2025, 5, 13)
    assert holdings.rows.num_rows == 10
    # USD CASH and CAD CASH are 'Cash', XTSLA 'Money Market', RTYM5 'Futures'
    assert holdings.dropped == {"Cash": 2, "Futures": 1, "Money Market": 1}
    expected = next(csv.reader(io.StringIO(equity[0])))
    first = holdings.rows.slice(0, 1).to_pylist()[0]
    # "SFM","SPROUTS FARMERS MARKET INC",...,"409,233,878.82","0.64",...,"2,582,406.00","158.47"
    assert first["ticker"] == expected[0] == "SFM"
    assert first["market_value"] == 409_233_878.82
    assert first["weight"] == pytest.approx(0.0064)  # 0.64 % written as a percentage
    assert first["quantity"] == 2_582_406
    assert first["price"] == 158.47
    assert holdings.tickers == [next(csv.reader(io.StringIO(line)))[0] for line in equity]


def test_ishares_reader_without_preamble_and_with_shares_column(tmp_path: Path) -> None:
    # the 2024-08-15 IWV copy starts at its header and calls the quantity column "Shares"
    source = public_file("iwv_2024-08-15_inferred/IWV_holdings.csv")
    lines = _lines(source)
    assert lines[0].startswith("Ticker,") and ",Shares," in lines[0]
    excerpt = tmp_path / "IWV.csv"
    excerpt.write_text("".join(lines[:11]), encoding="utf-8")
    holdings = read_holdings(excerpt)
    assert holdings.fund is None and holdings.as_of is None
    assert holdings.rows.num_rows == 10
    expected = next(csv.reader(io.StringIO(lines[1])))
    assert holdings.rows.column("quantity")[0].as_py() == float(expected[7].replace(",", ""))


def test_screener_reader_types_values_and_spells_tickers_canonically(tmp_path: Path) -> None:
    symbols = ["A", "AA", "AACI", "AAPL", "BF/A", "BFS^D", "BRK/A", "BRK/B", "GOOG", "GOOGL"]
    rows = {r["symbol"]: r for r in read_screener(screener_excerpt(tmp_path, symbols)).to_pylist()}
    assert sorted(rows) == sorted(symbols)
    assert [rows[s]["ticker"] for s in ("BF/A", "BFS^D", "BRK/B")] == ["BF.A", "BFS.PRD", "BRK.B"]
    # AAPL,Apple Inc. Common Stock,$182.09,-0.31,-0.17%,2792182991380.00,United States,1980,12785132,Technology,...
    aapl = rows["AAPL"]
    assert (aapl["last_sale"], aapl["net_change"], aapl["market_cap"]) == (182.09, -0.31, 2_792_182_991_380.0)
    assert (aapl["country"], aapl["ipo_year"], aapl["volume"], aapl["sector"]) == (
        "United States",
        1980,
        12_785_132,
        "Technology",
    )
    assert rows["AACI"]["market_cap"] is None  # '0.00': a SPAC without a published cap
    assert rows["BF/A"]["market_cap"] is None and rows["BF/A"]["sector"] is None  # empty fields
    assert rows["BRK/A"]["last_sale"] == 609_762.50


def test_sec_reader_keys_tickers_canonically(tmp_path: Path) -> None:
    payload = json.loads(public_file(SEC).read_text(encoding="utf-8"))
    wanted = {"AAPL", "GOOG", "GOOGL", "BRK-A", "BRK-B", "BFS-PD", "BFLY-WT", "BFAC-UN", "HEI-A", "MOG-A"}
    excerpt = {"fields": payload["fields"], "data": [r for r in payload["data"] if r[2] in wanted]}
    assert len(excerpt["data"]) == 10
    path = tmp_path / "company_tickers_exchange.json"
    path.write_text(json.dumps(excerpt), encoding="utf-8")
    rows = {r["ticker"]: r for r in read_sec_tickers(path).to_pylist()}
    assert sorted(rows) == sorted(
        ["AAPL", "GOOG", "GOOGL", "BRK.A", "BRK.B", "BFS.PRD", "BFLY.WS", "BFAC.U", "HEI.A", "MOG.A"]
    )
    # [1067983, "BERKSHIRE HATHAWAY INC", "BRK-B", "NYSE"] and [1652044, "Alphabet Inc.", "GOOGL", "Nasdaq"]
    assert (rows["BRK.B"]["cik"], rows["BRK.B"]["exchange"]) == (1067983, "NYSE")
    assert rows["GOOG"]["cik"] == rows["GOOGL"]["cik"] == 1652044
    assert rows["BRK.A"]["cik"] == rows["BRK.B"]["cik"]


def test_barchart_reader_takes_the_list_and_its_date_from_the_file(tmp_path: Path) -> None:
    source = public_file(
        "r1000_r2000_lists_2024-05_barchart_via_sql/insert.russell-1000-index-05-13-2024.T20240604.sql"
    )
    text = source.read_text(encoding="utf-8")
    blocks = text.split("),(")
    # the first ten rows, and NLOP, whose second name is NULL
    nlop = next(b for b in blocks if "'NLOP'" in b)
    excerpt = tmp_path / source.name
    excerpt.write_text("),(".join(blocks[:10] + [nlop]) + ")", encoding="utf-8")
    listing = read_barchart_list(excerpt)
    assert (listing.list_name, listing.as_of) == ("russell-1000-index", date(2024, 5, 13))
    tickers = listing.rows.column("ticker").to_pylist()
    assert tickers[:5] == ["A", "AA", "AAL", "AAP", "AAPL"] and tickers[-1] == "NLOP"
    assert listing.rows.num_rows == 11
    # ('AAPL', 'EQUITY', 'Apple Inc.', 'Apple Inc.', 'USD', 192.25, 'XNYS')
    aapl = listing.rows.slice(4, 1).to_pylist()[0]
    assert (aapl["name"], aapl["last_price"]) == ("Apple Inc.", 192.25)


def test_ftse_symbols_reader(tmp_path: Path) -> None:
    payload = json.loads(
        public_file("ftse_r3000_membership_2021-06-28/symbols.json").read_text(encoding="utf-8")
    )
    excerpt = dict(list(payload.items())[:10])
    path = tmp_path / "symbols.json"
    path.write_text(json.dumps(excerpt), encoding="utf-8")
    table = read_ftse_symbols(path)
    assert table.column("symbol").to_pylist() == list(excerpt)
    assert table.column("name").to_pylist()[0] == excerpt["TXG"] == "10X GENOMICS"


def _bar_members(names: set[str]) -> dict[str, bytes]:
    """The named members of the first bar archive, read by streaming (xz cannot seek)."""
    archive = public_file("spooky_alpaca_daily_2020-2025/data_A-D.tar.xz")
    found: dict[str, bytes] = {}
    with tarfile.open(archive, "r|xz") as tar:
        for member in tar:
            if member.name in names:
                found[member.name] = tar.extractfile(member).read()
                if len(found) == len(names):
                    break
    return found


def test_bar_archive_reader_on_ten_rows_of_two_tickers(tmp_path: Path) -> None:
    members = _bar_members({"data/AAPL.csv", "data/BRK.B.csv"})
    archive = tmp_path / "bars.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        for name in sorted(members):
            lines = members[name].decode().splitlines(keepends=True)
            # ten rows; AAPL's fifth row written a second time with another close must be ignored
            rows = lines[:11] + ([lines[5].replace(",", ",9", 5)] if "AAPL" in name else [])
            data = "".join(rows).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    combined = tmp_path / "bars.csv"
    assert combine_archives([archive], combined) == 2
    con = duckdb.connect()
    assert load_bars(con, combined, "bars") == 20
    first = _lines(tmp_path / "bars.csv")[1]
    # the file's first row "2020-07-27 04:00:00+00:00,...,92.33,92.33,804492.0" (midnight New York in UTC)
    assert first.startswith("AAPL,2020-07-27 04:00:00+00:00,")
    aapl = con.execute("SELECT date, close, volume FROM bars WHERE ticker = 'AAPL' ORDER BY date").fetchall()
    assert aapl[0] == (date(2020, 7, 27), 92.33, 804492.0)
    fifth = next(csv.reader(io.StringIO(members["data/AAPL.csv"].decode().splitlines()[5])))
    assert aapl[4][1] == float(fifth[4])
    assert con.execute("SELECT count(DISTINCT ticker) FROM bars").fetchone()[0] == 2


# ------------------------------------------------------------------------------------------------ inference


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("BRK/B", "BRK.B"), ("BRK-B", "BRK.B"), ("BRK.B", "BRK.B"), ("BRK B", "BRK.B"), (" brk.b ", "BRK.B"),
        ("BFS^D", "BFS.PRD"), ("BFS-PD", "BFS.PRD"), ("BFS.PRD", "BFS.PRD"), ("XYZ^", "XYZ.PR"), ("XYZ-P", "XYZ.PR"),
        ("BFLY-WT", "BFLY.WS"), ("AACT.WS", "AACT.WS"), ("BFAC-UN", "BFAC.U"), ("AACT.U", "AACT.U"),
        ("ABC-RI", "ABC.RT"), ("AAPL", "AAPL"), ("", ""),
    ],
)  # fmt: skip
def test_ticker_spellings_normalise_to_one(raw: str, canonical: str) -> None:
    assert normalise(raw) == canonical


def test_ticker_index_resolves_squashed_ishares_spellings() -> None:
    index = TickerIndex(["BRK.B", "BRKR", "HEI", "HEI.A", "AAPL", "BF.A", "BFA"])
    assert index.resolve("BRKB") == "BRK.B"  # iShares drops the separator
    assert index.resolve("HEIA") == "HEI.A"
    assert index.resolve("BRK-B") == index.resolve("BRK/B") == "BRK.B"
    assert index.resolve("AAPL") == "AAPL"
    assert index.resolve("BFA") == "BFA"  # an exact ticker wins over a squashed class
    assert index.resolve("MSFT") is None
    assert TickerIndex(["AB.C", "ABC.D", "A.BC"]).resolve("ABC") is None  # two candidates: neither


def test_name_stems_compare_share_classes_and_sources() -> None:
    same = [
        ("Alphabet Inc. Class C Capital Stock", "ALPHABET INC CLASS A"), ("Gap Inc. (The) Common Stock", "GAP INC"),
        ("CNH Industrial N.V. Common Shares", "CNH Industrial N.V."), ("LENNAR CORP /NEW/", "Lennar Corporation"),
        ("Rush Enterprises Inc. Common Stock Cl A", "Rush Enterprises Inc. Class B"),
        ("Central Garden & Pet Company Class A Common Stock Nonvoting", "CENTRAL GARDEN & PET CO"),
    ]  # fmt: skip
    for a, b in same:
        assert name_stem(a) == name_stem(b), (a, b)
    assert name_stem("Liberty Media Corporation Series A Liberty Formula One Common Stock") != name_stem(
        "Liberty Media Corporation Series C Liberty Live Common Stock"
    )
    assert first_word("HEICO CORP CLASS A") == first_word("Heico Corporation") == "heico"
    assert name_stem(None) == "" and first_word("") == ""


def test_security_types_on_real_screener_rows(tmp_path: Path) -> None:
    expected = {
        "AAPL": "common", "O": "reit", "BABA": "adr", "KOF": "adr", "WDH": "adr", "BFS^D": "preferred",
        "RBCP": "convertible_preferred", "EAI": "preferred", "BFRIW": "warrant", "BRKHU": "unit", "TENKR": "right",
        "AACI": "spac", "EPD": "limited_partnership", "PBT": "royalty_trust", "BFK": "closed_end_fund",
        "MUJ": "closed_end_fund", "ARCC": "bdc", "VRT": "llc", "PFBC": "common", "MTG": "common",
        "WEA": "closed_end_fund",
    }  # fmt: skip
    # KOF and WDH: "American Depositary Shares each representing 10 Units" / "... the right to receive ..." are
    # ADRs, not units or rights; EAI "First Mortgage Bonds" is debt, typed preferred, while WEA "Western Asset
    # Bond Fund" is a fund; VRT is named "Vertiv
    # Holdings LLC" by Nasdaq (the import's list evidence turns it back to common); "Preferred Bank" and "MGIC
    # Investment Corporation" (an insurer) are common.
    rows = read_screener(screener_excerpt(tmp_path, list(expected))).to_pylist()
    inferred = {
        r["symbol"]: infer_security_type(r["name"], r["ticker"], r["industry"], r["sector"]) for r in rows
    }
    assert {s: t.security_type for s, t in inferred.items()} == expected
    assert inferred["EAI"].rule == "debt (notes, debentures, ZONES)"


def test_funds_and_bdcs_among_financials_on_real_rows(tmp_path: Path) -> None:
    # 2025 export, where closed-end funds carry market caps: a "Trust" or a fund's phrasing in a fund industry, or
    # Nasdaq's trusts industry, is a fund; BDCs by name (KBDC, a new listing, has no industry yet); the managers
    # and brokers of the same industries are common
    expected = {
        "BGR": "closed_end_fund", "RVT": "closed_end_fund", "BKT": "closed_end_fund", "CSQ": "closed_end_fund",
        "FSCO": "closed_end_fund", "BTX": "closed_end_fund", "KBDC": "bdc", "WHF": "bdc", "BLK": "common",
        "OWL": "common", "AMP": "common", "HASI": "common",
    }  # fmt: skip
    path = screener_excerpt(tmp_path, list(expected), source=SCREENER_2025)
    rows = read_screener(path).to_pylist()
    assert {
        r["symbol"]: infer_security_type(r["name"], r["ticker"], r["industry"], r["sector"]).security_type
        for r in rows
    } == expected


@pytest.mark.parametrize(
    ("name", "ticker", "industry", "expected"),
    [
        ("Terra Income Fund 6 LLC 7.00% Notes due 2026", "TFSA", None, "preferred"),  # notes beat fund and LLC
        ("GasLog LP. 8.75% Series A Cumulative Redeemable Perpetual Preference Shares", "GLOG.PRA", None,
         "preferred"),  # a preferred of a partnership is a preferred
        ("Icahn Enterprises L.P. Depositary Units", "IEP", None, "limited_partnership"),  # not a SPAC unit
        ("Hennessy Capital Investment Corp. VI Unit", "HCVIU", "Blank Checks", "unit"),
        ("Kernel Group Holdings Inc. Class A Ordinary Shares", "KRNL", "Blank Checks", "spac"),
        ("Some Corp Warrant", "X.WS", None, "warrant"),
        ("Some Corp", "X.PRA", None, "preferred"),  # the ticker suffix alone
    ],
)  # fmt: skip
def test_security_type_rule_order(name: str, ticker: str, industry: str | None, expected: str) -> None:
    assert infer_security_type(name, ticker, industry).security_type == expected


def test_country_table_covers_every_screener_country() -> None:
    names: set[str] = set()
    for folder in sorted(PUBLIC.glob("nasdaq_screener_*")) if PUBLIC.exists() else []:
        with (folder / "nasdaq_screener.csv").open(newline="", encoding="utf-8-sig") as fh:
            names |= {row["Country"].strip() for row in csv.DictReader(fh) if row["Country"].strip()}
    if not names:
        pytest.skip(f"public reference data not available: {PUBLIC}")
    assert sorted(n for n in names if country_code(n) is None) == []
    assert [country_code(n) for n in ("United States", "United Kingdom", "South Korea", "Curacao", "Macau")] == [
        "US", "GB", "KR", "CW", "MO"
    ]  # fmt: skip
    assert country_code("Atlantis") is None and country_code("") is None and country_code(None) is None
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES.values())


def test_companies_without_a_screener_country_are_judged_by_name(tmp_path: Path) -> None:
    # 2024 rows with an empty Country: Cboe and Reddit list "Common Stock"; Flutter, On, Brookfield Asset
    # Management, Bausch + Lomb, Stevanato, Euronav, Seadrill and West Fraser name a company incorporated abroad
    symbols = ["CBOE", "RDDT", "FLUT", "ONON", "BAM", "BLCO", "STVN", "EURN", "SDRL", "WFG"]
    rows = read_screener(screener_excerpt(tmp_path, symbols)).to_pylist()
    assert all(r["country"] is None for r in rows)
    judged = {r["symbol"]: country_without_name(r["name"]) for r in rows}
    assert judged == {s: "US" if s in ("CBOE", "RDDT") else "ZZ" for s in symbols}
    assert (
        country_without_name(None) == "US"
        and country_without_name("Mesa Air Group Inc. Common Stock") == "US"
    )


def test_icb_industries_for_screener_sectors() -> None:
    assert set(SECTOR_TO_ICB.values()) | set(INDUSTRY_TO_ICB.values()) <= set(ICB_INDUSTRIES)
    assert icb_industry("Finance", "Real Estate Investment Trusts") == "Real Estate"
    assert icb_industry("Industrials", "Major Chemicals") == "Basic Materials"
    assert icb_industry("Industrials", "Broadcasting") == "Consumer Discretionary"
    assert icb_industry("Utilities", "Oil/Gas Transmission") == "Energy"
    assert icb_industry("Finance", "Major Banks") == "Financials"  # no override: the sector decides
    assert icb_industry("Technology", None) == "Technology"
    assert icb_industry(None, None) is None and icb_industry("Unknown", "Unknown") is None


def _real_lines(tmp_path: Path, symbols: list[str], class_types=("common", "reit")) -> list[Line]:
    rows = read_screener(screener_excerpt(tmp_path, symbols)).to_pylist()
    sec = {r["ticker"]: r["cik"] for r in read_sec_tickers(public_file(SEC)).to_pylist()}
    return [
        Line(
            r["ticker"],
            r["name"],
            sec.get(r["ticker"]),
            r["market_cap"] / r["last_sale"] if r["market_cap"] else None,
            infer_security_type(r["name"], r["ticker"], r["industry"], r["sector"]).security_type
            in class_types,
        )
        for r in rows
    ]


def test_companies_group_share_classes_on_real_rows(tmp_path: Path) -> None:
    symbols = ["GOOG", "GOOGL", "BRK/A", "BRK/B", "HEI", "HEI/A", "BF/A", "BFK", "ZION", "ZIONO", "FWONA",
               "FWONK", "LLYVA", "LLYVK", "KELYA", "KELYB"]  # fmt: skip
    groups = group_companies(_real_lines(tmp_path, symbols))
    assert groups["GOOG"].company_id == groups["GOOGL"].company_id == "CIK0001652044"
    # 896,883,807,425 / 609,762.50 = 1,470,874 BRK.A; 893,489,915,914 / 404.97 = 2,206,311,371 BRK.B;
    # 2,206,311,371 / 1,470,874 = 1,500.0003 -> 1,500 (within 0.5% of a whole number)
    assert groups["BRK.A"].company_id == groups["BRK.B"].company_id
    assert groups["BRK.A"].conversion_ratio == 1500.0 and groups["BRK.B"].conversion_ratio == 1.0
    assert groups["BRK.B"].is_main and not groups["BRK.A"].is_main
    assert groups["HEI.A"].company_id == groups["HEI"].company_id  # HEI.A has no cap: one family, one name
    assert groups["BFK"].company_id != groups["BF.A"].company_id  # BlackRock's trust is not Brown-Forman's
    assert groups["ZIONO"].company_id == groups["ZION"].company_id  # a preferred joins its issuer
    assert groups["KELYA"].company_id == groups["KELYB"].company_id
    # one CIK, two share counts (Formula One 234,666,862; Live 91,693,753): two tracking-stock companies
    assert groups["FWONA"].company_id == groups["FWONK"].company_id != groups["LLYVA"].company_id
    assert groups["LLYVA"].company_id == groups["LLYVK"].company_id
    assert all(groups[t].is_tracking for t in ("FWONA", "FWONK", "LLYVA", "LLYVK"))
    assert same_family("BRK.B", "BRKR")  # ...but Berkshire and Bruker stay apart by name
    assert not groups["GOOG"].is_tracking


def test_company_rules_by_hand() -> None:
    assert same_family("BF.A", "BF.B") and same_family("GOOG", "GOOGL") and same_family("KELYA", "KELYB")
    assert (
        not same_family("AB", "AC") and not same_family("BRK.B", "BRKLN") and not same_family("ABCD", "ABXY")
    )
    # BRK.B and BRKR (Bruker) are one ticker family: only the name stems keep them apart
    assert conversion_ratio(2_206_311_371, 1_470_874) == 1500.0
    assert conversion_ratio(100, 40) == 2.5  # 2.5 is 25% from a whole number: kept as it is
    lines = [
        Line("XYZA", "X Corp Class A", None, 1000.0, True),
        Line("XYZB", "X Corp Class B", None, 1002.0, True),  # 0.2% apart: one company
        Line("XYZC", "X Corp Class C", None, 1100.0, True),  # 10% apart and not whole: another group
        Line("XA", "X Corp Class A", None, 1000.0, True),  # no CIK, two letters: not a family of XYZA
        Line("XYZAW", "X Corp Warrant", None, None, False),  # a Nasdaq fifth letter W: XYZA's warrant
    ]
    groups = group_companies(lines)
    assert groups["XYZA"].company_id == groups["XYZB"].company_id == "TKR-XYZB"  # main = largest count
    assert groups["XYZC"].company_id == "TKR-XYZC" and groups["XA"].company_id == "TKR-XA"
    assert groups["XYZAW"].company_id == "TKR-XYZB" and groups["XYZAW"].conversion_ratio == 1.0
    assert groups["XYZA"].conversion_ratio == 1.0  # 1,002 / 1,000 = 1.002: within 0.5% of 1


def test_rebase_factors_by_hand() -> None:
    # AAPL 2024: Last Sale 182.09, Net Change -0.31 -> official close of 2024-05-07 = 182.40; bar 181.49
    aapl = BarStats(date(2020, 7, 27), date(2025, 4, 4), 1180, 181.49, date(2024, 5, 8), 181.87, date(2024, 5, 8),
                    181.87)  # fmt: skip
    fit = rebase(182.09, -0.31, aapl)
    assert fit.kind == "exact" and fit.split == 1.0
    assert fit.scale == pytest.approx(182.40 / 181.49)  # 1.00501: dividends after May 2024 and noise
    # NVDA 2024: 907.1975 - 1.6575 = 905.54 against the 10:1 split-adjusted bar 90.49 -> x10.007, split 10
    nvda = BarStats(date(2020, 7, 27), date(2025, 4, 4), 1180, 90.49, None, None, None, None)
    fit = rebase(907.1975, 1.6575, nvda)
    assert fit.split == 10.0 and fit.scale == pytest.approx(905.54 / 90.49)
    # bars ending before the screener day: Last Sale 21 over last bar 2, net of a 5% market move = 10 -> split 10
    stale = BarStats(date(2020, 7, 27), date(2025, 4, 4), 1180, None, None, None, date(2025, 4, 4), 2.0)
    fit = rebase(21.0, 0.1, stale, market_move=1.05)
    assert (fit.kind, fit.scale, fit.split) == ("split", 10.0, 10.0)
    # a 60% move is a price move, left to the bridge
    assert rebase(3.2, 0.0, stale).scale == 1.0
    assert nearest_split(0.0998) == 0.1 and nearest_split(1.45) == 1.5


def _price_rows(points: list[tuple[date, float]]) -> list[tuple]:
    """price_rows for one line X1: bars on the first and third of seven sessions, a 2:1 split to undo (scale 2),
    volumes x10, the screener day on the sixth session (Last Sale 12.1) and the given price points."""
    con = duckdb.connect()
    days = [date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 4),
            date(2025, 4, 7), date(2025, 4, 8)]  # fmt: skip
    con.register("s", pa.table({"date": days, "k": list(range(7))}))
    con.execute("CREATE TEMP TABLE sessions AS SELECT * FROM s")
    # the market factor: 100 up to the last bar's day, 110 after it
    ln_f = [math.log(x) for x in (100, 100, 100, 110, 110, 110, 110)]
    con.register("f", pa.table({"date": days, "ln_f": ln_f}))
    con.execute("CREATE TEMP TABLE factor AS SELECT * FROM f")
    con.execute(
        "CREATE TEMP TABLE bars AS SELECT * FROM (VALUES ('X', DATE '2025-03-31', 4.0, 100.0), "
        "('X', DATE '2025-04-02', 5.0, 300.0)) AS t(ticker, date, close, volume)"
    )
    con.execute(
        "CREATE TEMP TABLE price_lines AS SELECT 'X1' AS security_id, 'X' AS bars_ticker, 2.0 AS scale, "
        "10.0 AS volume_factor, DATE '2025-03-31' AS first_date, DATE '2025-04-02' AS last_bar, "
        "DATE '2025-04-08' AS end_date, 12.1 AS px"
    )
    con.register("p", pa.table({"security_id": ["X1"] * len(points), "date": [d for d, _ in points],
                                "price": [x for _, x in points]}))  # fmt: skip
    con.execute("CREATE TEMP TABLE price_points AS SELECT security_id, date::DATE AS date, price FROM p")
    build_price_rows(con, date(2025, 4, 7))  # the screener day is k=5
    return con.execute("SELECT date, close, volume, origin FROM price_rows ORDER BY date").fetchall()


def test_prices_carry_gaps_and_bridge_to_the_screener_price() -> None:
    rows = _price_rows([])
    closes = [r[1] for r in rows]
    assert closes[0] == 8.0 and rows[0][2] == 500  # 4.0 x 2; volume 100 x 10 / 2
    assert (closes[1], rows[1][2], rows[1][3]) == (8.0, 0, "carried")
    assert closes[2] == 10.0 and rows[2][2] == 1500
    # k=3: ln p = ln 10 + ln(110/100) + (3-2)/(5-2) x (ln 12.1 - ln 10 - ln 1.1) = ln 10 + ln 1.1 + ln(1.1)/3
    assert closes[3] == pytest.approx(10 * 1.1 ** (4 / 3), rel=1e-5)  # six significant digits
    assert closes[4] == pytest.approx(10 * 1.1 ** (5 / 3), rel=1e-5)  # k=4: two thirds of the way
    assert closes[5] == pytest.approx(12.1)  # on the screener day: the Last Sale
    assert closes[6] == pytest.approx(12.1)  # flat after it
    assert [r[3] for r in rows] == [
        "bar",
        "carried",
        "bar",
        "synthetic",
        "synthetic",
        "synthetic",
        "synthetic",
    ]


def test_bridge_goes_through_an_etf_price_in_the_gap() -> None:
    rows = _price_rows([(date(2025, 4, 4), 13.31)])  # a vendor price on k=4
    closes = [r[1] for r in rows]
    # k=3: ln 10 + ln 1.1 + (3-2)/(4-2) x (ln 13.31 - ln 10 - ln 1.1) = ln 10 + ln 1.1 + ln 1.1 -> 12.1
    assert closes[3] == pytest.approx(12.1, rel=1e-5)
    assert closes[4] == pytest.approx(13.31, rel=1e-5)
    # k=5, the screener day, is the next anchor: its Last Sale; flat after
    assert closes[5] == pytest.approx(12.1) and closes[6] == pytest.approx(12.1)


# ------------------------------------------------------------------------------------------------ command


def test_import_refuses_unknown_years_and_missing_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert (
        main(["import", "public", "--year", "2023", "--out", str(tmp_path / "o"), "--source", str(tmp_path)])
        == 1
    )
    assert "no public source set for 2023 (supported years: 2024, 2025)" in capsys.readouterr().err
    assert (
        main(["import", "public", "--year", "2024", "--out", str(tmp_path / "o"), "--source", str(tmp_path)])
        == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("indexpipe import: 2024 needs files missing from") and "nasdaq_screener" in err
    missing = tmp_path / "nowhere"
    assert (
        main(["import", "public", "--year", "2024", "--out", str(tmp_path / "o"), "--source", str(missing)])
        == 1
    )
    assert "does not exist" in capsys.readouterr().err


@pytest.fixture(scope="module")
def imported_2024(real_inputs_2024: Path) -> Path:
    # conftest.py: `indexpipe import public --year 2024` run once, the real-data builds read the same files
    return real_inputs_2024


def _csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = "security_id" if "security_id" in rows[0] else "company_id"
    return {r[key]: r for r in rows}


def test_import_2024_is_contract_valid_with_hand_checked_facts(imported_2024: Path) -> None:
    out = imported_2024
    assert sorted(p.name for p in out.iterdir()) == [
        "classifications.csv", "import_report.md", "initial_membership.csv", "prices.parquet", "securities.csv",
        "shares.csv",
    ]  # fmt: skip
    validated = validate_input_dir(out)
    assert validated.prices_min_date == date(2020, 7, 27) and validated.prices_max_date == date(2025, 4, 4)
    validated.close()
    securities, shares = _csv(out / "securities.csv"), _csv(out / "shares.csv")
    # AAPL: 2,792,182,991,380 / 182.09 = 15,334,082,000.002 shares
    assert float(shares["AAPL"]["shares_outstanding"]) == 15_334_082_000
    assert shares["AAPL"]["available_shares"] == shares["AAPL"]["shares_outstanding"]
    # Alphabet once: 12,358,000,000 shares split evenly between GOOG and GOOGL
    assert securities["GOOG"]["company_id"] == securities["GOOGL"]["company_id"]
    assert (
        float(shares["GOOG"]["shares_outstanding"])
        == float(shares["GOOGL"]["shares_outstanding"])
        == 6_179_000_000
    )
    # BRK.A's bars stop in 2021: BRK.B carries Berkshire's 2,206,311,371 B-equivalent shares alone
    assert "BRK.A" not in securities and float(shares["BRK.B"]["shares_outstanding"]) == 2_206_311_371
    assert securities["BABA"]["security_type"] == "adr" and securities["BABA"]["country_most_liquid"] == "CN"
    assert securities["BFS.PRD"]["security_type"] == "preferred" and "BFS.PRD" not in shares
    assert securities["BFS.PRD"]["company_id"] == securities["BFS"]["company_id"]
    assert securities["VRT"]["security_type"] == "common"  # "LLC" by name, but in the Russell 1000 list
    # NYCB became FLG (and consolidated 1:3) after the screener day: the line keeps the screener's ticker and
    # takes FLG's bars. Every line is re-based so that its close of 2024-05-07 is the screener's official previous
    # close, Last Sale - Net Change: NYCB 3.535 + 0.135 = 3.67; AAPL 182.09 + 0.31 = 182.40; NVDA 907.1975 -
    # 1.6575 = 905.54 (the bars hold 90.49 after NVDA's 10:1 split of June 2024)
    assert "NYCB" in securities and "FLG" not in securities
    closes = dict(
        duckdb.connect()
        .execute(
            "SELECT security_id, close FROM read_parquet(?) "
            "WHERE date = DATE '2024-05-07' AND security_id IN ('NYCB', 'AAPL', 'NVDA')",
            [str(out / "prices.parquet")],
        )
        .fetchall()
    )
    assert closes == pytest.approx({"NYCB": 3.67, "AAPL": 182.40, "NVDA": 905.54}, abs=1e-6)
    # a non-US screener country with a Russell listing gets home_country US (Schlumberger: France)
    assert (securities["SLB"]["country_headquarters"], securities["SLB"]["home_country"]) == ("FR", "US")
    members = list(csv.DictReader((out / "initial_membership.csv").open(newline="")))
    counts = {code: sum(r["index_code"] == code for r in members) for code in ("R1000", "R2000")}
    # R1000: 1,000 listed - 17 without bars (delisted or renamed before April 2025) - BF.A and BF.B (no cap) = 981
    # R2000 page 1: 997 listed - 45 without bars - INBX (its bars are the new Inhibrx, trading from 2024-05-30)
    # - CGON (no market cap) - LGF.A, LGF.B, MOG.A (no class of Lionsgate or Moog is in the screener) = 947
    assert counts == {"R1000": 981, "R2000": 947}
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "| R1000 | SQ | no daily bars" in report and "GPS -> GAP" in report


@pytest.mark.slow  # a second import: with the first, over half a minute
def test_import_2024_is_deterministic(
    imported_2024: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second import writes the same bytes. It reads the bar archives as the first import combined them
    (conftest.py's keeping_combined_bars: a stream of the archives in order, nothing to vary between two runs), so
    it spends its time on what could: the bars' parallel load, the inference, the price rows, the files written."""
    kept = imported_2024.parent / COMBINED_BARS
    reused: list[list[Path]] = []

    def reuse(archives: list[Path], target: Path) -> int:
        reused.append(list(archives))
        link_or_copy(kept, target)  # the import deletes its scratch directory, the kept file stays
        return int(kept.with_suffix(".files").read_text(encoding="utf-8"))

    monkeypatch.setattr(public_market, "combine_archives", reuse)
    again = tmp_path / "again"
    assert main(["import", "public", "--year", "2024", "--out", str(again), "--source", str(PUBLIC)]) == 0
    assert reused == [list(bar_archives(PUBLIC))]

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert {p.name: digest(p) for p in imported_2024.iterdir()} == {
        p.name: digest(p) for p in again.iterdir()
    }
