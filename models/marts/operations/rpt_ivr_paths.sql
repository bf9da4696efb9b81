{#- IVR trajectory analysis by path: one row per path through the 10086 menu (the keys pressed,
    e.g. 1>2>0), with how often it is taken, where its callers leave (self-service in the IVR,
    agent, hang-up in the IVR or in the agent queue), how often they call again within 7 days,
    and how satisfied they are. A path that ends early (e.g. `1`) is where callers hung up. -#}

with calls as (

    select * from {{ ref('int_ivr_sessions_repeat_flagged') }}

),

by_path as (

    select
        ivr_path,
        min(ivr_depth) as ivr_depth,
        min(first_key) as first_key,
        count(*) as call_count,
        sum(case when exit_point = 'ivr_self_service' then 1 else 0 end) as contained_call_count,
        sum(case when exit_point = 'agent' then 1 else 0 end) as agent_call_count,
        sum(case when exit_point = 'abandoned_in_ivr' then 1 else 0 end) as abandoned_in_ivr_count,
        sum(case when exit_point = 'abandoned_in_queue' then 1 else 0 end) as abandoned_in_queue_count,
        sum(case when is_repeat_observable then 1 else 0 end) as repeat_observable_call_count,
        sum(case when is_repeat_observable and is_repeated_within_7_days then 1 else 0 end) as repeated_call_count,
        count(satisfaction_score) as survey_response_count,
        avg(satisfaction_score) as avg_satisfaction_score,
        avg(case when is_satisfied then 1.0 when is_satisfied is not null then 0.0 end) as satisfied_share,
        avg(ivr_seconds) as avg_ivr_seconds,
        avg(wait_seconds) as avg_wait_seconds
    from calls
    group by ivr_path

),

final as (

    select
        -- grain
        ivr_path,
        -- trajectory
        ivr_depth,
        first_key,
        {{ dbt.split_part('ivr_path', "'>'", 'ivr_depth') }} as last_key,
        case
            when abandoned_in_ivr_count = call_count then 'abandoned_in_ivr'
            when contained_call_count >= agent_call_count + abandoned_in_queue_count then 'ivr_self_service'
            else 'agent'
        end as main_exit_point,
        row_number() over (order by call_count desc, ivr_path asc) as path_rank,
        -- volumes
        call_count,
        call_count * 1.0 / sum(call_count) over () as call_share,
        contained_call_count,
        agent_call_count,
        abandoned_in_ivr_count,
        abandoned_in_queue_count,
        -- rates
        contained_call_count * 1.0 / call_count as containment_rate,
        (agent_call_count + abandoned_in_queue_count) * 1.0 / call_count as transfer_to_agent_rate,
        (abandoned_in_ivr_count + abandoned_in_queue_count) * 1.0 / call_count as abandonment_rate,
        repeat_observable_call_count,
        repeated_call_count * 1.0 / nullif(repeat_observable_call_count, 0) as repeat_within_7_days_rate,
        -- satisfaction
        survey_response_count,
        avg_satisfaction_score,
        satisfied_share,
        -- durations
        avg_ivr_seconds,
        avg_wait_seconds
    from by_path

)

select * from final
