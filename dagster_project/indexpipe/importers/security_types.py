"""A line's security type (the contract's enumeration) from its name, ticker suffix and screener industry.

The free files say what a line is only in words: "Warrant", "Depositary Shares each representing 1/1000th of a
share of ... Preferred Stock", "American Depositary Shares", "Common Units Representing Limited Partner
Interests", "Municipal Income Fund", industry "Blank Checks". The rules run in a fixed order and the first that
matches decides; the report counts lines per rule. Exchange-listed notes and debentures ("baby bonds") have no
type of their own in the contract: they are typed ``preferred`` (fixed income, excluded either way) and counted
under their own rule. Tracking stocks are told apart later, by their share counts (``companies``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Screener industries whose lines are closed-end funds when their names say fund or trust
TRUSTS_INDUSTRY = "Trusts Except Educational Religious and Charitable"  # Nasdaq files closed-end funds here
_FUND_INDUSTRIES = frozenset(
    {TRUSTS_INDUSTRY, "Finance Companies", "Investment Managers", "Finance/Investors Services",
     "Finance: Consumer Services", "Diversified Financial Services", "Investment Bankers/Brokers/Service"}
)  # fmt: skip
REIT_INDUSTRY = "Real Estate Investment Trusts"
SPAC_INDUSTRY = "Blank Checks"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_WARRANT = _rx(r"\bwarrants?\b|\(adw\)")
_RIGHT = _rx(r"\brights?\b")
_UNIT = _rx(r"\bunits?\b")
_NOT_SPAC_UNIT = _rx(
    r"(common|depositary|partnership|trust|beneficial|preferred)\s+units?\b|units?\s+(representing|of\s+(limited|beneficial))"
    r"|limited partner"
)
_DEBT = _rx(
    r"\bnotes?\b|\bdebentures?\b|\bdue\s+20\d\d\b|\bzones\b|\bauthority\b|\bcapital trust\b"
    r"|\bsenior secured\b|\bsubordinated\b"
)
_BONDS = _rx(r"\bbonds?\b")  # "First Mortgage Bonds" are debt, a "Bond Fund" is a fund
_ADR = _rx(
    r"american depositary|american depository|\bads\b|\badr\b|new york registry|depositary receipts?"
    r"|global depositary"
)
_PREFERRED = _rx(
    r"preferred\s+(stock|shares?|securities|series|units?|share)|\b(class|series)\s+\w+\s+preferred\b"
    r"|\bpfd\b|\bpref\b|\bprf\b|preference|depositary shares?|depository shares?|\bperp(etual)?\b"
    r"|cumulative|redeemable|fixed[- ]to[- ]float|fixed/floating"
)
_CONVERTIBLE = _rx(r"\bconv(ertible)?\b")
_ETF = _rx(r"\betf\b|exchange[- ]traded|index fund|\bishares\b|\bspdr\b|\bproshares\b")
_SPAC = _rx(r"\bacquisition (corp|corporation|company|co|holdings|inc|limited|ltd)\b|\bspac\b|blank check")
_ROYALTY = _rx(r"royalty trust|\broyalty tr\b|\bmesabi trust\b|\btrust units\b|units of beneficial interest")
_LP = _rx(
    r"\bl\.\s?p\.|\blp\b|limited partner|common units|partnership units|depositary units|\bl\.p$|\bmlp\b"
)
_LLC = _rx(r"\bllc\b|\bl\.l\.c\b")
_FUND = _rx(r"\bfund\b|\bfunds\b|\bmunicipal\b|\bmuni\b|\bterm trust\b")
# in a fund industry, a "Trust" or a fund's phrasing is a closed-end fund (asset managers and brokers in the same
# industries are named "Inc.", "Group", "Partners")
_FUND_TRUST = _rx(
    r"\btrust\b|shares of beneficial interest|\bshs of bi\b|\btotal return\b|\bdividend opp|\bincome securities\b"
    r"|\b(corporate|participation) investors\b"
)
_BDC = _rx(
    r"\bbdc\b|business development|specialty lending|direct lending|secured lending"
    r"|\binvestment corp(oration)?\b|\bcapital corp(oration)?\b|\bfinance corp(oration)?\b|floating rate capital"
    r"|capital investment corp|\bspecialty finance\b|\bprivate credit\b|\bfinance inc\b"
)
_REIT = _rx(r"\breit\b|realty trust|real estate investment trust|properties trust|\bproperty trust\b")


@dataclass(frozen=True)
class InferredType:
    security_type: str  # one of contract.SECURITY_TYPES
    rule: str  # which rule decided, for the report


def infer_security_type(
    name: str | None, ticker: str, industry: str | None = None, sector: str | None = None
) -> InferredType:
    """The type of one line; ``ticker`` in canonical spelling (``X.WS``, ``X.PRD``, ``X.U``)."""
    text = name or ""
    suffix = ticker.split(".", 1)[1] if "." in ticker else ""
    if suffix.startswith("WS") or _WARRANT.search(text):
        return InferredType("warrant", "warrant")
    # before rights and units: "ADS each representing the right to receive...", "ADS representing 10 Units"
    if _ADR.search(text) and not _PREFERRED.search(_ADR.sub("", text)):
        return InferredType("adr", "depositary receipt")
    if suffix == "RT" or _RIGHT.search(text):
        return InferredType("right", "right")
    if suffix == "U" or (_UNIT.search(text) and not _NOT_SPAC_UNIT.search(text)):
        return InferredType("unit", "unit")
    if suffix.startswith("PR") or _PREFERRED.search(text):
        if _DEBT.search(text) or _BONDS.search(text):
            return InferredType("preferred", "debt (notes, debentures, ZONES)")
        if _CONVERTIBLE.search(text):
            return InferredType("convertible_preferred", "convertible preferred")
        return InferredType("preferred", "preferred")
    if _DEBT.search(text) or (_BONDS.search(text) and not _FUND.search(text)):
        return InferredType("preferred", "debt (notes, debentures, ZONES)")
    if _LP.search(text):
        return InferredType("limited_partnership", "limited partnership")
    if industry == SPAC_INDUSTRY or _SPAC.search(text):
        return InferredType("spac", "SPAC (blank check)")
    if _ETF.search(text):
        return InferredType("etf", "ETF")
    if _ROYALTY.search(text):
        return InferredType("royalty_trust", "royalty trust")
    if _LLC.search(text):
        return InferredType("llc", "LLC")
    if industry == REIT_INDUSTRY or (sector == "Real Estate" and _REIT.search(text)):
        return InferredType("reit", "REIT")
    if _FUND.search(text) or (industry in _FUND_INDUSTRIES and _FUND_TRUST.search(text)):
        return InferredType("closed_end_fund", "closed-end fund")
    # a new listing has no industry yet (Kayne Anderson BDC, Nuveen Churchill Direct Lending)
    if (industry in _FUND_INDUSTRIES or industry is None) and _BDC.search(text):
        return InferredType("bdc", "business development company")
    if industry == TRUSTS_INDUSTRY:
        return InferredType("closed_end_fund", "closed-end fund (Nasdaq's trusts industry)")
    return InferredType("common", "common (no other rule)")
