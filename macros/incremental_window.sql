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

{#- The tests of a daily fact check what a run rebuilt: a test with meta
    `incremental_window_column: <day column>` checks, in a run with vars `window_start` and
    `window_end` (not --full-refresh), the rows of days window_start <= day < window_end only;
    otherwise every row. Sound for tests whose failures are confined to a day (a compound key
    holding the day, a column's not_null / range / relationship): the days outside the window were
    not touched and were tested by the run that built them. Empty string: no filter. -#}
{% macro incremental_window_test_filter(day_column) -%}
    {%- set window_start = var('window_start', none) -%}
    {%- set window_end = var('window_end', none) -%}
    {%- if window_start is not none and window_end is not none and not flags.FULL_REFRESH -%}
        {{ day_column }} >= cast('{{ window_start }}' as date) and {{ day_column }} < cast('{{ window_end }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- dbt's get_where_subquery (the relation a generic test reads, filtered by its `where` config),
    with the window of incremental_window_test_filter added for tests that name their day column in
    meta `incremental_window_column`. Evaluated when the test runs, with that run's vars and flags. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window_column = (config.get('meta') or {}).get('incremental_window_column') -%}
    {%- set window = incremental_window_test_filter(window_column) | trim if window_column else '' -%}
    {%- if window -%}
        {%- do conditions.append('(' ~ window ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
