{#- One row per open customer with every mining signal beside each other: behaviour segment, churn
    risk, fraud screening, social circle and key-person role, competitor drift (homecoming) and the
    best-fit tariff advice. A customer a step did not cover (no usage, no calls) has nulls there. -#}

with customers as (

    select * from {{ ref('dim_customer') }}
    where not is_closed

),

segments as (

    select * from {{ ref('stg_mining__customer_clusters') }}

),

churn as (

    select * from {{ ref('mart_churn_risk') }}

),

fraud as (

    select * from {{ ref('stg_mining__fraud_scores') }}

),

circles as (

    select * from {{ ref('stg_mining__social_circle_members') }}

),

homecoming as (

    select * from {{ ref('stg_mining__homecoming_signals') }}

),

tariffs as (

    select * from {{ ref('stg_mining__best_fit_tariffs') }}

),

final as (

    select
        -- ids
        customers.customer_id,
        -- segment
        segments.cluster_id,
        segments.cluster_label,
        -- churn
        churn.churn_probability,
        churn.churn_risk_band,
        churn.top_drivers as churn_top_drivers,
        -- fraud
        coalesce(fraud.is_fraud_suspect, false) as is_fraud_suspect,
        fraud.anomaly_score,
        fraud.reason as fraud_reason,
        -- social circle
        circles.circle_id,
        circles.circle_size,
        coalesce(circles.is_key_person, false) as is_circle_key_person,
        -- competitor homecoming
        coalesce(homecoming.is_drifting, false) as is_drifting_to_competitor,
        homecoming.drift_kind,
        homecoming.evidence as drift_evidence,
        -- best-fit tariff
        tariffs.advice as tariff_advice,
        tariffs.recommended_plan_id,
        tariffs.saving_yuan_per_month as tariff_saving_yuan_per_month,
        tariffs.recommendation_text as tariff_recommendation_text,
        -- contact
        customers.is_proactively_contactable
    from customers
    left join segments on customers.customer_id = segments.customer_id
    left join churn on customers.customer_id = churn.customer_id
    left join fraud on customers.customer_id = fraud.customer_id
    left join circles on customers.customer_id = circles.customer_id
    left join homecoming on customers.customer_id = homecoming.customer_id
    left join tariffs on customers.customer_id = tariffs.customer_id

)

select * from final
