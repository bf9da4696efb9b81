{#- The days an incremental run of a daily fact rebuilds, as a where-condition on `day_column`.
    With vars `window_start` and `window_end` (ISO days; the Dagster daily partition or range, or
    `dbt build --selector daily_incremental --vars '{window_start: 2026-10-30, window_end: 2026-10-31}'`):
    exactly the days window_start <= day < window_end (window_end exclusive, like a Dagster time
    window). Without them: from `lookback_days` before the newest `this_day_column` of the model's
    existing table on (late and re-delivered partitions), and anything newer. Portable SQL. -#}
{% macro incremental_window_filter(day_column, this_day_column, lookback_days) -%}
    {%- set window_start = var('window_start', none) -%}
    {%- set window_end = var('window_end', none) -%}
    {%- if (window_start is none) != (window_end is none) -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": give both window_start and window_end, or neither") }}
    {%- endif -%}
    {%- if window_start is not none -%}
        {{ day_column }} >= cast('{{ window_start }}' as date)
        and {{ day_column }} < cast('{{ window_end }}' as date)
    {%- else -%}
        {{ day_column }} >= (
            select {{ dbt.dateadd('day', '-' ~ lookback_days, 'max(' ~ this_day_column ~ ')') }}
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}
