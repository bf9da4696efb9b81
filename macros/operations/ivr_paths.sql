{#- The first `level` keys of an IVR path ('1>2>0' -> level 2 -> '1>2'), as the list of SQL
    pieces dbt.concat() joins (split_part per key, '>' between). -#}
{% macro ivr_path_prefix(path_expr, level) %}
    {%- set pieces = [] -%}
    {%- for position in range(1, level + 1) -%}
        {%- if not loop.first %}{% do pieces.append("'>'") %}{% endif -%}
        {%- do pieces.append(dbt.split_part(path_expr, "'>'", position)) -%}
    {%- endfor -%}
    {{ return(pieces) }}
{% endmacro %}
