"""The nearest ICB industry for a Nasdaq screener sector and industry.

Nasdaq's eleven sectors are close to ICB's eleven industries by name ("Finance" is Financials); where its
industry says more precisely where ICB puts a business (REITs filed under Finance, chemicals under Industrials,
media under Industrials, cable under Telecommunications, pipelines under Utilities, ...), the industry decides.
The tables are the mapping documented in docs/real-data.md; an unknown sector maps to nothing (Unclassified).
"""

from __future__ import annotations

SECTOR_TO_ICB: dict[str, str] = {
    "Basic Materials": "Basic Materials",
    "Consumer Discretionary": "Consumer Discretionary",
    "Consumer Staples": "Consumer Staples",
    "Energy": "Energy",
    "Finance": "Financials",
    "Health Care": "Health Care",
    "Industrials": "Industrials",
    "Miscellaneous": "Industrials",  # multi-sector companies and industrial machinery
    "Real Estate": "Real Estate",
    "Technology": "Technology",
    "Telecommunications": "Telecommunications",
    "Utilities": "Utilities",
}

INDUSTRY_TO_ICB: dict[str, str] = {
    # Real Estate: ICB puts REITs and real estate services in their own industry
    "Real Estate Investment Trusts": "Real Estate", "Real Estate": "Real Estate", "Building operators": "Real Estate",
    # Basic Materials: chemicals, metals, mining, paper and forestry
    "Major Chemicals": "Basic Materials", "Specialty Chemicals": "Basic Materials",
    "Agricultural Chemicals": "Basic Materials", "Steel/Iron Ore": "Basic Materials", "Aluminum": "Basic Materials",
    "Precious Metals": "Basic Materials", "Metal Mining": "Basic Materials", "Paper": "Basic Materials",
    "Forest Products": "Basic Materials", "Other Metals and Minerals": "Basic Materials",
    "Mining & Quarrying of Nonmetallic Minerals (No Fuels)": "Basic Materials",
    # Energy: oil, gas, coal and pipelines
    "Oil & Gas Production": "Energy", "Oil Refining/Marketing": "Energy", "Integrated oil Companies": "Energy",
    "Oilfield Services/Equipment": "Energy", "Oil/Gas Transmission": "Energy", "Coal Mining": "Energy",
    # Utilities
    "Electric Utilities: Central": "Utilities", "Natural Gas Distribution": "Utilities", "Water Supply": "Utilities",
    "Power Generation": "Utilities",
    # Telecommunications: equipment and cable
    "Telecommunications Equipment": "Telecommunications", "Computer Communications Equipment": "Telecommunications",
    "Cable & Other Pay Television Services": "Telecommunications",
    "Radio And Television Broadcasting And Communications Equipment": "Telecommunications",
    # Consumer Discretionary: media, autos, leisure, homebuilding
    "Broadcasting": "Consumer Discretionary", "Movies/Entertainment": "Consumer Discretionary",
    "Newspapers/Magazines": "Consumer Discretionary", "Publishing": "Consumer Discretionary",
    "Advertising": "Consumer Discretionary", "Homebuilding": "Consumer Discretionary",
    "Auto Manufacturing": "Consumer Discretionary", "Motor Vehicles": "Consumer Discretionary",
    "Hotels/Resorts": "Consumer Discretionary", "Restaurants": "Consumer Discretionary",
    # Consumer Staples: food, beverages, tobacco, personal products, drug stores
    "Package Goods/Cosmetics": "Consumer Staples", "Food Distributors": "Consumer Staples",
    "Beverages (Production/Distribution)": "Consumer Staples", "Packaged Foods": "Consumer Staples",
    "Meat/Poultry/Fish": "Consumer Staples", "Specialty Foods": "Consumer Staples",
    "Farming/Seeds/Milling": "Consumer Staples", "Food Chains": "Consumer Staples", "Tobacco": "Consumer Staples",
    "Retail-Drug Stores and Proprietary Stores": "Consumer Staples",
    # Industrials: aerospace, transport, construction, machinery, business services
    "Aerospace": "Industrials", "Military/Government/Technical": "Industrials", "Ordnance And Accessories": "Industrials",
    "Air Freight/Delivery Services": "Industrials", "Marine Transportation": "Industrials",
    "Trucking Freight/Courier Services": "Industrials", "Railroads": "Industrials",
    "Transportation Services": "Industrials", "Engineering & Construction": "Industrials",
    "Building Products": "Industrials", "Building Materials": "Industrials",
    "Water Sewer Pipeline Comm & Power Line Construction": "Industrials",
    "General Bldg Contractors - Nonresidential Bldgs": "Industrials", "Fluid Controls": "Industrials",
    "Construction/Ag Equipment/Trucks": "Industrials", "Pollution Control Equipment": "Industrials",
    "Containers/Packaging": "Industrials", "Environmental Services": "Industrials",
    "Professional Services": "Industrials", "Diversified Commercial Services": "Industrials",
    "Misc Corporate Leasing Services": "Industrials", "Office Equipment/Supplies/Services": "Industrials",
    # Technology
    "Semiconductors": "Technology", "Computer Manufacturing": "Technology",
    "Computer Software: Prepackaged Software": "Technology",
    "Computer Software: Programming Data Processing": "Technology", "EDP Services": "Technology",
    "Computer peripheral equipment": "Technology", "Electronic Components": "Technology",
    # Health Care (some biotechnology and instruments are filed under Industrials)
    "Biotechnology: Pharmaceutical Preparations": "Health Care", "Medical/Dental Instruments": "Health Care",
}  # fmt: skip


def icb_industry(sector: str | None, industry: str | None) -> str | None:
    """One of the contract's 11 ICB industries, or None when the screener gives no sector or industry."""
    if industry and industry.strip() in INDUSTRY_TO_ICB:
        return INDUSTRY_TO_ICB[industry.strip()]
    if sector and sector.strip() in SECTOR_TO_ICB:
        return SECTOR_TO_ICB[sector.strip()]
    return None
