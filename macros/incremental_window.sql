{#- The day window of an incremental run: [window_start, window_end) as two ISO day strings, or none.
    From vars `window_start` / `window_end` (`dbt build --selector daily_incremental --vars
    '{window_start: 2026-10-30, window_end: 2026-10-31}'`), else from the environment variables
    TOUCHPOINT_WINDOW_START / TOUCHPOINT_WINDOW_END (how the Dagster daily partition passes it).
    Both ways compile the same SQL; new --vars make dbt re-parse the whole project (vars are part
    of the parse), the environment does not: it is read only when the SQL is compiled to run
    (`execute`), so parsing never sees it. An empty value counts as not given. -#}
{% macro incremental_window() -%}
    {%- set window_start = var('window_start', none) -%}
    {%- set window_end = var('window_end', none) -%}
    {%- set origin = 'vars window_start/window_end' -%}
    {%- if window_start is none and window_end is none and execute -%}
        {%- set window_start = env_var('TOUCHPOINT_WINDOW_START', '') or none -%}
        {%- set window_end = env_var('TOUCHPOINT_WINDOW_END', '') or none -%}
        {%- set origin = 'environment variables TOUCHPOINT_WINDOW_START/TOUCHPOINT_WINDOW_END' -%}
    {%- endif -%}
    {%- if window_start is none and window_end is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- if window_start is none or window_end is none -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": give both " ~ origin ~ ", or neither") }}
    {%- endif -%}
    {%- set days = [window_start | string, window_end | string] -%}
    {%- if execute -%}
        {%- for day in days -%}
            {%- set digits = day[:4] ~ day[5:7] ~ day[8:] -%}
            {%- if not (day | length == 10 and day[4] == '-' and day[7] == '-' and digits.isdigit()) -%}
                {%- set problem = origin ~ " must be ISO days (YYYY-MM-DD), got " ~ day -%}
                {{ exceptions.raise_compiler_error(model.name ~ ": " ~ problem) }}
            {%- endif -%}
        {%- endfor -%}
        {%- if days[0] >= days[1] -%}
            {%- set problem = origin ~ ": window_start " ~ days[0] ~ " must be before window_end " ~ days[1] -%}
            {{ exceptions.raise_compiler_error(model.name ~ ": " ~ problem ~ " (the end is exclusive)") }}
        {%- endif -%}
    {%- endif -%}
    {%- do return(days) -%}
{%- endmacro %}

{#- The days an incremental run of a daily fact rebuilds, as a where-condition on `day_column`.
    With a window (incremental_window: the Dagster daily partition or range, or --vars): exactly
    the days window_start <= day < window_end (window_end exclusive, like a Dagster time window).
    Without one: from `lookback_days` before the newest `this_day_column` of the model's existing
    table on (late and re-delivered partitions), and anything newer. Portable SQL. -#}
{% macro incremental_window_filter(day_column, this_day_column, lookback_days) -%}
    {%- set window = incremental_window() -%}
    {%- if window is not none -%}
        {{ day_column }} >= cast('{{ window[0] }}' as date)
        and {{ day_column }} < cast('{{ window[1] }}' as date)
    {%- else -%}
        {{ day_column }} >= (
            select {{ dbt.dateadd('day', '-' ~ lookback_days, 'max(' ~ this_day_column ~ ')') }}
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}

{#- The tests of a daily fact check what a run rebuilt: a test with meta
    `incremental_window_column: <day column>` checks, in a run with a window (incremental_window;
    not --full-refresh), the rows of days window_start <= day < window_end only;
    otherwise every row. Sound for tests whose failures are confined to a day (a compound key
    holding the day, a column's not_null / range / relationship): the days outside the window were
    not touched and were tested by the run that built them. Empty string: no filter. -#}
{% macro incremental_window_test_filter(day_column) -%}
    {%- set window = incremental_window() -%}
    {%- if window is not none and not flags.FULL_REFRESH -%}
        {{ day_column }} >= cast('{{ window[0] }}' as date) and {{ day_column }} < cast('{{ window[1] }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- dbt's get_where_subquery (the relation a generic test reads, filtered by its `where` config),
    with the window of incremental_window_test_filter added for tests that name their day column in
    meta `incremental_window_column`. Evaluated when the test runs, with that run's window and flags. -#}
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
