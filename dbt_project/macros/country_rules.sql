{#- Benefit-driven incorporation (BDI) countries of docs/methodology.md §1 as ISO 3166 alpha-2 codes
    (Channel Islands = JE and GG; Bonaire, Saba, Sint Eustatius = BQ). -#}
{% macro bdi_countries() -%}
('AI', 'AG', 'AW', 'BS', 'BB', 'BZ', 'BM', 'BQ', 'VG', 'KY', 'CK', 'CW', 'FO', 'GI', 'GG', 'IM', 'JE', 'LR', 'MH',
 'PA', 'SX', 'TC')
{%- endmacro %}

{#- Companies incorporated or headquartered in US territories get a US home-country indicator. -#}
{% macro us_territory_as_us(column) -%}
case when {{ column }} in ('PR', 'GU', 'VI', 'AS', 'MP') then 'US' else {{ column }} end
{%- endmacro %}
