"""Country names as the Nasdaq screener writes them -> ISO 3166 alpha-2 codes.

An explicit table rather than a library: the screener's spellings are few and fixed ("South Korea", "Macau",
"U.S. Virgin Islands", "Curacao"), a wrong guess would silently move a company's home country, and a new name
should fail a test, not map to something close. A company without a country is judged by its name.
"""

from __future__ import annotations

import re

COUNTRY_CODES: dict[str, str] = {
    "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Bahamas": "BS", "Bahrain": "BH", "Barbados": "BB",
    "Belgium": "BE", "Belize": "BZ", "Bermuda": "BM", "Brazil": "BR", "British Virgin Islands": "VG",
    "Bulgaria": "BG", "Cambodia": "KH", "Canada": "CA", "Cayman Islands": "KY", "Chile": "CL", "China": "CN",
    "Colombia": "CO", "Costa Rica": "CR", "Curacao": "CW", "Cyprus": "CY", "Czech Republic": "CZ", "Denmark": "DK",
    "Egypt": "EG", "Estonia": "EE", "Finland": "FI", "France": "FR", "Georgia": "GE", "Germany": "DE",
    "Gibraltar": "GI", "Greece": "GR", "Guernsey": "GG", "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS",
    "India": "IN", "Indonesia": "ID", "Ireland": "IE", "Isle of Man": "IM", "Israel": "IL", "Italy": "IT",
    "Japan": "JP", "Jersey": "JE", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE", "Liberia": "LR",
    "Liechtenstein": "LI", "Lithuania": "LT", "Luxembourg": "LU", "Macau": "MO", "Malaysia": "MY", "Malta": "MT",
    "Marshall Islands": "MH", "Mauritius": "MU", "Mexico": "MX", "Monaco": "MC", "Mongolia": "MN",
    "Netherlands": "NL", "New Zealand": "NZ", "Nigeria": "NG", "Norway": "NO", "Panama": "PA", "Peru": "PE",
    "Philippines": "PH", "Poland": "PL", "Portugal": "PT", "Puerto Rico": "PR", "Qatar": "QA", "Russia": "RU",
    "Saudi Arabia": "SA", "Singapore": "SG", "South Africa": "ZA", "South Korea": "KR", "Spain": "ES",
    "Sweden": "SE", "Switzerland": "CH", "Taiwan": "TW", "Thailand": "TH", "Turkey": "TR",
    "U.S. Virgin Islands": "VI", "Ukraine": "UA", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "Uruguay": "UY", "Vietnam": "VN",
}  # fmt: skip


def country_code(name: str | None) -> str | None:
    """The ISO code of a screener country name; None for an empty or unknown name."""
    if not name:
        return None
    return COUNTRY_CODES.get(name.strip())


# ISO 3166 leaves ZZ to users; by convention it is an unknown country
UNKNOWN_COUNTRY = "ZZ"
# What a line without a screener country says about its issuer: US companies list "Common Stock"; "Ordinary
# Shares", Canadian-style "Common Shares", "Subordinate/Limited Voting Shares" and foreign legal forms (plc, AG,
# S.A., N.V., S.p.A., Ltd) name a company incorporated abroad.
_FOREIGN_NAME = re.compile(
    r"\bordinary shares?\b|\bcommon shares\b|\b(subordinate|limited) voting\b|\bplc\b|\bag\b|\bs\.?\s?a\.?(?=\s|$)"
    r"|\bn\.\s?v\.|\bnv\b|\bs\.p\.a\.|\bltd\b|\blimited\b",
    re.IGNORECASE,
)


def country_without_name(line_name: str | None) -> str:
    """The country code of a company the screener gives no country: the US for a plain US-style name, else the
    unknown country ZZ (non-US for the home-country waterfall; a Russell list can still make it US)."""
    return UNKNOWN_COUNTRY if line_name and _FOREIGN_NAME.search(line_name) else "US"
