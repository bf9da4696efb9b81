{#- Project versions of dbt's cross-database macros where the adapter's own version does not give
    the same result on every engine (dbt_project.yml `dispatch` searches touchpoint before dbt).
    Only Spark versions so far: DuckDB keeps dbt-duckdb's. README "Scaling out". -#}

{#- dbt-spark's listagg drops the ORDER BY (collect_list order is not defined), so the lists would
    differ run to run and from DuckDB. Spark 4 has LISTAGG ... WITHIN GROUP (ORDER BY ...). -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("touchpoint's spark__listagg does not support limit_num") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#- dbt-spark's split_part needs a literal part number (it does Jinja arithmetic on it) and goes
    through a regex split; Spark 3.3+ has split_part with DuckDB's semantics (a literal delimiter,
    1-based, '' past the last part), which also takes a column as the part number. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- dbt-spark's seed loader, with `method: session`, pastes the values into the INSERT between
    quotes without escaping them, so a value with a quote (holidays.csv: "New Year's Day") breaks
    the statement. The same INSERT, each value a Spark string literal with \ and ' escaped. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}cast(null as {{ types[loop.index0] }})
                    {%- else -%}cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) if loop.first -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- The materialization of an incremental model that replaces rows by key (delete+insert): on Spark
    without Delta/Iceberg there is no row-level delete or MERGE, so there it is rebuilt in full as
    a table (same rows; no incremental saving). README "Scaling out". -#}
{% macro incremental_or_table() %}
    {{- return('table' if target.type == 'spark' else 'incremental') -}}
{% endmacro %}

{#- dbt.datediff on Spark counting boundaries crossed, as dbt-duckdb's date_diff (and Snowflake's
    datediff) do. dbt-spark's counts elapsed time instead for months (2025-03-31 -> 2026-09-30 is
    19 months there, 18 here) and rounds up for hours and minutes; its year version is also not
    parenthesised, so `n * 12` in dateadd multiplied only part of it. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set part = datepart | lower -%}
    {%- if part == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- elif part == 'quarter' -%}
        ((year({{ second_date }}) * 4 + quarter({{ second_date }})) - (year({{ first_date }}) * 4 + quarter({{ first_date }})))
    {%- elif part == 'month' -%}
        ((year({{ second_date }}) * 12 + month({{ second_date }})) - (year({{ first_date }}) * 12 + month({{ first_date }})))
    {%- elif part == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif part in ['hour', 'minute', 'second'] -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[part] -%}
        ((unix_seconds(date_trunc('{{ part }}', cast({{ second_date }} as timestamp)))
          - unix_seconds(date_trunc('{{ part }}', cast({{ first_date }} as timestamp)))) div {{ seconds }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("touchpoint's spark__datediff does not support datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- dbt.dateadd on Spark through timestampadd, a timestamp as DuckDB's `date + interval` gives
    (months clamp to the month's end, as there). dbt-spark's multiplies the interval expression as
    written, so `a - b` years became `a - b * 12` months. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart | upper }}, cast(({{ interval }}) as int), cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{#- round() of a double to `digits` places as DuckDB does it: the binary value times 10^digits,
    rounded half away from zero (533.045 is 533.04499… in binary, so 533.04). Spark's round()
    rounds the double's shortest decimal text instead (533.05). -#}
{% macro round_double(expr, digits) -%}
    {%- if target.type in ['spark', 'databricks'] -%}
        (round(({{ expr }}) * {{ 10 ** digits }}, 0) / {{ 10 ** digits }})
    {%- else -%}
        round({{ expr }}, {{ digits }})
    {%- endif -%}
{%- endmacro %}

{#- numerator / denominator (null when the denominator is 0) as a double, rounded as DuckDB rounds:
    the same result on every engine whatever the numerator's type (Spark divides decimals exactly). -#}
{% macro round_ratio(numerator, denominator, digits) -%}
    {{ round_double('cast(' ~ numerator ~ ' as ' ~ type_double() ~ ') / nullif(' ~ denominator ~ ', 0)', digits) }}
{%- endmacro %}
