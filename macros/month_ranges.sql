{#- The calendar months from the first to the last value of `date_column` in `relation`, as
    (month number, first day, first day of the next month) triples — the month number is
    year × 12 + month (1 to 12), the days 'YYYY-MM-DD' strings: [] when the relation is empty;
    none at parse time and in a unit test (its model has fixtures for its own inputs only, no
    table to ask): it is asked only when a model is built. A model filters its inputs to one
    month with ranges of plain columns, which DuckDB pushes into the scans. -#}
{% macro month_ranges(relation, date_column) -%}
    {%- if not execute or (model is defined and model.resource_type == 'unit_test') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set month_number = 'extract(year from ' ~ date_column ~ ') * 12 + extract(month from ' ~ date_column ~ ')' -%}
    {%- set span = run_query('select min(' ~ month_number ~ '), max(' ~ month_number ~ ') from ' ~ relation) -%}
    {%- if span.rows[0][0] is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set months = [] -%}
    {%- for m in range(span.rows[0][0] | int, (span.rows[0][1] | int) + 1) -%}
        {%- do months.append((
            m,
            '%04d-%02d-01' | format((m - 1) // 12, (m - 1) % 12 + 1),
            '%04d-%02d-01' | format(m // 12, m % 12 + 1),
        )) -%}
    {%- endfor -%}
    {{ return(months) }}
{%- endmacro %}

{#- `column` within [first_day, next_first_day) — 'YYYY-MM-DD' strings, as month_ranges gives
    them — each cast to `data_type`: a range of a plain column, which DuckDB pushes into the
    scan to skip the row groups of other days. -#}
{% macro in_day_range(column, first_day, next_first_day, data_type='date') -%}
    {{ column }} >= cast('{{ first_day }}' as {{ data_type }})
    and {{ column }} < cast('{{ next_first_day }}' as {{ data_type }})
{%- endmacro %}
