{#- Portable calendar helpers (DuckDB and Spark): no engine-only date functions. -#}

{#- ISO weekday, 1 = Monday .. 7 = Sunday, counted from a known Monday (1900-01-01). -#}
{% macro iso_weekday(date_expr) -%}
    (mod({{ dbt.datediff("cast('1900-01-01' as date)", date_expr, 'day') }}, 7) + 1)
{%- endmacro %}

{#- Age in whole years on as_of_date_expr. -#}
{% macro age_in_years(birth_date_expr, as_of_date_expr) -%}
    (
        {{ dbt.datediff(birth_date_expr, as_of_date_expr, 'year') }}
        - case
            when {{ dbt.dateadd('year', dbt.datediff(birth_date_expr, as_of_date_expr, 'year'), birth_date_expr) }}
                > {{ as_of_date_expr }}
                then 1
            else 0
        end
    )
{%- endmacro %}

{#- Practitioners' age bands: under 24 (tomorrow's core), 24-35 (main spenders), over 35 (mature). -#}
{% macro age_band(age_expr) -%}
    case
        when {{ age_expr }} is null then 'unknown'
        when {{ age_expr }} < 24 then 'under_24'
        when {{ age_expr }} <= 35 then '24_35'
        else 'over_35'
    end
{%- endmacro %}

{#- Distinct days among dates that all fall in one calendar month (an aggregate): a 31-bit mask of
    the days of the month, OR-ed and counted. Several times cheaper than count(distinct) over a
    big GROUP BY on DuckDB and Spark (both have bit_or and bit_count); count(distinct) elsewhere. -#}
{% macro distinct_days_in_month(date_expr) -%}
    {%- if target.type == 'duckdb' -%}
        bit_count(bit_or(cast(1 as bigint) << cast(extract(day from {{ date_expr }}) - 1 as integer)))
    {%- elif target.type in ['spark', 'databricks'] -%}
        bit_count(bit_or(shiftleft(cast(1 as bigint), cast(extract(day from {{ date_expr }}) - 1 as int))))
    {%- else -%}
        count(distinct {{ date_expr }})
    {%- endif -%}
{%- endmacro %}
