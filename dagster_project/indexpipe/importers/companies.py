"""Share lines grouped into companies, with conversion ratios and tracking stocks.

What the free files offer: SEC's CIK per ticker (the most reliable company key, when SEC still lists the
ticker), names, and the Nasdaq screener's market cap, which for every listed class is the company's total cap at
that class's price. Market cap / last sale is therefore the same share count for each class of one company
(GOOG and GOOGL: 12,358,000,000), in that class's units (BRK.B 2,206,311,371 = BRK.A 1,470,874 x 1,500).

Rules, in order:
1. Two common-type lines belong to one company when their name stems agree, they share a CIK or their tickers are
   one family (``BF.A``/``BF.B``, ``GOOG``/``GOOGL``, ``KELYA``/``KELYB``), and their implied share counts agree up
   to a whole conversion ratio (0.5% tolerance). Groups of one CIK with different share counts are tracking
   stocks (Liberty Media's Formula One and Live groups), each its own company.
2. Every other line (preferred, warrant, unit, ADR, ...) joins the company of its issuer: the common-type
   company with its CIK, else with its ticker family; otherwise lines of one CIK or family form a company.
3. The main class is the one with the largest implied share count; a class's conversion ratio is main shares /
   its shares, rounded to a whole number within 0.5% (BRK.A: 1,500), 1 where the screener gives no cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from indexpipe.importers.names import first_word, name_stem

_TOLERANCE = 0.005
# Nasdaq's fifth letters for a company's other issues: preferred (O, P, N, M, L), warrant (W), unit (U),
# right (R), miscellaneous (Z)
_ISSUE_LETTERS = frozenset("OPNMLWURZ")


@dataclass(frozen=True)
class Line:
    ticker: str  # canonical
    name: str | None
    cik: int | None
    implied_shares: float | None  # screener market cap / last sale
    is_class: bool  # common, REIT or tracking stock: a class whose shares count towards the company


@dataclass(frozen=True)
class CompanyMembership:
    company_id: str
    conversion_ratio: float  # main-class shares one share of this line is worth
    is_main: bool
    is_tracking: bool


def _root(ticker: str) -> str:
    return ticker.split(".", 1)[0]


def same_family(a: str, b: str) -> bool:
    """Tickers of one issuer's lines: one root (BF.A, BF.B), or roots that differ by one trailing letter
    (GOOG/GOOGL, FOX/FOXA, Z/ZG) or in the last letter only, at four letters or more (KELYA/KELYB)."""
    ra, rb = _root(a), _root(b)
    if ra == rb:
        return True
    short, long_ = sorted((ra, rb), key=lambda r: (len(r), r))
    if len(long_) == len(short) + 1 and long_.startswith(short):
        return True
    return len(ra) == len(rb) >= 4 and ra[:-1] == rb[:-1]


class _FamilyIndex:
    """Finds the tickers of one family without comparing every pair."""

    def __init__(self, tickers: Iterable[str]) -> None:
        self.by_root: dict[str, list[str]] = {}
        self.by_trimmed: dict[str, list[str]] = {}
        for t in sorted(tickers):
            root = _root(t)
            self.by_root.setdefault(root, []).append(t)
            if len(root) > 1:
                self.by_trimmed.setdefault(root[:-1], []).append(t)

    def family(self, ticker: str) -> list[str]:
        root = _root(ticker)
        found = self.by_root.get(root, []) + self.by_root.get(root[:-1], []) + self.by_trimmed.get(root, [])
        found += self.by_trimmed.get(root[:-1], [])
        return sorted({t for t in found if t != ticker and same_family(ticker, t)})


def conversion_ratio(main_shares: float, shares: float) -> float:
    ratio = main_shares / shares
    whole = round(ratio)
    return float(whole) if whole >= 1 and abs(ratio / whole - 1) <= _TOLERANCE else ratio


def _consistent(a: Line, b: Line) -> bool:
    if a.implied_shares is None or b.implied_shares is None:
        return True
    big, small = max(a.implied_shares, b.implied_shares), min(a.implied_shares, b.implied_shares)
    whole = round(big / small)
    return whole >= 1 and abs(big / small / whole - 1) <= _TOLERANCE


class _Groups:
    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {k: k for k in keys}

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k in sorted(self.parent):
            out.setdefault(self.find(k), []).append(k)
        return out


def group_companies(lines: Sequence[Line]) -> dict[str, CompanyMembership]:
    """Company, conversion ratio, main-class and tracking-stock flags for every line, keyed by ticker."""
    by_ticker = {line.ticker: line for line in sorted(lines, key=lambda x: x.ticker)}
    stems = {t: name_stem(line.name) for t, line in by_ticker.items()}
    classes = [t for t, line in by_ticker.items() if line.is_class]
    others = [t for t, line in by_ticker.items() if not line.is_class]

    # 1. classes: same stem, and same CIK or ticker family, and consistent share counts
    groups = _Groups(classes)
    by_stem: dict[str, list[str]] = {}
    for t in classes:
        by_stem.setdefault(stems[t], []).append(t)
    for stem, tickers in by_stem.items():
        if not stem:
            continue
        for i, a in enumerate(tickers):
            for b in tickers[i + 1 :]:
                la, lb = by_ticker[a], by_ticker[b]
                linked = (la.cik is not None and la.cik == lb.cik) or same_family(a, b)
                if linked and _consistent(la, lb):
                    groups.union(a, b)
    class_groups = groups.members()
    group_of = {t: g for g, members in class_groups.items() for t in members}
    groups_by_cik: dict[int, set[str]] = {}
    for t in classes:
        cik = by_ticker[t].cik
        if cik is not None:
            groups_by_cik.setdefault(cik, set()).add(group_of[t])

    # 2. other lines: the issuer's class company by CIK, else by ticker family; else among themselves
    firsts = {t: first_word(line.name) for t, line in by_ticker.items()}

    def issuer_family(a: str, b: str) -> bool:
        """A preferred, warrant or unit of the same issuer: same root (X.PRA, X.WS), or a Nasdaq fifth letter
        for that kind of line (ZIONO, BRKHW, BRKHU), and names that start alike (BFK is not Brown-Forman's)."""
        if firsts[a] != firsts[b] or not firsts[a]:
            return False
        ra, rb = _root(a), _root(b)
        if ra == rb:
            return True
        short, long_ = sorted((ra, rb), key=lambda r: (len(r), r))
        return (
            len(short) >= 4
            and len(long_) == len(short) + 1
            and long_.startswith(short)
            and long_[-1] in _ISSUE_LETTERS
        )

    loose = _Groups(others)
    class_family = _FamilyIndex(classes)
    for t in others:
        line = by_ticker[t]
        candidates = sorted(groups_by_cik.get(line.cik, ())) if line.cik is not None else []
        if not candidates:
            candidates = sorted({group_of[c] for c in class_family.family(t) if issuer_family(t, c)})
        if candidates:
            # several tracking groups under one CIK: the one whose ticker shares the longest prefix
            def prefix(g: str, t: str = t) -> int:
                return max(len(_common_prefix(t, m)) for m in class_groups[g])

            group_of[t] = max(candidates, key=lambda g: (prefix(g), [-ord(c) for c in g]))
    unattached = [t for t in others if t not in group_of]
    unattached_family = _FamilyIndex(unattached)
    first_of_cik: dict[int, str] = {}
    for t in unattached:
        cik = by_ticker[t].cik
        if cik is not None:
            loose.union(first_of_cik.setdefault(cik, t), t)
        for other in unattached_family.family(t):
            if issuer_family(t, other):
                loose.union(t, other)
    for t in unattached:
        group_of[t] = "~" + loose.find(t)  # never collides with a class group's key (a ticker)

    members: dict[str, list[str]] = {}
    for t in sorted(group_of):
        members.setdefault(group_of[t], []).append(t)

    # 3. ids, main class, conversion ratios, tracking stocks
    tracking_groups = {g for gs in groups_by_cik.values() if len(gs) > 1 for g in gs}
    result: dict[str, CompanyMembership] = {}
    for group, tickers in members.items():
        class_lines = [by_ticker[t] for t in tickers if by_ticker[t].is_class]
        sized = [x for x in class_lines if x.implied_shares is not None]
        if sized:
            main = max(sized, key=lambda x: (x.implied_shares, [-ord(c) for c in x.ticker]))
        else:
            main = min(
                class_lines or [by_ticker[t] for t in tickers], key=lambda x: (len(x.ticker), x.ticker)
            )
        ciks = sorted({by_ticker[t].cik for t in tickers if by_ticker[t].cik is not None})
        if ciks and len(groups_by_cik.get(ciks[0], ())) <= 1:
            company_id = f"CIK{ciks[0]:010d}"
        elif ciks:
            company_id = f"CIK{ciks[0]:010d}-{main.ticker}"
        else:
            company_id = f"TKR-{main.ticker}"
        for t in tickers:
            line = by_ticker[t]
            ratio = 1.0
            if line.is_class and line.implied_shares is not None and main.implied_shares is not None:
                ratio = conversion_ratio(main.implied_shares, line.implied_shares)
            result[t] = CompanyMembership(
                company_id=company_id,
                conversion_ratio=ratio,
                is_main=t == main.ticker,
                is_tracking=line.is_class and group in tracking_groups,
            )
    return result


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
