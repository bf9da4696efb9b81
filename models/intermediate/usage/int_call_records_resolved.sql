{#- One row per call detail record, with the number called resolved to its callee: callee_id, an
    integer standing for callee_key (int_callee_numbers_classified). The callee's class,
    operator and customer id are one row per callee in int_callees_classified, joined by the
    readers after they aggregate the calls, never per call.
    Why so narrow: at 1M customers 568M calls dial ~6M numbers. Joined with the whole lookup
    (keys of up to 32 characters, classes, operators), the join's hash table and the aggregation
    reading it ran out of DuckDB's 4GB; the number → integer lookup is a fraction of that, and
    grouping by an integer is cheaper than by a 32-character key.
    A view: writing ~57M rows at 100k customers cost ~50 s (bench/RESULTS.md); its two readers,
    fct_calls and int_customers_calls_profiled, aggregate it. -#}

{{ config(materialized='view') }}

with calls as (

    select * from {{ ref('stg_usage__call_records') }}

),

callee_numbers as (

    select
        callee_number,
        callee_id
    from {{ ref('int_callee_numbers_classified') }}

),

resolved as (

    select
        -- ids
        calls.call_id,
        calls.caller_customer_id,
        callee_numbers.callee_id,
        -- flags
        calls.is_three_way,
        -- timestamps
        calls.started_at,
        calls.call_date,
        cast({{ dbt.date_trunc('month', 'calls.call_date') }} as date) as call_month,
        -- measures
        calls.duration_seconds,
        calls.duration_minutes
    from calls
    left join callee_numbers
        on calls.callee_number = callee_numbers.callee_number

)

select * from resolved
