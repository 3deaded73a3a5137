"""XNYS sessions (indexpipe.calendars): the same days whatever the span asked for, from one calendar per process."""

from __future__ import annotations

from datetime import date

import numpy as np
from indexpipe import calendars
from indexpipe.calendars import calendar_sessions, is_session, non_session_reason, trading_days


def _days(start: date, end: date) -> list[date]:
    return [d.item() for d in trading_days(start, end)]


def test_thanksgiving_week_has_four_sessions() -> None:
    # Mon 25 to Fri 29 Nov 2024: Thursday 28 is Thanksgiving, Friday 29 an early close (still a session)
    assert _days(date(2024, 11, 25), date(2024, 11, 29)) == [
        date(2024, 11, 25),
        date(2024, 11, 26),
        date(2024, 11, 27),
        date(2024, 11, 29),
    ]
    assert not is_session(date(2024, 11, 28))
    assert non_session_reason(date(2024, 11, 28)) is not None
    assert non_session_reason(date(2024, 11, 29)) is None


def test_a_day_s_check_and_the_session_table_share_one_calendar() -> None:
    calendars._xnys.cache_clear()
    assert is_session(date(2026, 12, 31))
    sessions = calendar_sessions()
    assert calendars._xnys.cache_info().currsize == 1
    # the session table is cut to the pipeline's span, not to the calendar's wider bounds
    first, last = calendars.calendar_span()
    assert sessions[0] == np.datetime64("1990-01-02")  # 1 January 1990 was a holiday
    assert sessions[-1] <= np.datetime64(last)
    assert sessions[-1] > np.datetime64(date(last.year, 12, 1))
    # a short window inside it gives the same days as the whole table
    inside = sessions[(sessions >= np.datetime64("2024-11-25")) & (sessions <= np.datetime64("2024-11-29"))]
    assert [d.item() for d in inside] == _days(date(2024, 11, 25), date(2024, 11, 29))
    assert first == date(1990, 1, 1)
