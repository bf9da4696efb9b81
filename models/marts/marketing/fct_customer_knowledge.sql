{#- Behaviour → knowledge → product, per customer: one row per customer, approved rule that
    fired for them and product the rule recommends that the customer does not hold yet (closed
    customers left out). Carries the knowledge tag, the rule's suggested channel and script hint,
    the evidence, and how the offer can be delivered (proactively, or passively when the
    customer may not be contacted). The mining engineer's recommendation blend reads it. -#}

with recommendations as (

    select * from {{ ref('int_customer_recommendations') }}

),

final as (

    select
        -- grain
        customer_id,
        rule_id,
        product_id,
        -- knowledge
        knowledge_tag,
        rule_name,
        evidence,
        -- product
        product_rank,
        product_name,
        product_type,
        is_niche_product,
        -- delivery
        suggested_channel_code as suggested_channel,
        script_hint,
        is_proactively_contactable,
        delivery_mode,
        delivery_channel_code,
        -- dates
        as_of_date
    from recommendations
    where not is_product_held and customer_status != 'closed'

)

select * from final
