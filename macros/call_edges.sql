{#- One batch of the monthly call edges (int_call_edges_monthly): the calls of the months whose
    number (year × 12 + month) is `batch` modulo `batches`, reduced to one row per caller, callee
    and month. Any `batches` consecutive months put one month in each batch, and the month is
    part of the grain, so each batch is exact on its own.

    When the model is built, the batch's months are written out as ranges of started_at, worked
    out from the first and last call date of stg_usage__call_records (one cheap query per batch):
    a range of a plain column is pushed into the scan of the raw calls, which skips the row
    groups of other months (the raw table is loaded day by day), and only the batch's calls go
    through the callee lookup. A test on the month number was applied after the lookup had
    resolved every call, six times over: 9.9 s -> 2.8 s per batch at 100k customers. In a unit
    test (fixtures, no table to ask) and at parse time the batch is the month-number test. A
    model calling this macro declares `-- depends_on: {{ ref('stg_usage__call_records') }}`. -#}
{% macro call_edges_of_month_batch(batch, batches) -%}

{#- none at parse time and in a unit test (month_ranges). Asked only when dbt executes: a
    templater rendering without dbt (sqlfluff) has no return() to take a macro's value. The
    calling model declares the dependency on staging itself
    (-- depends_on: ref('stg_usage__call_records')). -#}
{%- set ranges = call_month_batch_ranges(ref('stg_usage__call_records'), batch, batches) if execute else none %}

with calls as (

    select * from {{ ref('int_call_records_resolved') }}

),

edges as (

    select
        caller_customer_id,
        callee_id,
        call_month,
        count(*) as call_count,
        count(case when is_three_way then 1 end) as three_way_call_count,
        count(case when duration_seconds = 0 then 1 end) as unanswered_call_count,
        cast(sum(duration_seconds) as {{ dbt.type_bigint() }}) as call_seconds,
        min(started_at) as first_call_at,
        max(started_at) as last_call_at,
        {{ distinct_days_in_month('call_date') }} as call_day_count
    from calls
    {%- if ranges is none %}
    where mod(extract(year from call_month) * 12 + extract(month from call_month), {{ batches }}) = {{ batch }}
    {%- elif ranges | length == 0 %}
    where 1 = 0
    {%- else %}
    where
        {%- for first_day, next_first_day in ranges %}
        {% if not loop.first %}or {% endif -%}
        ({{ in_day_range('started_at', first_day, next_first_day, dbt.type_timestamp()) }})
        {%- endfor %}
    {%- endif %}
    group by
        caller_customer_id,
        callee_id,
        call_month

)

select * from edges

{%- endmacro %}


{#- The months of one batch between the first and last call date of `calls_table`, as
    (first day, first day of the next month) pairs of 'YYYY-MM-DD' strings: [] when there is no
    call, none at parse time and in a unit test. -#}
{% macro call_month_batch_ranges(calls_table, batch, batches) -%}
    {%- set months = month_ranges(calls_table, 'call_date') -%}
    {%- if months is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set ranges = [] -%}
    {%- for m, first_day, next_first_day in months -%}
        {%- if m % batches == batch -%}
            {%- do ranges.append((first_day, next_first_day)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ranges) }}
{%- endmacro %}
