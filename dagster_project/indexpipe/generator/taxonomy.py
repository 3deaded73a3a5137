"""A compact ICB tree (industry -> supersector -> sector -> subsectors) and words for company names."""

from __future__ import annotations

from dataclasses import dataclass

# Names follow the 2019 ICB structure; not every real subsector is listed, only enough for sub-sector
# averages (style substitution) to meet both the >= 5 member case and the fall-back to sector level.
ICB_TREE: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "Technology": {
        "Technology": {
            "Software and Computer Services": ("Computer Services", "Software", "Consumer Digital Services"),
            "Technology Hardware and Equipment": (
                "Semiconductors", "Electronic Components", "Production Technology Equipment",
                "Computer Hardware", "Electronic Office Equipment",
            ),
        },
    },
    "Telecommunications": {
        "Telecommunications": {
            "Telecommunications Equipment": ("Telecommunications Equipment",),
            "Telecommunications Service Providers": ("Cable Television Services", "Telecommunications Services"),
        },
    },
    "Health Care": {
        "Health Care": {
            "Health Care Providers": ("Health Care Facilities", "Health Care Management Services",
                                      "Health Care Services"),
            "Medical Equipment and Services": ("Medical Equipment", "Medical Supplies", "Medical Services"),
            "Pharmaceuticals and Biotechnology": ("Biotechnology", "Pharmaceuticals", "Cannabis Producers"),
        },
    },
    "Financials": {
        "Banks": {"Banks": ("Banks",)},
        "Financial Services": {
            "Finance and Credit Services": ("Consumer Lending", "Mortgage Finance", "Financial Data Providers"),
            "Investment Banking and Brokerage Services": (
                "Diversified Financial Services", "Asset Managers and Custodians", "Investment Services",
            ),
            "Mortgage Real Estate Investment Trusts": ("Mortgage REITs: Commercial", "Mortgage REITs: Residential"),
            "Closed End Investments": ("Closed End Investments",),
            "Open End and Miscellaneous Investment Vehicles": ("Open End and Miscellaneous Investment Vehicles",),
        },
        "Insurance": {
            "Life Insurance": ("Life Insurance",),
            "Non-life Insurance": ("Full Line Insurance", "Insurance Brokers", "Reinsurance",
                                   "Property and Casualty Insurance"),
        },
    },
    "Real Estate": {
        "Real Estate": {
            "Real Estate Investment and Services Development": ("Real Estate Holding and Development",
                                                                "Real Estate Services"),
            "Real Estate Investment Trusts": (
                "Diversified REITs", "Health Care REITs", "Hotel and Lodging REITs", "Industrial REITs",
                "Infrastructure REITs", "Office REITs", "Residential REITs", "Retail REITs", "Self Storage REITs",
                "Timber REITs",
            ),
        },
    },
    "Consumer Discretionary": {
        "Automobiles and Parts": {"Automobiles and Parts": ("Automobiles", "Auto Parts", "Tires")},
        "Consumer Products and Services": {
            "Consumer Services": ("Education Services", "Rental and Leasing Services: Consumer"),
            "Household Goods and Home Construction": ("Home Construction", "Household Furnishings"),
            "Leisure Goods": ("Recreational Products", "Toys", "Consumer Electronics"),
            "Personal Goods": ("Clothing and Accessories", "Footwear", "Cosmetics"),
        },
        "Media": {"Media": ("Entertainment", "Publishing", "Radio and TV Broadcasters", "Media Agencies")},
        "Retail": {"Retailers": ("Apparel Retailers", "Specialty Retailers", "Diversified Retailers",
                                 "Home Improvement Retailers")},
        "Travel and Leisure": {"Travel and Leisure": ("Airlines", "Casinos and Gambling", "Hotels and Motels",
                                                      "Restaurants and Bars", "Travel and Tourism")},
    },
    "Consumer Staples": {
        "Food, Beverage and Tobacco": {
            "Beverages": ("Brewers", "Distillers and Vintners", "Soft Drinks"),
            "Food Producers": ("Farming, Fishing, Ranching and Plantations", "Food Products"),
            "Tobacco": ("Tobacco",),
        },
        "Personal Care, Drug and Grocery Stores": {
            "Personal Care, Drug and Grocery Stores": ("Food Retailers and Wholesalers", "Drug Retailers",
                                                       "Personal Products"),
        },
    },
    "Industrials": {
        "Construction and Materials": {"Construction and Materials": ("Construction", "Engineering and Contracting Services",
                                                                      "Building Materials: Other")},
        "Industrial Goods and Services": {
            "Aerospace and Defense": ("Aerospace", "Defense"),
            "Electronic and Electrical Equipment": ("Electrical Components", "Electronic Equipment: Gauges and Meters"),
            "General Industrials": ("Diversified Industrials", "Containers and Packaging"),
            "Industrial Engineering": ("Machinery: Industrial", "Machinery: Construction and Handling"),
            "Industrial Support Services": ("Professional Business Support Services", "Transaction Processing Services"),
            "Industrial Transportation": ("Trucking", "Railroads", "Marine Transportation", "Delivery Services"),
        },
    },
    "Basic Materials": {
        "Basic Resources": {
            "Industrial Materials": ("Forestry", "Paper"),
            "Industrial Metals and Mining": ("Iron and Steel", "Aluminum", "General Mining"),
            "Precious Metals and Mining": ("Gold Mining", "Platinum and Precious Metals"),
        },
        "Chemicals": {"Chemicals": ("Chemicals: Diversified", "Specialty Chemicals", "Fertilizers")},
    },
    "Energy": {
        "Energy": {
            "Non-Renewable Energy": ("Integrated Oil and Gas", "Oil: Crude Producers", "Offshore Drilling",
                                     "Oil Equipment and Services", "Pipelines", "Coal"),
            "Renewable Energy": ("Alternative Fuels", "Renewable Energy Equipment"),
        },
    },
    "Utilities": {
        "Utilities": {
            "Electricity": ("Conventional Electricity", "Alternative Electricity"),
            "Gas, Water and Multi-utilities": ("Multi-Utilities", "Water", "Gas Distribution"),
            "Waste and Disposal Services": ("Waste and Disposal Services",),
        },
    },
}  # fmt: skip

# Share of operating companies per industry (by count): small-cap heavy industries (banks, biotech) dominate.
INDUSTRY_WEIGHTS: dict[str, float] = {
    "Technology": 0.13, "Telecommunications": 0.02, "Health Care": 0.17, "Financials": 0.19,
    "Real Estate": 0.07, "Consumer Discretionary": 0.13, "Consumer Staples": 0.04, "Industrials": 0.14,
    "Basic Materials": 0.04, "Energy": 0.05, "Utilities": 0.02,
}  # fmt: skip


@dataclass(frozen=True)
class Subsector:
    industry: str
    supersector: str
    sector: str
    subsector: str


def subsectors() -> list[Subsector]:
    return [
        Subsector(industry, supersector, sector, sub)
        for industry, supersectors in ICB_TREE.items()
        for supersector, sectors in supersectors.items()
        for sector, subs in sectors.items()
        for sub in subs
    ]


NAME_FIRST = (
    "Apex", "Atlas", "Beacon", "Blue", "Bright", "Cedar", "Clear", "Coastal", "Copper", "Crest", "Delta",
    "Eagle", "Echo", "Ember", "Evergreen", "First", "Frontier", "Granite", "Harbor", "Heritage", "Horizon",
    "Iron", "Keystone", "Lake", "Liberty", "Lumen", "Maple", "Meridian", "Summit", "North", "Nova", "Oak",
    "Orion", "Pacific", "Peak", "Pioneer", "Prairie", "Quantum", "Redwood", "River", "Sage", "Silver",
    "Sierra", "Sterling", "Stone", "Sun", "Titan", "Trinity", "Union", "Valley", "Vanguard", "Vertex",
    "West", "Willow", "Zenith", "Aurora", "Bay", "Canyon", "Cobalt", "Falcon", "Highland", "Lantern",
)  # fmt: skip
NAME_SECOND = (
    "Dynamics", "Systems", "Holdings", "Group", "Industries", "Technologies", "Partners", "Capital",
    "Health", "Energy", "Brands", "Networks", "Labs", "Therapeutics", "Bancorp", "Realty", "Resources",
    "Logistics", "Materials", "Foods", "Motors", "Media", "Power", "Software", "Devices", "Financial",
)  # fmt: skip
