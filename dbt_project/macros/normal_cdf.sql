{#- Standard normal distribution function Φ(x): Abramowitz and Stegun 26.2.17 (absolute error below 7.5e-8),
    exact at ±infinity (0 and 1). DuckDB has no built-in. Pass a column, not an expression: the argument is
    repeated. -#}
{% macro normal_cdf(x) -%}
(case when {{ x }} >= 0 then 1.0 else 0.0 end
 + (case when {{ x }} >= 0 then -1.0 else 1.0 end)
   * exp(-0.5 * {{ x }} * {{ x }}) / sqrt(2 * pi())
   * (1.0 / (1.0 + 0.2316419 * abs({{ x }})))
   * (0.319381530 + (1.0 / (1.0 + 0.2316419 * abs({{ x }})))
      * (-0.356563782 + (1.0 / (1.0 + 0.2316419 * abs({{ x }})))
         * (1.781477937 + (1.0 / (1.0 + 0.2316419 * abs({{ x }})))
            * (-1.821255978 + (1.0 / (1.0 + 0.2316419 * abs({{ x }}))) * 1.330274429)))))
{%- endmacro %}
