{#- The unified customer view (客户统一视图): one row per customer, everything a call-centre
    agent, a hall clerk or a campaign planner needs on one screen — masked profile, value and
    segments, lifecycle, the most telling tags, interests and knowledge, channel and contact-time
    preference, contactability, the last contacts and offers with their outcomes, what the
    knowledge rules recommend, and the mining predictions (behaviour cluster, churn risk) where
    the mining marts have scored the customer. No clear personal data: names and numbers are
    masked. -#}

with customers as (

    select * from {{ ref('dim_customer') }}

),

segments as (

    select * from {{ ref('dim_customer_segment') }}

),

features as (

    select * from {{ ref('int_customer_features') }}

),

tags as (

    select * from {{ ref('int_customer_360_tags') }}

),

activity as (

    select * from {{ ref('int_customer_360_activity') }}

),

clusters as (

    select * from {{ ref('mart_customer_segments_ml') }}

),

churn as (

    select * from {{ ref('mart_churn_risk') }}

),

final as (

    select
        -- ids
        customers.customer_id,
        customers.enterprise_id,
        customers.account_manager_agent_id,
        -- profile (masked)
        customers.full_name_masked,
        customers.phone_no_masked,
        customers.gender,
        customers.age_years,
        customers.age_band,
        customers.customer_type,
        customers.enterprise_industry,
        customers.enterprise_size_band,
        segments.customer_segment_code,
        customers.city,
        customers.district,
        customers.brand,
        customers.plan_id,
        features.plan_monthly_fee_yuan,
        customers.customer_status,
        customers.tenure_months,
        -- value and segments
        features.arpu_yuan,
        segments.value_tier,
        customers.member_tier,
        segments.lifecycle_stage,
        segments.customer_value_score,
        segments.rfm_score,
        segments.rfm_segment,
        segments.abc_class,
        -- tags, interests, knowledge
        coalesce(tags.approved_tag_count, 0) as approved_tag_count,
        tags.top_tags,
        tags.interest_tags,
        features.top_content_category,
        tags.knowledge_tags,
        coalesce(tags.knowledge_tag_count, 0) as knowledge_tag_count,
        -- recommendations (knowledge rules)
        coalesce(tags.recommended_product_count, 0) as recommended_product_count,
        tags.next_best_product_id,
        tags.recommended_products,
        -- channel and contact preference
        features.preferred_channel_code,
        features.preferred_contact_hour_band,
        features.electronic_channel_share,
        customers.is_proactively_contactable,
        customers.is_do_not_disturb,
        customers.is_opted_out_marketing,
        -- contact history
        coalesce(activity.contact_count, 0) as contact_count,
        activity.last_contact_at,
        activity.last_contact_channel_code,
        activity.last_contact_type,
        activity.last_contact_outcome,
        activity.recent_contacts,
        coalesce(activity.offer_count, 0) as offer_count,
        activity.last_offer_at,
        activity.last_offer_campaign_id,
        activity.last_offer_product_id,
        activity.last_offer_channel_code,
        activity.last_offer_outcome,
        features.complaint_count,
        -- predictions (mining marts; null when not scored)
        clusters.cluster_id,
        clusters.cluster_label,
        churn.churn_probability,
        churn.churn_risk_band,
        churn.top_drivers as churn_top_drivers,
        -- dates
        features.as_of_date
    from customers
    left join segments
        on customers.customer_id = segments.customer_id
    left join features
        on customers.customer_id = features.customer_id
    left join tags
        on customers.customer_id = tags.customer_id
    left join activity
        on customers.customer_id = activity.customer_id
    left join clusters
        on customers.customer_id = clusters.customer_id
    left join churn
        on customers.customer_id = churn.customer_id

)

select * from final
