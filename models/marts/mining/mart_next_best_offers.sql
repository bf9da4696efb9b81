{#- Next best offers: the top products per open customer from the mining blend (collaborative
    filtering, profile matching, expert knowledge rules), with the product, the reason, a circle
    upsell signal for the same product, the customer's churn risk band, and how the customer may
    be approached — proactively, or only passively (inbound, hall, web) when they are opted out,
    on the do-not-disturb list or not active. One row per customer and offer rank. -#}

with recommendations as (

    select * from {{ ref('stg_mining__recommendations') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

circle_upsell as (

    select * from {{ ref('stg_mining__circle_upsell_candidates') }}

),

churn as (

    select * from {{ ref('mart_churn_risk') }}

),

final as (

    select
        -- ids
        recommendations.customer_id,
        recommendations.recommendation_rank,
        recommendations.product_id,
        -- product
        products.product_name,
        products.product_name_en,
        products.product_category,
        products.monthly_fee_yuan,
        products.is_niche,
        -- why
        recommendations.score,
        recommendations.primary_source,
        recommendations.reason,
        recommendations.knowledge_rule_id,
        recommendations.suggested_channel,
        circle_upsell.score as circle_upsell_score,
        circle_upsell.reason as circle_upsell_reason,
        circle_upsell.customer_id is not null as is_circle_upsell,
        -- how to approach
        churn.churn_risk_band,
        customers.is_proactively_contactable,
        case when customers.is_proactively_contactable then 'proactive' else 'passive_only' end as contact_mode,
        -- lineage
        recommendations.scored_at
    from recommendations
    left join products on recommendations.product_id = products.product_id
    left join customers on recommendations.customer_id = customers.customer_id
    left join circle_upsell
        on
            recommendations.customer_id = circle_upsell.customer_id
            and recommendations.product_id = circle_upsell.product_id
    left join churn on recommendations.customer_id = churn.customer_id

)

select * from final
