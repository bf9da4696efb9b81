{#- The IVR menu as a funnel: one row per menu node (the keys pressed so far, e.g. 1>2), with the
    calls that reached it and what they did there: pressed on to a deeper node, finished in
    self-service, asked for an agent (key 0: the transfer point), or hung up (the drop-off point).
    Menus are read up to `max_depth` levels (the deepest path is checked in the model's tests). -#}

{%- set max_depth = 6 %}

with calls as (

    select * from {{ ref('int_ivr_sessions_repeat_flagged') }}

),

levels as (

    {{ dbt.generate_series(max_depth) }}

),

node_visits as (

    select
        calls.hotline_call_id,
        calls.exit_point,
        calls.is_repeat_observable,
        calls.is_repeated_within_7_days,
        calls.satisfaction_score,
        levels.generated_number as node_level,
        levels.generated_number = calls.ivr_depth as is_last_node,
        {{ dbt.split_part('calls.ivr_path', "'>'", 'levels.generated_number') }} as node_key,
        case levels.generated_number
            {%- for level in range(1, max_depth + 1) %}
            when {{ level }} then {{ dbt.concat(ivr_path_prefix('calls.ivr_path', level)) }}
            {%- endfor %}
        end as node_path,
        case levels.generated_number
            {%- for level in range(2, max_depth + 1) %}
            when {{ level }} then {{ dbt.concat(ivr_path_prefix('calls.ivr_path', level - 1)) }}
            {%- endfor %}
        end as parent_node_path
    from calls
    inner join levels
        on calls.ivr_depth >= levels.generated_number

),

by_node as (

    select
        node_path,
        min(parent_node_path) as parent_node_path,
        min(node_level) as node_level,
        min(node_key) as node_key,
        count(*) as reached_call_count,
        sum(case when not is_last_node then 1 else 0 end) as continued_call_count,
        sum(case when is_last_node and exit_point = 'ivr_self_service' then 1 else 0 end) as self_served_call_count,
        sum(case when is_last_node and exit_point in ('agent', 'abandoned_in_queue') then 1 else 0 end)
            as transferred_call_count,
        sum(case when is_last_node and exit_point = 'abandoned_in_ivr' then 1 else 0 end) as dropped_call_count,
        sum(case when is_last_node and exit_point = 'abandoned_in_queue' then 1 else 0 end)
            as abandoned_in_queue_count,
        sum(case when is_last_node and is_repeat_observable then 1 else 0 end) as ending_observable_call_count,
        sum(case when is_last_node and is_repeat_observable and is_repeated_within_7_days then 1 else 0 end)
            as ending_repeated_call_count,
        avg(case when is_last_node then satisfaction_score end) as ending_avg_satisfaction_score
    from node_visits
    group by node_path

),

total as (

    select count(*) as call_count
    from calls

),

final as (

    select
        -- grain
        by_node.node_path,
        -- menu position
        by_node.parent_node_path,
        by_node.node_level,
        by_node.node_key,
        by_node.node_key = '0' as is_agent_request_node,
        -- funnel
        by_node.reached_call_count,
        by_node.reached_call_count * 1.0 / total.call_count as reached_share_of_calls,
        by_node.continued_call_count,
        by_node.self_served_call_count,
        by_node.transferred_call_count,
        by_node.dropped_call_count,
        by_node.abandoned_in_queue_count,
        by_node.continued_call_count * 1.0 / by_node.reached_call_count as continue_rate,
        by_node.self_served_call_count * 1.0 / by_node.reached_call_count as self_service_rate,
        by_node.transferred_call_count * 1.0 / by_node.reached_call_count as transfer_rate,
        by_node.dropped_call_count * 1.0 / by_node.reached_call_count as drop_off_rate,
        -- outcome of the calls that left the menu here
        by_node.ending_repeated_call_count * 1.0
        / nullif(by_node.ending_observable_call_count, 0) as ending_repeat_within_7_days_rate,
        by_node.ending_avg_satisfaction_score
    from by_node
    cross join total

)

select * from final
