{#- The call graph (交往圈): one row per caller, callee and calendar month, with call counts and
    minutes. The callee is a customer id (our customer), a service number (brokers, golf clubs,
    traffic radio, ...) or a keyed hash of the number (anyone else): no raw phone numbers here.
    Many calls to competitor numbers flag a customer drifting away; calls to service numbers
    feed behaviour-to-knowledge rules. -#}

with calls as (

    select * from {{ ref('int_call_records_classified') }}

),

aggregated as (

    {#- The callee's class, operator, customer id and service number follow from callee_key (the
        number it stands for): grouped by the key alone, they are carried with max(). -#}
    select
        caller_customer_id,
        callee_key,
        call_month,
        max(callee_class) as callee_class,
        max(callee_operator) as callee_operator,
        max(callee_customer_id) as callee_customer_id,
        max(service_number) as service_number,
        max(service_category) as service_category,
        count(*) as call_count,
        sum(duration_minutes) as call_minutes,
        count(case when is_three_way then 1 end) as three_way_call_count,
        count(case when duration_seconds = 0 then 1 end) as unanswered_call_count,
        min(started_at) as first_call_at,
        max(started_at) as last_call_at,
        {{ distinct_days_in_month('call_date') }} as call_day_count
    from calls
    group by
        caller_customer_id,
        callee_key,
        call_month

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
