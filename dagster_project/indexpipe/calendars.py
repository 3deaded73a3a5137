"""Exchange calendars: every trading day comes from XNYS (exchange-calendars), never a hand-written list."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd

# The span the warehouse's session table (raw.xnys_sessions) and the price partitions cover: from 1990 to the end
# of the year after next (synthetic markets may run ahead of today). Input dated outside it cannot be calculated.
CALENDAR_FIRST_YEAR = 1990
CALENDAR_YEARS_AHEAD = 2


@lru_cache(maxsize=8)
def _xnys(first: date, last: date) -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XNYS", start=pd.Timestamp(first), end=pd.Timestamp(last))


def trading_days(start: date, end: date) -> np.ndarray:
    """XNYS sessions with start <= day <= end, as numpy datetime64[D]."""
    # exchange-calendars refuses bounds outside the calendar, so build one that covers the request with room; the
    # same bounds for every request inside the pipeline's span (a day's check, the session table), so a process builds
    # the calendar once (0.2-0.4 s each)
    last_year = max(end.year, date.today().year + CALENDAR_YEARS_AHEAD) + 1
    cal = _xnys(date(min(start.year, CALENDAR_FIRST_YEAR), 1, 1), date(last_year, 12, 31))
    first = max(pd.Timestamp(start), cal.first_session)
    last = min(pd.Timestamp(end), cal.last_session)
    sessions = cal.sessions_in_range(first, last)
    return sessions.to_numpy().astype("datetime64[D]")


def calendar_span(today: date | None = None) -> tuple[date, date]:
    """First and last day of the calendar the pipeline computes on (see CALENDAR_FIRST_YEAR)."""
    today = today or date.today()
    return date(CALENDAR_FIRST_YEAR, 1, 1), date(today.year + CALENDAR_YEARS_AHEAD, 12, 31)


def calendar_sessions(today: date | None = None) -> np.ndarray:
    """Every XNYS session of ``calendar_span``, as numpy datetime64[D]."""
    return trading_days(*calendar_span(today))


def is_session(day: date) -> bool:
    return len(trading_days(day, day)) == 1


@lru_cache(maxsize=1)
def _holiday_rules() -> xcals.ExchangeCalendar:
    # holiday rules and ad hoc closures do not depend on the calendar's bounds: a one-year calendar is cheapest
    return xcals.get_calendar("XNYS", start=pd.Timestamp("2020-01-02"), end=pd.Timestamp("2020-12-31"))


def non_session_reason(day: date) -> str | None:
    """None when ``day`` is an XNYS session, else why not: the weekend day or the holiday's name."""
    if day.weekday() >= 5:
        return f"{day} is a {day:%A}, not an XNYS session"
    if is_session(day):
        return None
    calendar = _holiday_rules()
    stamp = pd.Timestamp(day)
    names = calendar.regular_holidays.holidays(stamp, stamp, return_name=True)
    if len(names):
        return f"{day} is an XNYS holiday ({names.iloc[0]})"
    if stamp in set(calendar.adhoc_holidays):
        return f"{day} is an XNYS special closure"
    return f"{day} is not an XNYS session (outside the calendar)"


def next_session(day: date) -> date | None:
    """The first XNYS session after ``day`` (None beyond the calendar)."""
    last = calendar_span()[1]
    if day >= last:
        return None
    following = trading_days(date.fromordinal(day.toordinal() + 1), min(last, date(day.year + 1, 12, 31)))
    return pd.Timestamp(following[0]).date() if len(following) else None


def no_calculation_reason(day: date) -> str | None:
    """None on an XNYS session, else why a daily index calculation of ``day`` does not run, naming the next
    session (``indexpipe day``'s one-line refusal)."""
    reason = non_session_reason(day)
    if reason is None:
        return None
    following = next_session(day)
    after = f"; the next session is {following:%A} {following}" if following else ""
    return f"{reason}: no index calculation{after}"
