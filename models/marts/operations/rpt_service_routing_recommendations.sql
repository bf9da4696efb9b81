{#- The recommended routing table (服务分流与坐席适配建议): one row per customer service type,
    with its routing treatment and queue priority (service_routing_rules seed), how many current
    customers it holds, and the agent profile to route it to: the best-matching profile of
    rpt_agent_customer_type_match when it has enough handled calls and a match score above
    zero (it served the type better than the calls' purposes predict), otherwise the seed's
    default team and seniority band (recommendation_basis says which). -#}

with rules as (

    select * from {{ ref('service_routing_rules') }}

),

service_types as (

    select * from {{ ref('dim_customer_service_type') }}

),

matches as (

    select * from {{ ref('rpt_agent_customer_type_match') }}

),

customers_per_type as (

    select
        customer_service_type,
        count(*) as customer_count,
        avg(calls_per_month) as avg_calls_per_month,
        avg(avg_monthly_bill_yuan) as avg_monthly_bill_yuan
    from service_types
    group by customer_service_type

),

best_matches as (

    select * from matches
    where match_rank = 1 and has_enough_evidence and match_score > 0

),

final as (

    select
        -- grain
        rules.customer_service_type,
        -- treatment
        rules.service_type_name_zh,
        rules.routing_treatment,
        rules.queue_priority,
        rules.push_channel_code,
        rules.treatment_description,
        -- who is in it
        coalesce(customers_per_type.customer_count, 0) as customer_count,
        customers_per_type.avg_calls_per_month,
        customers_per_type.avg_monthly_bill_yuan,
        -- recommended agents
        case when best_matches.agent_profile is not null then 'match_table' else 'default_rule' end
            as recommendation_basis,
        coalesce(best_matches.agent_team, rules.default_agent_team) as recommended_agent_team,
        case
            when best_matches.agent_profile is not null then best_matches.agent_skill_group
        end as recommended_agent_skill_group,
        coalesce(best_matches.agent_seniority_band, rules.default_seniority_band) as recommended_seniority_band,
        best_matches.agent_profile as matched_agent_profile,
        best_matches.match_score,
        best_matches.handled_call_count as matched_handled_call_count,
        best_matches.resolution_lift as matched_resolution_lift,
        best_matches.satisfaction_lift as matched_satisfaction_lift
    from rules
    left join customers_per_type
        on rules.customer_service_type = customers_per_type.customer_service_type
    left join best_matches
        on rules.customer_service_type = best_matches.customer_service_type

)

select * from final
