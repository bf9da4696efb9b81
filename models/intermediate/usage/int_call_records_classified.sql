{#- One row per call detail record, with the called number resolved and classified (see
    int_callee_numbers_classified, which classifies each dialled number once). callee_key joins
    the call graph; the raw number does not leave the lookup (only its keyed hash).
    A view: the join costs a few seconds per reader, while writing ~57M rows at 100k customers
    cost ~50 s (bench/RESULTS.md); its two readers, fct_calls and int_customers_calls_profiled,
    aggregate it. -#}

{{ config(materialized='view') }}

with calls as (

    select * from {{ ref('stg_usage__call_records') }}

),

callees as (

    select * from {{ ref('int_callee_numbers_classified') }}

),

classified as (

    select
        -- ids
        calls.call_id,
        calls.caller_customer_id,
        callees.callee_customer_id,
        callees.callee_key,
        -- classification
        callees.callee_class,
        callees.callee_operator,
        callees.service_number,
        callees.service_category,
        -- flags
        calls.is_three_way,
        coalesce(calls.caller_customer_id = callees.callee_customer_id, false) as is_self_call,
        -- timestamps
        calls.started_at,
        calls.call_date,
        cast({{ dbt.date_trunc('month', 'calls.call_date') }} as date) as call_month,
        -- measures
        calls.duration_seconds,
        calls.duration_minutes
    from calls
    left join callees
        on calls.callee_number = callees.callee_number

)

select * from classified
