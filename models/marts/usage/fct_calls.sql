{#- The call graph (交往圈): one row per caller, callee and calendar month, with call counts and
    minutes. The callee is a customer id (our customer), a service number (brokers, golf clubs,
    traffic radio, ...) or a keyed hash of the number (anyone else): no raw phone numbers here.
    Many calls to competitor numbers flag a customer drifting away; calls to service numbers
    feed behaviour-to-knowledge rules. -#}

with calls as (

    select * from {{ ref('int_call_records_classified') }}

),

callees as (

    {#- The callee's class, operator, customer id and service number follow from callee_key (the
        number it stands for; max() over the numbers a key stands for, in the rare case of more
        than one). They are joined to the edges after the calls are aggregated: carried through
        the aggregation of every call they made it hold ~15M groups' strings (at 100k customers,
        77 s instead of 39 s with DuckDB's 4GB memory limit). -#}
    select
        callee_key,
        max(callee_class) as callee_class,
        max(callee_operator) as callee_operator,
        max(callee_customer_id) as callee_customer_id,
        max(service_number) as service_number,
        max(service_category) as service_category
    from {{ ref('int_callee_numbers_classified') }}
    group by callee_key

),

aggregated as (

    select
        caller_customer_id,
        callee_key,
        call_month,
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
            'aggregated.caller_customer_id', "'|'", 'aggregated.callee_key', "'|'",
            dbt.cast('aggregated.call_month', dbt.type_string())
        ])) }} as call_edge_key,
        aggregated.caller_customer_id,
        aggregated.callee_key,
        aggregated.call_month,
        callees.callee_class,
        callees.callee_operator,
        callees.callee_customer_id,
        callees.service_number,
        callees.service_category,
        aggregated.call_count,
        aggregated.call_minutes,
        aggregated.three_way_call_count,
        aggregated.unanswered_call_count,
        aggregated.first_call_at,
        aggregated.last_call_at,
        aggregated.call_day_count
    from aggregated
    left join callees
        on aggregated.callee_key = callees.callee_key

)

select * from final
