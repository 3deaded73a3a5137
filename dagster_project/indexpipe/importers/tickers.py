"""One ticker spelling for every source.

Vendors write the same line differently: Berkshire's class B is ``BRK/B`` (Nasdaq screener), ``BRK.B`` (bar
archives), ``BRK-B`` (SEC, Barchart) and ``BRKB`` (iShares); a preferred series D is ``BFS^D``, ``BFS.PRD`` or
``BFS-PD``; a warrant ``X.WS`` or ``X-WT``; a unit ``X.U`` or ``X-UN``. The canonical form is the root, a dot and
the suffix in the bar archives' spelling (``BRK.B``, ``BFS.PRD``, ``ACHR.WS``, ``AACT.U``, ``X.RT``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_SEPARATORS = re.compile(r"[./\- ]")
# Suffixes written differently by dash-style sources (SEC, Barchart), in canonical spelling.
_DASH_SUFFIXES = {"WT": "WS", "WTA": "WSA", "WTB": "WSB", "UN": "U", "RI": "RT", "U": "U", "WS": "WS"}


def normalise(raw: str) -> str:
    """The canonical spelling of ``raw`` (any of the vendor spellings above); '' stays ''."""
    text = raw.strip().upper()
    if not text:
        return ""
    # Nasdaq writes a preferred series as '^X' and a series-less preferred as a bare '^'
    caret = text.find("^")
    if caret > 0:
        return f"{text[:caret]}.PR{text[caret + 1 :]}"
    match = _SEPARATORS.search(text)
    if match is None:
        return text
    root, separator, suffix = text[: match.start()], match.group(), _SEPARATORS.sub("", text[match.end() :])
    if not suffix:
        return root
    if separator in "- ":
        if suffix in _DASH_SUFFIXES:
            suffix = _DASH_SUFFIXES[suffix]
        elif suffix.startswith("P") and len(suffix) <= 2:
            # SEC 'X-PD' is preferred series D, a bare 'X-P' a preferred without series
            suffix = "PR" + suffix[1:]
    return f"{root}.{suffix}"


def squashed(ticker: str) -> str:
    """``ticker`` without separators: how iShares files spell share classes (``BRKB``, ``HEIA``)."""
    return _SEPARATORS.sub("", normalise(ticker))


class TickerIndex:
    """Resolves tickers from any source against a set of canonical tickers.

    An exact (normalised) match wins; otherwise a source that drops the separator (iShares' ``BRKB``) matches
    the one known ticker with the same letters. Two known tickers with the same letters match neither way.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self._known = {normalise(t) for t in known if t}
        by_letters: dict[str, set[str]] = {}
        for ticker in self._known:
            by_letters.setdefault(squashed(ticker), set()).add(ticker)
        self._by_letters: Mapping[str, set[str]] = by_letters

    def resolve(self, raw: str) -> str | None:
        ticker = normalise(raw)
        if ticker in self._known:
            return ticker
        candidates = self._by_letters.get(squashed(ticker), set())
        return next(iter(candidates)) if len(candidates) == 1 else None
