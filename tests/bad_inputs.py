"""A corpus of bad inputs: each breaks the tiny valid directory of ingest_fixtures in one way, and says where the
rejection must point (file, row/line, column, exactly as the CLI prints it) and a phrase its reason must contain.

Rows of the good directory (ingest_fixtures.GOOD), 1-based as in messages:
- prices: 01-02 S1 S2 S3 S5 (rows 1-4), 01-03 (5-8), 01-04 (9-12), 01-05 S1 S2 S3 S4 (13-16), 01-08 (17-20);
- securities S1..S5 (rows 1-5; S4 listed 2024-01-05, S5 delisted 2024-01-04);
- shares: S1 S2 S3 S4 S5, then S1's post-split count on 2024-01-08 (row 6);
- corporate_actions: A1 dividend S1 01-03, A2 spin-off S2 -> S4 01-05, A3 delisting S5 01-04, A4 split S1 2:1 01-08.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest_fixtures import Rows, csv_to_parquet, edit_csv


@dataclass(frozen=True)
class BadInput:
    name: str
    breaks: Callable[[Path], None]  # changes a copy of the good input directory
    where: str  # the location the message starts with
    says: str  # a phrase of the reason


def at(file: str, row: int | None = None, column: str | None = None, csv: bool = True) -> str:
    """A location as InputValidationError prints it."""
    where = file
    if row is not None:
        where += f" row {row}" + (f" (line {row + 1})" if csv else "")
    if column is not None:
        where += f", column '{column}'"
    return where


def _set(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        def edit(rows: Rows) -> None:
            rows[row - 1][column] = value

        edit_csv(directory / f"{table}.csv", edit)

    return change


def _rows(table: str, change: Callable[[Rows], Rows]) -> Callable[[Path], None]:
    return lambda directory: edit_csv(directory / f"{table}.csv", change)


def _write(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda directory: (directory / name).write_bytes(content)


def _replace(name: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        data = (directory / name).read_bytes()
        assert old in data, (name, old)
        (directory / name).write_bytes(data.replace(old, new, 1))

    return change


def _cut(name: str, drop: int) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        data = (directory / name).read_bytes()
        (directory / name).write_bytes(data[:-drop])

    return change


def _prices_as_parquet(then: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        if then is not None:
            then(directory)
        csv_to_parquet(directory / "prices.csv", "prices")
        (directory / "prices.csv").unlink()

    return change


def _damage_parquet(how: str) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        path = csv_to_parquet(directory / "prices.csv", "prices")
        (directory / "prices.csv").unlink()
        data = bytearray(path.read_bytes())
        if how == "pages":  # flip the bytes of the first data pages: the footer still reads
            for i in range(100, 300):
                data[i] ^= 0xFF
        else:  # cut in half: no footer
            data = data[: len(data) // 2]
        path.write_bytes(bytes(data))

    return change


def _gzip_cut(directory: Path) -> None:
    packed = gzip.compress((directory / "prices.csv").read_bytes())
    (directory / "prices.csv").unlink()
    (directory / "prices.csv.gz").write_bytes(packed[:-20])


def _symlink(name: str, target: Callable[[Path], str]) -> Callable[[Path], None]:
    def change(directory: Path) -> None:
        link = directory / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        os.symlink(target(directory), link)

    return change


def _outside_file(directory: Path) -> str:
    outside = directory.parent / "elsewhere" / "2024-01-09.csv"
    outside.parent.mkdir(exist_ok=True)
    outside.write_text("date,security_id,close,volume\n2024-01-09,S1,7.5,100\n")
    return str(outside)


def _outside_dir(directory: Path) -> str:
    outside = directory.parent / "elsewhere_prices"
    outside.mkdir(exist_ok=True)
    (outside / "2024-01-09.csv").write_text("date,security_id,close,volume\n2024-01-09,S1,7.5,100\n")
    return str(outside)


def _loop(directory: Path) -> None:
    (directory / "shares.csv").unlink()
    os.symlink("shares_b.csv", directory / "shares.csv")
    os.symlink("shares.csv", directory / "shares_b.csv")


def _duplicate_first_price(rows: Rows) -> Rows:
    return rows + [dict(rows[0])]


def _drop_post_split_shares(rows: Rows) -> Rows:
    return [r for r in rows if not (r["security_id"] == "S1" and r["effective_date"] == "2024-01-08")]


CORPUS: tuple[BadInput, ...] = (
    # files and their structure
    BadInput("missing_table", lambda d: (d / "securities.csv").unlink(), "table 'securities'", "no file for table"),
    BadInput("two_files_for_one_table", lambda d: csv_to_parquet(d / "prices.csv", "prices"), "table 'prices'",
             "more than one file"),
    BadInput("empty_file", _write("shares.csv", b""), at("shares.csv"), "empty file"),
    BadInput("header_only_required_table", _write("shares.csv", b"security_id,effective_date,shares_outstanding,"
             b"available_shares\n"), at("shares.csv"), "empty file: no data rows"),
    BadInput("missing_column", _write("prices.csv", b"date,security_id,volume\n2024-01-02,S1,1000\n"),
             at("prices.csv", column="close"), "required column is missing"),
    BadInput("last_row_cut_mid_row", _cut("prices.csv", 8), at("prices.csv", 20), "does not end with a line break"),
    BadInput("last_row_cut_mid_number_with_all_fields", _cut("prices.csv", 2), at("prices.csv", 20),
             "may have been cut off"),
    BadInput("ragged_row", _replace("prices.csv", b"2024-01-02,S3,30.25,3000\n", b"2024-01-02,S3,30.25,3000,9\n"),
             at("prices.csv", 3), "expected 4 fields, found 5"),
    BadInput("unterminated_quote", _replace("securities.csv", b"Beta Realty", b'"Beta Realty'),
             at("securities.csv", 2), "a quoted field on this line is not closed properly"),
    BadInput("text_after_a_closing_quote", _replace("securities.csv", b"Beta Realty", b'"Beta" Realty'),
             at("securities.csv", 2), "a quoted field on this line is not closed properly"),
    BadInput("ten_megabyte_field", _replace("securities.csv", b"Beta Realty", b"B" * 10_000_000),
             at("securities.csv", 2), "above the limit of 2,000,000 bytes"),
    BadInput("invalid_utf8_row", _replace("securities.csv", b"Beta Realty", b"Beta \xff\xfeRealty"),
             at("securities.csv", 2), "not valid UTF-8"),
    BadInput("invalid_utf8_header", _replace("securities.csv", b"ticker", b"tick\xffer"), at("securities.csv"),
             "header line is not valid UTF-8"),
    BadInput("corrupt_parquet_pages", _damage_parquet("pages"), at("prices.parquet"), "cannot read Parquet"),
    BadInput("truncated_parquet", _damage_parquet("half"), at("prices.parquet"), "cannot read Parquet"),
    BadInput("csv_named_parquet", lambda d: (d / "prices.csv").rename(d / "prices.parquet"), at("prices.parquet"),
             "cannot read Parquet"),
    BadInput("truncated_gzip", _gzip_cut, at("prices.csv.gz"), "gzip stream ends early"),
    BadInput("symlink_loop", _loop, at("shares.csv"), "symlink loop"),
    BadInput("symlink_out_of_the_directory", _symlink("prices/2024-01-09.csv", _outside_file),
             at("prices/2024-01-09.csv"), "outside the input directory"),
    BadInput("dangling_symlink", _symlink("classifications.csv", lambda d: "gone.csv"), at("classifications.csv"),
             "which does not exist"),
    BadInput("increments_directory_out_of_the_directory", _symlink("prices", _outside_dir), at("prices"),
             "outside the input directory"),
    # types, enumerations, bounds, keys and references
    BadInput("slashed_date", _set("corporate_actions", 3, "ex_date", "2024/01/04"),
             at("corporate_actions.csv", 3, "ex_date"), "is not an ISO date"),
    BadInput("text_close", _set("prices", 2, "close", "abc"), at("prices.csv", 2, "close"), "not a finite number"),
    BadInput("nan_close", _set("prices", 2, "close", "nan"), at("prices.csv", 2, "close"), "not a finite number"),
    BadInput("negative_close", _set("prices", 4, "close", "-1.5"), at("prices.csv", 4, "close"), "must be > 0"),
    BadInput("zero_close", _set("prices", 5, "close", "0"), at("prices.csv", 5, "close"), "must be > 0"),
    BadInput("negative_volume", _set("prices", 6, "volume", "-10"), at("prices.csv", 6, "volume"), "must be >= 0"),
    BadInput("fractional_volume", _set("prices", 7, "volume", "1.5"), at("prices.csv", 7, "volume"),
             "is not an integer"),
    BadInput("unknown_security_type", _set("securities", 2, "security_type", "bond"),
             at("securities.csv", 2, "security_type"), "is not one of"),
    BadInput("unknown_action_type", _set("corporate_actions", 1, "action_type", "buyback"),
             at("corporate_actions.csv", 1, "action_type"), "is not one of"),
    BadInput("lower_case_country", _set("securities", 3, "country_headquarters", "us"),
             at("securities.csv", 3, "country_headquarters"), "ISO 3166"),
    BadInput("float_above_shares", _set("shares", 2, "available_shares", "600000"),
             at("shares.csv", 2, "available_shares"), "must be <= shares_outstanding"),
    BadInput("delisted_before_listed", _set("securities", 5, "delisting_date", "2019-01-02"),
             at("securities.csv", 5, "delisting_date"), "must be on or after listing_date"),
    BadInput("available_before_period_end", _set("fundamentals", 1, "available_date", "2023-09-01"),
             at("fundamentals.csv", 1, "available_date"), "must be on or after period_end"),
    BadInput("duplicate_price", _rows("prices", _duplicate_first_price),
             at("prices.csv", 21, "security_id, date"), "duplicate key"),
    BadInput("unknown_security", _set("prices", 7, "security_id", "S999"), at("prices.csv", 7, "security_id"),
             "has no match in securities.security_id"),
    BadInput("unknown_company", _set("estimates", 3, "company_id", "C77"), at("estimates.csv", 3, "company_id"),
             "has no match in securities.company_id"),
    BadInput("unknown_related_security", _set("corporate_actions", 2, "related_security_id", "S9"),
             at("corporate_actions.csv", 2, "related_security_id"), "has no match"),
    BadInput("empty_required_value", _set("securities", 4, "ticker", ""), at("securities.csv", 4, "ticker"),
             "value is empty but the column is required"),
    BadInput("membership_row_without_an_id", _set("initial_membership", 1, "company_id", ""),
             at("initial_membership.csv", 1, "company_id"), "needs one of company_id, security_id"),
    BadInput("negative_close_in_parquet", _prices_as_parquet(_set("prices", 11, "close", "-4")),
             at("prices.parquet", 11, "close", csv=False), "must be > 0"),
    # values that parse but cannot be right
    BadInput("close_of_1e30", _set("prices", 9, "close", "1e30"), at("prices.csv", 9, "close"),
             "value '1e30' is above 1e+07 dollars a share"),
    BadInput("close_of_1e-30", _set("prices", 10, "close", "1e-30"), at("prices.csv", 10, "close"),
             "value '1e-30' is below 0.0001 dollars a share"),
    BadInput("volume_of_1e15", _set("prices", 11, "volume", "1000000000000000"), at("prices.csv", 11, "volume"),
             "is above 1e+11 shares a day"),
    BadInput("price_dated_1900", _set("prices", 1, "date", "1900-01-02"), at("prices.csv", 1, "date"),
             "before 1990-01-01"),
    BadInput("price_dated_2100", _set("prices", 20, "date", "2100-01-04"), at("prices.csv", 20, "date"),
             "after"),
    BadInput("price_on_a_saturday", _set("prices", 17, "date", "2024-01-06"), at("prices.csv", 17, "date"),
             "2024-01-06 is a Saturday"),
    BadInput("price_on_a_holiday", _set("prices", 5, "date", "2024-01-01"), at("prices.csv", 5, "date"),
             "2024-01-01 is an XNYS holiday (New Year's Day)"),
    BadInput("split_on_a_sunday", _set("corporate_actions", 4, "ex_date", "2024-01-07"),
             at("corporate_actions.csv", 4, "ex_date"), "2024-01-07 is a Sunday"),
    BadInput("action_dated_2100", _set("corporate_actions", 1, "ex_date", "2100-01-04"),
             at("corporate_actions.csv", 1, "ex_date"), "end of the XNYS calendar"),
    BadInput("action_before_listing", _set("corporate_actions", 1, "security_id", "S4"),
             at("corporate_actions.csv", 1, "ex_date"), "before S4's listing_date 2024-01-05"),
    BadInput("action_after_delisting", _set("corporate_actions", 3, "ex_date", "2024-01-05"),
             at("corporate_actions.csv", 3, "ex_date"), "after S5's delisting_date 2024-01-04"),
    BadInput("split_without_ratio", _set("corporate_actions", 4, "ratio", ""),
             at("corporate_actions.csv", 4, "ratio"), "a split needs ratio"),
    BadInput("dividend_without_cash", _set("corporate_actions", 1, "cash_amount", ""),
             at("corporate_actions.csv", 1, "cash_amount"), "a cash_dividend needs cash_amount"),
    BadInput("spin_off_without_new_line", _set("corporate_actions", 2, "related_security_id", ""),
             at("corporate_actions.csv", 2, "related_security_id"), "a spin_off needs related_security_id"),
    # S1's close 13.25 on 01-05 stays 14.25 on 01-08 instead of halving: x14.25/13.25 = 1.08, x2.15 after the ratio
    BadInput("split_not_in_prices", _set("prices", 17, "close", "14.25"), at("corporate_actions.csv", 4, "ratio"),
             "close goes from 13.25 (2024-01-05) to 14.25 (2024-01-08), x1.08"),
    BadInput("split_not_in_shares", _rows("shares", _drop_post_split_shares), at("corporate_actions.csv", 4, "ratio"),
             "goes from 1,000,000 (2023-12-29) to 1,000,000 (2023-12-29)"),
)  # fmt: skip
