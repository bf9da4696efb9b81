{#- Every 10086 call with what happened next: whether the same identified customer called
    again within 7 days (a repeat call: the first one did not settle the matter). A call in the
    last 7 days of the data cannot be judged yet (is_repeat_observable false); calls of
    unidentified callers cannot be linked (null). One row per call. -#}

with sessions as (

    select * from {{ ref('fct_ivr_sessions') }}

),

data_end as (

    select max(started_at) as last_started_at
    from sessions

),

sequenced as (

    select
        hotline_call_id,
        lead(started_at) over (
            partition by customer_id
            order by started_at, hotline_call_id
        ) as next_call_at,
        lag(started_at) over (
            partition by customer_id
            order by started_at, hotline_call_id
        ) as previous_call_at
    from sessions
    where customer_id is not null

),

final as (

    select
        -- ids
        sessions.hotline_call_id,
        sessions.customer_id,
        sessions.agent_id,
        -- trajectory
        sessions.ivr_path,
        sessions.ivr_depth,
        sessions.first_key,
        sessions.exit_point,
        sessions.call_purpose,
        sessions.satisfaction_score,
        -- flags
        sessions.is_contained_in_ivr,
        sessions.is_transferred_to_agent,
        sessions.is_abandoned,
        sessions.is_resolved_first_contact,
        sessions.is_satisfied,
        sessions.customer_id is not null
        and sessions.started_at <= {{ dbt.dateadd('day', -7, 'data_end.last_started_at') }} as is_repeat_observable,
        case
            when sessions.customer_id is not null
                then coalesce(sequenced.next_call_at <= {{ dbt.dateadd('day', 7, 'sessions.started_at') }}, false)
        end as is_repeated_within_7_days,
        case
            when sessions.customer_id is not null
                then coalesce(sequenced.previous_call_at >= {{ dbt.dateadd('day', -7, 'sessions.started_at') }}, false)
        end as is_repeat_of_recent_call,
        -- timestamps
        sessions.started_at,
        sessions.call_date,
        sequenced.next_call_at,
        -- measures
        {{ dbt.datediff('sessions.started_at', 'sequenced.next_call_at', 'hour') }}
        / cast(24 as {{ type_double() }}) as days_to_next_call,
        sessions.ivr_seconds,
        sessions.wait_seconds,
        sessions.handle_seconds
    from sessions
    cross join data_end
    left join sequenced
        on sessions.hotline_call_id = sequenced.hotline_call_id

)

select * from final
