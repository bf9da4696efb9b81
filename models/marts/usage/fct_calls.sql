{#- The call graph (交往圈): one row per caller, callee and calendar month, with call counts and
    minutes. The callee is a customer id (our customer), a service number (brokers, golf clubs,
    traffic radio, ...) or a keyed hash of the number (anyone else): no raw phone numbers here.
    Many calls to competitor numbers flag a customer drifting away; calls to service numbers
    feed behaviour-to-knowledge rules. -#}

with edges as (

    select * from {{ ref('int_call_edges_monthly') }}

),

callees as (

    select * from {{ ref('int_callees_classified') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'edges.caller_customer_id', "'|'", 'callees.callee_key', "'|'",
            dbt.cast('edges.call_month', dbt.type_string())
        ])) }} as call_edge_key,
        edges.caller_customer_id,
        callees.callee_key,
        edges.call_month,
        callees.callee_class,
        callees.callee_operator,
        callees.callee_customer_id,
        callees.service_number,
        callees.service_category,
        edges.call_count,
        cast(edges.call_seconds as {{ type_double() }}) / 60 as call_minutes,
        edges.three_way_call_count,
        edges.unanswered_call_count,
        edges.first_call_at,
        edges.last_call_at,
        edges.call_day_count
    from edges
    left join callees
        on edges.callee_id = callees.callee_id

)

select * from final
