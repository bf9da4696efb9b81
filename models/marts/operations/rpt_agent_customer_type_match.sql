{#- Agent-customer matching (员工坐席服务适配): how well each agent profile (team, skill group,
    seniority band) has served each customer service type, from historical hotline outcomes.
    One row per customer service type and agent profile that handled calls of that type.
    Outcomes are compared with what is expected for the customer type and the call's purpose
    (complaints and fault reports resolve less often whoever takes them; frequent callers call
    again more often whoever served them): lift = observed - expected (the average over all
    agents for that type and purpose) for first-contact resolution, satisfaction (1-5) and
    repeat calls within 7 days. The match score
    adds them on one scale (resolution + satisfaction / 4 - repeats) and shrinks it toward 0 by
    calls / (calls + match_shrinkage_calls), so a handful of lucky calls does not win. Customers
    are typed by their current service type; calls of closed customers are left out. -#}

{%- set settings = var('service_routing') %}

with calls as (

    select * from {{ ref('int_ivr_sessions_repeat_flagged') }}
    where agent_id is not null and handle_seconds is not null

),

agents as (

    select * from {{ ref('dim_agent') }}

),

service_types as (

    select * from {{ ref('dim_customer_service_type') }}

),

typed_calls as (

    select
        calls.*,
        service_types.customer_service_type,
        agents.team as agent_team,
        agents.skill_group as agent_skill_group,
        agents.seniority_band as agent_seniority_band,
        case when calls.is_resolved_first_contact then 1.0 else 0.0 end as resolved_value,
        case
            when calls.is_repeat_observable then case when calls.is_repeated_within_7_days then 1.0 else 0.0 end
        end as repeated_value
    from calls
    inner join agents
        on calls.agent_id = agents.agent_id
    inner join service_types
        on calls.customer_id = service_types.customer_id

),

purpose_norms as (

    select
        customer_service_type,
        call_purpose,
        avg(resolved_value) as expected_resolution_rate,
        avg(satisfaction_score) as expected_satisfaction_score,
        avg(repeated_value) as expected_repeat_rate
    from typed_calls
    group by customer_service_type, call_purpose

),

scored as (

    select
        typed_calls.customer_service_type,
        typed_calls.agent_team,
        typed_calls.agent_skill_group,
        typed_calls.agent_seniority_band,
        typed_calls.handle_seconds,
        typed_calls.satisfaction_score,
        typed_calls.resolved_value,
        typed_calls.repeated_value,
        typed_calls.resolved_value - purpose_norms.expected_resolution_rate as resolution_excess,
        typed_calls.satisfaction_score - purpose_norms.expected_satisfaction_score as satisfaction_excess,
        typed_calls.repeated_value - purpose_norms.expected_repeat_rate as repeat_excess
    from typed_calls
    inner join purpose_norms
        on
            typed_calls.customer_service_type = purpose_norms.customer_service_type
            and typed_calls.call_purpose = purpose_norms.call_purpose

),

cells as (

    select
        customer_service_type,
        agent_team,
        agent_skill_group,
        agent_seniority_band,
        count(*) as handled_call_count,
        avg(resolved_value) as resolution_rate,
        avg(resolution_excess) as resolution_lift,
        count(satisfaction_score) as survey_response_count,
        avg(satisfaction_score) as avg_satisfaction_score,
        avg(satisfaction_excess) as satisfaction_lift,
        count(repeated_value) as repeat_observable_call_count,
        avg(repeated_value) as repeat_within_7_days_rate,
        avg(repeat_excess) as repeat_lift,
        avg(handle_seconds) as avg_handle_seconds
    from scored
    group by customer_service_type, agent_team, agent_skill_group, agent_seniority_band

),

matched as (

    select
        *,
        handled_call_count * 1.0 / (handled_call_count + {{ settings['match_shrinkage_calls'] }}) as evidence_weight,
        handled_call_count >= {{ settings['match_min_calls'] }} as has_enough_evidence,
        (
            coalesce(resolution_lift, 0) + coalesce(satisfaction_lift, 0) / 4.0 - coalesce(repeat_lift, 0)
        ) * handled_call_count / (handled_call_count + {{ settings['match_shrinkage_calls'] }}) as match_score
    from cells

),

final as (

    select
        -- grain
        customer_service_type,
        agent_team,
        agent_skill_group,
        agent_seniority_band,
        {{ dbt.concat(['agent_team', "'/'", 'agent_skill_group', "'/'", 'agent_seniority_band']) }} as agent_profile,
        -- outcomes
        handled_call_count,
        resolution_rate,
        resolution_lift,
        survey_response_count,
        avg_satisfaction_score,
        satisfaction_lift,
        repeat_observable_call_count,
        repeat_within_7_days_rate,
        repeat_lift,
        avg_handle_seconds,
        -- match
        evidence_weight,
        match_score,
        has_enough_evidence,
        row_number() over (
            partition by customer_service_type
            order by
                case when has_enough_evidence then 0 else 1 end asc,
                match_score desc,
                agent_team asc,
                agent_skill_group asc,
                agent_seniority_band asc
        ) as match_rank
    from matched

)

select * from final
