"""The input contract (docs/contract.md §1) as data: tables, columns, types, enumerations and keys.

Both the synthetic market generator and the ingestion validator read this module, so the files the
generator writes and the files the validator accepts cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["varchar", "date", "double", "bigint"]

SECURITY_TYPES = (
    "common", "reit", "tracking_stock", "preferred", "convertible_preferred", "adr", "etf", "mutual_fund",
    "closed_end_fund", "bdc", "royalty_trust", "limited_partnership", "llc", "spac", "warrant", "right",
    "unit", "trust_receipt",
)  # fmt: skip
EXCHANGES = ("NYSE", "NASDAQ", "NYSE_AMERICAN", "NYSE_ARCA", "CBOE", "OTC", "UNLISTED")
ACTION_TYPES = (
    "cash_dividend", "special_dividend", "split", "spin_off", "stock_merger", "cash_acquisition",
    "delisting", "bankruptcy",
)  # fmt: skip
# Size indexes an `initial_membership` row may name (docs/contract.md §3 index codes)
SIZE_INDEX_CODES = (
    "R3000E", "R3000", "RTOP50", "RTOP200", "RTOP500", "R1000", "RMID", "R2000", "R2500", "RMICRO",
)  # fmt: skip
ICB_INDUSTRIES = (
    "Technology", "Telecommunications", "Health Care", "Financials", "Real Estate", "Consumer Discretionary",
    "Consumer Staples", "Industrials", "Basic Materials", "Energy", "Utilities",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # empty values are allowed
    enum: tuple[str, ...] | None = None
    min_value: float | None = None  # inclusive lower bound
    positive: bool = False  # strictly greater than zero
    country_code: bool = False  # ISO 3166 alpha-2 (two upper-case letters)
    default: str | None = None  # SQL literal used when an optional column is absent or empty


@dataclass(frozen=True)
class Reference:
    column: str
    table: str
    target_column: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default_factory=tuple)
    # (earlier, later): a row is invalid when `later` < `earlier`
    date_order: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # (smaller, larger): a row is invalid when `smaller` > `larger` (both non-empty)
    at_most: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # groups of columns of which each row must fill at least one
    one_of: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    # an optional table may be absent or header-only: it then loads as an empty table
    optional: bool = False
    # the order rows are written in raw (a permutation of the key, so it is total); empty: the key's order
    stored_order: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.stored_order and sorted(self.stored_order) != sorted(self.key):
            raise ValueError(
                f"{self.name}: stored_order {self.stored_order} is not an order of the key {self.key}"
            )

    @property
    def write_order(self) -> tuple[str, ...]:
        return self.stored_order or self.key

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _country(name: str, *, required: bool = True) -> Column:
    return Column(name, "varchar", required=required, nullable=not required, country_code=True)


SECURITIES = Table(
    "securities",
    (
        Column("security_id", "varchar"),
        Column("company_id", "varchar"),
        Column("ticker", "varchar"),
        Column("name", "varchar"),
        Column("security_type", "varchar", enum=SECURITY_TYPES),
        Column("exchange", "varchar", enum=EXCHANGES),
        _country("country_incorporation"),
        _country("country_headquarters"),
        _country("country_most_liquid"),
        Column("listing_date", "date"),
        Column("delisting_date", "date", required=False, nullable=True),
        Column("conversion_ratio", "double", required=False, nullable=True, positive=True, default="1.0"),
        _country("country_assets", required=False),
        _country("country_revenue", required=False),
        # the supplier's home country; overrides the home-country waterfall for the line's company
        _country("home_country", required=False),
    ),
    key=("security_id",),
    date_order=(("listing_date", "delisting_date"),),
)

PRICES = Table(
    "prices",
    (
        Column("date", "date"),
        Column("security_id", "varchar"),
        Column("close", "double", positive=True),
        Column("volume", "bigint", min_value=0),
    ),
    key=("security_id", "date"),
    references=(Reference("security_id", "securities", "security_id"),),
    # Date first: each row group then holds a few days, so a query for one date (the daily models, the holdings
    # view) skips the others by their min/max date instead of scanning all prices. A windowed load deletes its
    # days and appends them, so a daily run that adds the next day keeps the table in this order.
    stored_order=("date", "security_id"),
)

SHARES = Table(
    "shares",
    (
        Column("security_id", "varchar"),
        Column("effective_date", "date"),
        Column("shares_outstanding", "double", min_value=0),
        Column("available_shares", "double", min_value=0),
        Column("votes_per_share", "double", required=False, nullable=True, min_value=0, default="1.0"),
    ),
    key=("security_id", "effective_date"),
    references=(Reference("security_id", "securities", "security_id"),),
    at_most=(("available_shares", "shares_outstanding"),),
)

CORPORATE_ACTIONS = Table(
    "corporate_actions",
    (
        Column("action_id", "varchar"),
        Column("security_id", "varchar"),
        Column("ex_date", "date"),
        Column("action_type", "varchar", enum=ACTION_TYPES),
        Column("cash_amount", "double", required=False, nullable=True, min_value=0),
        Column("ratio", "double", required=False, nullable=True, positive=True),
        Column("related_security_id", "varchar", required=False, nullable=True),
    ),
    key=("action_id",),
    references=(
        Reference("security_id", "securities", "security_id"),
        Reference("related_security_id", "securities", "security_id"),
    ),
    optional=True,
)

_FUNDAMENTAL_VALUES = (
    "book_value", "sales", "eps", "pretax_income", "total_assets", "total_debt", "operating_cash_flow",
)  # fmt: skip
FUNDAMENTALS = Table(
    "fundamentals",
    (
        Column("company_id", "varchar"),
        Column("period_end", "date"),
        Column("available_date", "date"),
        *(Column(name, "double", nullable=True) for name in _FUNDAMENTAL_VALUES),
    ),
    key=("company_id", "period_end"),
    references=(Reference("company_id", "securities", "company_id"),),
    date_order=(("period_end", "available_date"),),
    optional=True,
)

ESTIMATES = Table(
    "estimates",
    (
        Column("company_id", "varchar"),
        Column("as_of_date", "date"),
        Column("eps_growth_2y", "double", nullable=True),
        Column("ltg", "double", nullable=True),
        Column("eps_fy1", "double", nullable=True),
        Column("analyst_count", "bigint", min_value=0),
    ),
    key=("company_id", "as_of_date"),
    references=(Reference("company_id", "securities", "company_id"),),
    optional=True,
)

CLASSIFICATIONS = Table(
    "classifications",
    (
        Column("company_id", "varchar"),
        Column("effective_date", "date"),
        Column("icb_industry", "varchar", enum=ICB_INDUSTRIES),
        Column("icb_supersector", "varchar"),
        Column("icb_sector", "varchar"),
        Column("icb_subsector", "varchar"),
    ),
    key=("company_id", "effective_date"),
    references=(Reference("company_id", "securities", "company_id"),),
    optional=True,
)

# The composition in force before the first reconstitution in the data (methodology decision 11). Names that are
# not in `securities` are reported by the build, not rejected: a published list outlives the names in a data set.
INITIAL_MEMBERSHIP = Table(
    "initial_membership",
    (
        Column("index_code", "varchar", enum=SIZE_INDEX_CODES),
        Column("as_of_date", "date"),
        Column("company_id", "varchar", required=False, nullable=True),
        Column("security_id", "varchar", required=False, nullable=True),
    ),
    key=("index_code", "company_id", "security_id"),
    one_of=(("company_id", "security_id"),),
    optional=True,
)

TABLES: tuple[Table, ...] = (
    SECURITIES, PRICES, SHARES, CORPORATE_ACTIONS, FUNDAMENTALS, ESTIMATES, CLASSIFICATIONS, INITIAL_MEMBERSHIP,
)  # fmt: skip
TABLES_BY_NAME = {t.name: t for t in TABLES}
FILE_SUFFIXES = (".parquet", ".csv", ".csv.gz")
