"""Numbers and dates printed as the chartbook prints them: percentages with one decimal ("-3.3"), the style box
and characteristics with two, caps in $B with two, dates as "December 31, 2024"."""

from __future__ import annotations

from datetime import date

MISSING = "–"


def _fixed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    # a value that rounds to zero prints without a sign, as the chartbook's tables do
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def percent(value: float | None, decimals: int = 1) -> str:
    """A decimal return or weight as a percentage: 0.0523 -> "5.2"."""
    return MISSING if value is None else _fixed(100 * value, decimals)


def number(value: float | None, decimals: int = 2) -> str:
    return MISSING if value is None else _fixed(value, decimals)


def billions(value: float | None) -> str:
    return MISSING if value is None else _fixed(value / 1e9, 2)


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
