{#- The call graph (交往圈): one row per caller, callee and calendar month, with call counts and
    minutes. The callee is a customer id (our customer), a service number (brokers, golf clubs,
    traffic radio, ...) or a keyed hash of the number (anyone else): no raw phone numbers here.
    Many calls to competitor numbers flag a customer drifting away; calls to service numbers
    feed behaviour-to-knowledge rules. -#}

with calls as (

    select * from {{ ref('int_call_records_classified') }}

),

aggregated as (

    select
        caller_customer_id,
        callee_key,
        call_month,
        callee_class,
        callee_operator,
        callee_customer_id,
        service_number,
        service_category,
        count(*) as call_count,
        sum(duration_minutes) as call_minutes,
        count(case when is_three_way then 1 end) as three_way_call_count,
        count(case when duration_seconds = 0 then 1 end) as unanswered_call_count,
        min(started_at) as first_call_at,
        max(started_at) as last_call_at,
        count(distinct call_date) as call_day_count
    from calls
    group by
        caller_customer_id,
        callee_key,
        call_month,
        callee_class,
        callee_operator,
        callee_customer_id,
        service_number,
        service_category

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'caller_customer_id', "'|'", 'callee_key', "'|'", dbt.cast('call_month', dbt.type_string())
        ])) }} as call_edge_key,
        *
    from aggregated

)

select * from final
