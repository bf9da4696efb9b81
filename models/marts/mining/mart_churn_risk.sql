{#- Churn warning for retention: each open customer's calibrated probability of closing their line
    next month, banded by decile (high = the riskiest 10 %, medium = the next 20 %, low = the
    rest), the three strongest drivers as columns, and what retention needs to know (value tier,
    whether proactive contact is allowed). One row per scored customer. -#}

with scores as (

    select * from {{ ref('stg_mining__churn_scores') }}

),

drivers as (

    select * from {{ ref('stg_mining__churn_drivers') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

drivers_pivoted as (

    select
        customer_id,
        max(case when driver_rank = 1 then feature end) as driver_1_feature,
        max(case when driver_rank = 1 then feature_value end) as driver_1_value,
        max(case when driver_rank = 2 then feature end) as driver_2_feature,
        max(case when driver_rank = 2 then feature_value end) as driver_2_value,
        max(case when driver_rank = 3 then feature end) as driver_3_feature,
        max(case when driver_rank = 3 then feature_value end) as driver_3_value
    from drivers
    group by customer_id

),

deciles as (

    select
        customer_id,
        ntile(10) over (order by churn_probability desc, customer_id asc) as churn_risk_decile
    from scores

),

final as (

    select
        -- ids
        scores.customer_id,
        -- risk
        scores.as_of_month,
        scores.churn_probability,
        scores.churn_rank,
        deciles.churn_risk_decile,
        case
            when deciles.churn_risk_decile = 1 then 'high'
            when deciles.churn_risk_decile <= 3 then 'medium'
            else 'low'
        end as churn_risk_band,
        -- why
        scores.top_drivers,
        drivers_pivoted.driver_1_feature,
        drivers_pivoted.driver_1_value,
        drivers_pivoted.driver_2_feature,
        drivers_pivoted.driver_2_value,
        drivers_pivoted.driver_3_feature,
        drivers_pivoted.driver_3_value,
        -- retention context
        customers.member_tier,
        customers.member_tier_rank >= 3 as is_high_value,
        customers.brand,
        customers.plan_id,
        customers.tenure_months,
        customers.contract_end_date,
        customers.is_proactively_contactable,
        -- lineage
        scores.scored_at
    from scores
    inner join deciles on scores.customer_id = deciles.customer_id
    left join drivers_pivoted on scores.customer_id = drivers_pivoted.customer_id
    left join customers on scores.customer_id = customers.customer_id

)

select * from final
