{#- `with x as {{ materialized_cte() }} (...)`: compute the CTE once, in full, before the query
    that reads it runs. On DuckDB this breaks a pipeline into two steps that each get the whole
    memory limit and can spill: a large GROUP BY whose result feeds a join otherwise runs in the
    same pipeline as that join, and at 1M customers fct_calls ran out of memory under 4GB.
    Engines without the keyword render nothing (the CTE is inlined, as before). -#}
{% macro materialized_cte() -%}
    {%- if target.type == 'duckdb' -%}
        materialized
    {%- endif -%}
{%- endmacro %}
