-- Home country of each company by the home-country-indicator waterfall (docs/methodology.md §1, decision 1):
-- 1. incorporation, headquarters and most-liquid-exchange countries agree -> that country;
-- 2. else the country of assets if it is one of the three indicators; 3. else the same test with revenue;
-- 4. else headquarters, unless headquarters is a BDI country, then the most liquid exchange's country.
-- US territories count as the US. A home country the supplier gives (securities.home_country) overrides the
-- waterfall for the company (step 'supplied').
with lines as (
    select * from {{ ref('stg_securities') }}
),

company_countries as (
    -- the countries are company attributes; any line carries them (take the first line for determinism)
    select
        company_id,
        arg_min(country_incorporation, security_id) as country_incorporation,
        arg_min(country_headquarters, security_id) as country_headquarters,
        arg_min(country_most_liquid, security_id) as country_most_liquid,
        arg_min(country_assets, security_id) as country_assets,
        arg_min(country_revenue, security_id) as country_revenue,
        -- the first line that carries one
        arg_min(home_country_override, security_id) filter (where home_country_override is not null)
            as home_country_override
    from lines
    group by company_id
),

indicators as (
    select
        company_id,
        {{ us_territory_as_us('country_incorporation') }} as hci_incorporation,
        {{ us_territory_as_us('country_headquarters') }} as hci_headquarters,
        {{ us_territory_as_us('country_most_liquid') }} as hci_most_liquid,
        {{ us_territory_as_us('country_assets') }} as country_assets,
        {{ us_territory_as_us('country_revenue') }} as country_revenue,
        {{ us_territory_as_us('home_country_override') }} as home_country_override,
        country_incorporation in {{ bdi_countries() }} as bdi_incorporated,
        country_headquarters in {{ bdi_countries() }} as bdi_headquarters
    from company_countries
),

waterfall as (
    select
        *,
        case
            when home_country_override is not null then home_country_override
            when hci_incorporation = hci_headquarters and hci_headquarters = hci_most_liquid then hci_incorporation
            when country_assets in (hci_incorporation, hci_headquarters, hci_most_liquid) then country_assets
            when country_revenue in (hci_incorporation, hci_headquarters, hci_most_liquid) then country_revenue
            when bdi_headquarters then hci_most_liquid
            else hci_headquarters
        end as home_country,
        case
            when home_country_override is not null then 'supplied'
            when hci_incorporation = hci_headquarters and hci_headquarters = hci_most_liquid then 'indicators agree'
            when country_assets in (hci_incorporation, hci_headquarters, hci_most_liquid) then 'assets'
            when country_revenue in (hci_incorporation, hci_headquarters, hci_most_liquid) then 'revenue'
            when bdi_headquarters then 'BDI headquarters: most liquid exchange'
            else 'headquarters'
        end as home_country_step
    from indicators
)

select * from waterfall
