{#- One batch of the monthly call edges (int_call_edges_monthly): the calls of the months whose
    number (year × 12 + month) is `batch` modulo `batches`, reduced to one row per caller, callee
    and month. Any `batches` consecutive months put one month in each batch, and the month is
    part of the grain, so each batch is exact on its own. -#}
{% macro call_edges_of_month_batch(batch, batches) -%}

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
    where mod(extract(year from call_month) * 12 + extract(month from call_month), {{ batches }}) = {{ batch }}
    group by
        caller_customer_id,
        callee_id,
        call_month

)

select * from edges

{%- endmacro %}
