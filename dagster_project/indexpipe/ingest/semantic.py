"""Checks of meaning, after the contract's types, keys and references passed: values that parse but cannot be
right, found before anything is written and named by file, row and column.

In order (the first failing check raises ``InputValidationError``):

1. prices: dated inside the calendar the index is calculated on (1990 to the end of the year after next), on an
   XNYS session (prices are for trading days; a weekend or holiday row is rejected, naming the day), with a close
   between ``min_close`` and ``max_close`` and a volume up to ``max_volume`` (indexpipe.settings.InputLimits);
2. corporate actions: an ex-date that is a trading day of the security (an XNYS session from its listing date to
   its delisting date), and the fields its type needs (a split or spin-off its ratio, a dividend or cash deal its
   cash amount, a spin-off or stock merger its related security);
3. splits agree with prices and shares (the input contract's consistency rule: prices are unadjusted and the shares
   file carries the new count from the ex-date): the first close on or after the ex-date times the ratio is within
   a factor ``1 + split_price_tolerance`` of the last close before it, and the shares outstanding in force on the
   ex-date over those in force the day before, divided by the ratio, within ``1 + split_shares_tolerance``.

Every check reads the ``typed_<table>`` views of the validation connection and can be limited to rows dated in a
window (``DateWindow``), so a delivery of one new day can be checked on that day alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from indexpipe.calendars import calendar_sessions, calendar_span, non_session_reason
from indexpipe.ingest.files import InputValidationError, StagedFile, sql_ident
from indexpipe.settings import InputLimits

_SESSIONS = "_xnys_sessions"
_ROW_KEY = "(_file * 1099511627776 + _row)"  # (file, row) as one orderable number: rows < 2^40 per file

# the fields each action type needs (docs/contract.md §1 enumerations); delistings and bankruptcies need none
REQUIRED_ACTION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "cash_dividend": (("cash_amount", "the cash paid per share"),),
    "special_dividend": (("cash_amount", "the cash paid per share"),),
    "cash_acquisition": (("cash_amount", "the cash paid per share"),),
    "split": (("ratio", "new shares per old share"),),
    "spin_off": (
        ("related_security_id", "the new line"),
        ("ratio", "new shares per parent share"),
    ),
    "stock_merger": (
        ("related_security_id", "the acquirer"),
        ("ratio", "acquirer shares per target share"),
    ),
}


@dataclass(frozen=True)
class DateWindow:
    """Check only rows dated from ``first`` to ``last`` (inclusive; None = unbounded)."""

    first: date | None = None
    last: date | None = None

    def sql(self, column: str) -> str:
        bounds = []
        if self.first is not None:
            bounds.append(f"{column} >= DATE '{self.first.isoformat()}'")
        if self.last is not None:
            bounds.append(f"{column} <= DATE '{self.last.isoformat()}'")
        return " AND ".join(bounds) or "TRUE"


def check_semantics(
    con: duckdb.DuckDBPyConnection,
    staged: dict[str, list[StagedFile]],
    limits: InputLimits,
    window: DateWindow | None = None,
) -> None:
    """Run every check of the module docstring on the validation connection; raise at the first failure."""
    window = window or DateWindow()
    first_day, last_day = calendar_span()
    sessions = pd.DataFrame({"session_date": pd.to_datetime(calendar_sessions()).date})
    con.register("_xnys_sessions_frame", sessions)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SESSIONS} AS SELECT CAST(session_date AS DATE) AS d FROM _xnys_sessions_frame"
    )
    con.unregister("_xnys_sessions_frame")
    checker = _Checker(con, staged)
    _check_prices(checker, window, first_day, last_day, limits)
    _check_action_dates(checker, window, first_day, last_day)
    _check_action_fields(checker, window)
    _check_splits(checker, window, limits)


@dataclass
class _Checker:
    con: duckdb.DuckDBPyConnection
    staged: dict[str, list[StagedFile]]

    def first(self, table: str, where: str) -> tuple[int, int, int] | None:
        """(failing rows, file index, row) of the first row of ``typed_<table>`` matching ``where``."""
        count, key = self.con.execute(
            f"SELECT count(*), min({_ROW_KEY}) FROM typed_{table} WHERE {where}"
        ).fetchone()
        if not count:
            return None
        return int(count), int(key) >> 40, int(key) & ((1 << 40) - 1)

    def value(self, table: str, file_index: int, row: int, column: str) -> object:
        """The value as the file holds it (the text of a CSV field), for the message."""
        view = self.staged[table][file_index].view
        found = self.con.execute(f"SELECT {sql_ident(column)} FROM {view} WHERE _row = ?", [row]).fetchone()
        return None if found is None else found[0]

    def typed_row(self, table: str, file_index: int, row: int, columns: str) -> tuple:
        return self.con.execute(
            f"SELECT {columns} FROM typed_{table} WHERE _file = ? AND _row = ?", [file_index, row]
        ).fetchone()

    def fail(
        self, table: str, hit: tuple[int, int, int], column: str, value: object, reason: str
    ) -> InputValidationError:
        failing, file_index, row = hit
        f = self.staged[table][file_index].file
        return InputValidationError(
            reason,
            file=f.name,
            table=table,
            row=row,
            line=row + 1 if f.is_csv else None,
            column=column,
            value=None if value is None else str(value),
            failing_rows=failing,
        )


def _check_prices(
    checker: _Checker, window: DateWindow, first_day: date, last_day: date, limits: InputLimits
) -> None:
    """Every price rule in one pass over the prices (15.7M rows on the default market), in the documented order."""
    rules = (
        ("date", f"date < DATE '{first_day}' OR date > DATE '{last_day}'"),
        ("date", "s.d IS NULL"),
        ("close", f"close > {limits.max_close!r}"),
        ("close", f"close < {limits.min_close!r}"),
        ("volume", f"volume > {limits.max_volume!r}"),
    )
    aggregates = ", ".join(
        f"count(*) FILTER (WHERE {fails}), min({_ROW_KEY}) FILTER (WHERE {fails})" for _, fails in rules
    )
    result = checker.con.execute(
        f"SELECT {aggregates} FROM typed_prices p LEFT JOIN {_SESSIONS} s ON p.date = s.d WHERE {window.sql('date')}"
    ).fetchone()
    for i, (column, _) in enumerate(rules):
        count, key = result[2 * i], result[2 * i + 1]
        if not count:
            continue
        hit = (int(count), int(key) >> 40, int(key) & ((1 << 40) - 1))
        if column == "date":
            (day,) = checker.typed_row("prices", hit[1], hit[2], "date")
            if i == 0:
                reason = _outside_calendar(day, first_day, last_day)
            else:
                reason = f"{non_session_reason(day)}: prices are for XNYS trading days only"
            raise checker.fail("prices", hit, column, day, reason)
        value = checker.value("prices", hit[1], hit[2], column)
        reason = {
            2: f"is above {limits.max_close:g} dollars a share, the most a close can plausibly be (setting "
            "INDEXPIPE_MAX_CLOSE)",
            3: f"is below {limits.min_close:g} dollars a share, the least a close can plausibly be (setting "
            "INDEXPIPE_MIN_CLOSE)",
            4: f"is above {limits.max_volume:g} shares a day, the most a volume can plausibly be (setting "
            "INDEXPIPE_MAX_VOLUME)",
        }[i]
        raise checker.fail("prices", hit, column, value, f"value '{value}' {reason}")


def _outside_calendar(day: date, first_day: date, last_day: date) -> str:
    if day < first_day:
        return f"date '{day}' is before {first_day}, where the XNYS calendar the indexes are calculated on begins"
    return f"date '{day}' is after {last_day}, the end of the XNYS calendar (the end of the year after next)"


def _check_action_dates(checker: _Checker, window: DateWindow, first_day: date, last_day: date) -> None:
    in_window = window.sql("ex_date")
    outside = f"{in_window} AND (ex_date < DATE '{first_day}' OR ex_date > DATE '{last_day}')"
    if hit := checker.first("corporate_actions", outside):
        (day,) = checker.typed_row("corporate_actions", hit[1], hit[2], "ex_date")
        reason = _outside_calendar(day, first_day, last_day).replace("date '", "ex_date '", 1)
        raise checker.fail("corporate_actions", hit, "ex_date", day, reason)
    not_session = f"{in_window} AND ex_date NOT IN (SELECT d FROM {_SESSIONS})"
    if hit := checker.first("corporate_actions", not_session):
        (day,) = checker.typed_row("corporate_actions", hit[1], hit[2], "ex_date")
        raise checker.fail(
            "corporate_actions",
            hit,
            "ex_date",
            day,
            f"{non_session_reason(day)}: an action goes ex on a trading day of its security",
        )
    listed = (
        f"{in_window} AND EXISTS (SELECT 1 FROM typed_securities s WHERE s.security_id = typed_corporate_actions"
        ".security_id AND (ex_date < s.listing_date OR ex_date > s.delisting_date))"
    )
    if hit := checker.first("corporate_actions", listed):
        day, security, listing, delisting = checker.typed_row(
            "corporate_actions",
            hit[1],
            hit[2],
            "ex_date, security_id, (SELECT listing_date FROM typed_securities s WHERE s.security_id = "
            "typed_corporate_actions.security_id), (SELECT delisting_date FROM typed_securities s "
            "WHERE s.security_id = typed_corporate_actions.security_id)",
        )
        when = (
            f"before {security}'s listing_date {listing}"
            if day < listing
            else f"after {security}'s delisting_date {delisting}"
        )
        raise checker.fail(
            "corporate_actions",
            hit,
            "ex_date",
            day,
            f"ex_date '{day}' is {when}: an action goes ex on a trading day of its security",
        )


def _check_action_fields(checker: _Checker, window: DateWindow) -> None:
    in_window = window.sql("ex_date")
    for action, fields in REQUIRED_ACTION_FIELDS.items():
        for column, meaning in fields:
            where = f"{in_window} AND action_type = '{action}' AND {sql_ident(column)} IS NULL"
            if hit := checker.first("corporate_actions", where):
                raise checker.fail(
                    "corporate_actions",
                    hit,
                    column,
                    None,
                    f"a {action} needs {column} ({meaning}); this row has none",
                )


def _check_splits(checker: _Checker, window: DateWindow, limits: InputLimits) -> None:
    """Prices and shares around every split, with ASOF joins on the split lines' rows only."""
    rows = checker.con.execute(
        f"""
        WITH splits AS (
            SELECT _file, _row, security_id, ex_date, ratio FROM typed_corporate_actions
            WHERE action_type = 'split' AND ratio IS NOT NULL AND {window.sql("ex_date")}
        ),
        px AS (
            SELECT security_id, date, close FROM typed_prices
            WHERE security_id IN (SELECT security_id FROM splits)
        ),
        sh AS (
            SELECT security_id, effective_date, shares_outstanding FROM typed_shares
            WHERE security_id IN (SELECT security_id FROM splits)
        ),
        before_px AS (
            SELECT s._file, s._row, p.date AS d, p.close FROM splits s
            ASOF JOIN px p ON s.security_id = p.security_id AND s.ex_date > p.date
        ),
        after_px AS (
            SELECT s._file, s._row, p.date AS d, p.close FROM splits s
            ASOF JOIN px p ON s.security_id = p.security_id AND s.ex_date <= p.date
        ),
        before_sh AS (
            SELECT s._file, s._row, h.effective_date AS d, h.shares_outstanding AS shares FROM splits s
            ASOF JOIN sh h ON s.security_id = h.security_id AND s.ex_date > h.effective_date
        ),
        on_sh AS (
            SELECT s._file, s._row, h.effective_date AS d, h.shares_outstanding AS shares FROM splits s
            ASOF JOIN sh h ON s.security_id = h.security_id AND s.ex_date >= h.effective_date
        )
        SELECT s._file, s._row, s.security_id, s.ex_date, s.ratio,
            bp.d, bp.close, ap.d, ap.close, bs.d, bs.shares, os.d, os.shares
        FROM splits s
        LEFT JOIN before_px bp USING (_file, _row)
        LEFT JOIN after_px ap USING (_file, _row)
        LEFT JOIN before_sh bs USING (_file, _row)
        LEFT JOIN on_sh os USING (_file, _row)
        ORDER BY s._file, s._row
        """
    ).fetchall()
    price_limit = math.log1p(limits.split_price_tolerance)
    shares_limit = math.log1p(limits.split_shares_tolerance)
    price_fails, shares_fails = [], []
    for row in rows:
        file_index, row_no, security, ex_date, ratio, bd, bclose, ad, aclose, bsd, bshares, osd, oshares = row
        if bclose and aclose and abs(math.log(aclose * ratio / bclose)) > price_limit:
            price_fails.append((file_index, row_no, (security, ex_date, ratio, bd, bclose, ad, aclose)))
        if bshares and oshares and abs(math.log(oshares / bshares / ratio)) > shares_limit:
            shares_fails.append((file_index, row_no, (security, ex_date, ratio, bsd, bshares, osd, oshares)))
    if price_fails:
        file_index, row_no, (security, ex_date, ratio, bd, bclose, ad, aclose) = price_fails[0]
        move = aclose / bclose
        raise checker.fail(
            "corporate_actions",
            (len(price_fails), file_index, row_no),
            "ratio",
            f"{ratio:g}",
            f"a split of {ratio:g} new shares per old share of {security} on {ex_date}, but its close goes from "
            f"{bclose:g} ({bd}) to {aclose:g} ({ad}), x{move:.3g}: prices are unadjusted, so the close should fall "
            f"by the ratio on the ex-date (to about {bclose / ratio:.4g}); allowed within a factor "
            f"{1 + limits.split_price_tolerance:g} of that (setting INDEXPIPE_SPLIT_PRICE_TOLERANCE)",
        )
    if shares_fails:
        file_index, row_no, (security, ex_date, ratio, bsd, bshares, osd, oshares) = shares_fails[0]
        raise checker.fail(
            "corporate_actions",
            (len(shares_fails), file_index, row_no),
            "ratio",
            f"{ratio:g}",
            f"a split of {ratio:g} new shares per old share of {security} on {ex_date}, but shares_outstanding in "
            f"force goes from {bshares:,.0f} ({bsd}) to {oshares:,.0f} ({osd}), x{oshares / bshares:.3g}: the shares "
            f"file should carry the new count from the ex-date (about {bshares * ratio:,.0f}); allowed within a "
            f"factor {1 + limits.split_shares_tolerance:g} of that (setting INDEXPIPE_SPLIT_SHARES_TOLERANCE)",
        )
