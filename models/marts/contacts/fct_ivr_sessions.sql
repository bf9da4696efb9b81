{#- One row per 10086 hotline call, seen as a trajectory through the IVR menu: the keys pressed,
    how deep the caller went, where they left (self-service in the IVR, agent, or hung up in the
    IVR or in the queue), waits and handling times, and the post-call satisfaction score. -#}

with hotline_calls as (

    select * from {{ ref('stg_callcenter__hotline_calls') }}

),

parsed as (

    select
        *,
        {{ dbt.length('ivr_path') }} - {{ dbt.length(dbt.replace('ivr_path', "'>'", "''")) }} + 1 as ivr_depth
    from hotline_calls

),

final as (

    select
        -- ids
        hotline_call_id,
        customer_id,
        agent_id,
        -- trajectory
        ivr_path,
        ivr_depth,
        {{ dbt.split_part('ivr_path', "'>'", 1) }} as first_key,
        {{ dbt.split_part('ivr_path', "'>'", 'ivr_depth') }} as last_key,
        case
            when is_transferred_to_agent and is_abandoned then 'abandoned_in_queue'
            when is_abandoned then 'abandoned_in_ivr'
            when is_transferred_to_agent then 'agent'
            else 'ivr_self_service'
        end as exit_point,
        call_purpose,
        satisfaction_score,
        -- flags
        is_customer_identified,
        not is_transferred_to_agent and not is_abandoned as is_contained_in_ivr,
        is_transferred_to_agent,
        is_abandoned,
        {{ dbt.split_part('ivr_path', "'>'", 'ivr_depth') }} = '0' as has_asked_for_agent,
        is_resolved_first_contact,
        satisfaction_score is not null as has_satisfaction_score,
        satisfaction_score >= 4 as is_satisfied,
        -- timestamps
        started_at,
        call_date,
        -- measures
        ivr_seconds,
        wait_seconds,
        handle_seconds,
        ivr_seconds + coalesce(wait_seconds, 0) + coalesce(handle_seconds, 0) as total_seconds
    from parsed

)

select * from final
