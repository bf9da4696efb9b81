{#- What the approved knowledge rules recommend to each customer they fired for: one row per
    customer, rule and recommended product, with the knowledge tag, the rule's channel and
    script hint, the evidence, whether the customer already holds the product, and how the
    offer can be delivered: proactively through the rule's channel when the customer may be
    contacted (or the channel is an inbound one anyway), otherwise passively — the next time the
    customer comes in through the inbound channel they use most (the hall when unknown). -#}

with matches as (

    select * from {{ ref('int_customer_rule_matches') }}
    where rule_status = 'approved'

),

rules as (

    select * from {{ ref('stg_knowledge__rule_definitions') }}

),

rule_products as (

    select * from {{ ref('stg_knowledge__rule_products') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

held as (

    select * from {{ ref('int_customer_products_held') }}

),

features as (

    select * from {{ ref('int_customer_features') }}

),

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        -- grain
        matches.customer_id,
        matches.rule_id,
        rule_products.product_id,
        -- knowledge
        matches.knowledge_tag,
        rules.rule_name,
        matches.evidence,
        -- product
        rule_products.product_rank,
        products.product_name,
        products.product_type,
        products.is_niche as is_niche_product,
        held.product_id is not null as is_product_held,
        -- delivery
        rules.suggested_channel_code,
        rules.script_hint,
        features.is_proactively_contactable,
        features.customer_status,
        case
            when features.is_proactively_contactable or not channels.is_proactive_capable then 'proactive'
            else 'passive'
        end as delivery_mode,
        case
            when features.is_proactively_contactable or not channels.is_proactive_capable
                then rules.suggested_channel_code
            else coalesce(features.preferred_channel_code, 'HALL')
        end as delivery_channel_code,
        features.as_of_date
    from matches
    inner join rules
        on matches.rule_id = rules.rule_id
    inner join rule_products
        on matches.rule_id = rule_products.rule_id
    left join products
        on rule_products.product_id = products.product_id
    left join held
        on
            matches.customer_id = held.customer_id
            and rule_products.product_id = held.product_id
    left join features
        on matches.customer_id = features.customer_id
    left join channels
        on rules.suggested_channel_code = channels.channel_code

)

select * from final
