"""Exchange calendars: every trading day comes from XNYS (exchange-calendars), never a hand-written list."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd


@lru_cache(maxsize=8)
def _xnys(first: date, last: date) -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XNYS", start=pd.Timestamp(first), end=pd.Timestamp(last))


def trading_days(start: date, end: date) -> np.ndarray:
    """XNYS sessions with start <= day <= end, as numpy datetime64[D]."""
    # exchange-calendars refuses bounds outside the calendar, so build one that covers the request with room.
    cal = _xnys(date(min(start.year, 1990), 1, 1), date(max(end.year, date.today().year) + 1, 12, 31))
    first = max(pd.Timestamp(start), cal.first_session)
    last = min(pd.Timestamp(end), cal.last_session)
    sessions = cal.sessions_in_range(first, last)
    return sessions.to_numpy().astype("datetime64[D]")
