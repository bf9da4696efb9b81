{#- Knowledge-group product penetration (the "78,086 car owners: 21 % use the car-owner service,
    15 % mobile securities, ..." view): for each approved knowledge tag and each value-added
    service or group product, how many of the group hold it on the as-of date, the group's
    penetration against the whole base, and whether a rule yielding the tag recommends the
    product. One row per knowledge tag and product held by anyone in the group or recommended.
    Open (not closed) customers only. -#}

with groups as (

    select distinct
        matches.customer_id,
        matches.knowledge_tag
    from {{ ref('int_customer_rule_matches') }} as matches
    inner join {{ ref('int_customer_features') }} as features
        on matches.customer_id = features.customer_id
    where matches.rule_status = 'approved' and features.customer_status != 'closed'

),

base as (

    select customer_id
    from {{ ref('int_customer_features') }}
    where customer_status != 'closed'

),

held as (

    select held.*
    from {{ ref('int_customer_products_held') }} as held
    inner join base
        on held.customer_id = base.customer_id
    where held.product_type in ('vas', 'group_product')

),

recommended as (

    select distinct
        rules.knowledge_tag,
        rule_products.product_id
    from {{ ref('stg_knowledge__rule_products') }} as rule_products
    inner join {{ ref('stg_knowledge__rule_definitions') }} as rules
        on rule_products.rule_id = rules.rule_id
    where rules.rule_status = 'approved'

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

base_size as (

    select count(*) as base_customer_count from base

),

group_sizes as (

    select
        knowledge_tag,
        count(*) as group_customer_count
    from groups
    group by knowledge_tag

),

base_holders as (

    select
        product_id,
        count(*) as base_holder_count
    from held
    group by product_id

),

group_holders as (

    select
        groups.knowledge_tag,
        held.product_id,
        count(*) as holder_count
    from groups
    inner join held
        on groups.customer_id = held.customer_id
    group by groups.knowledge_tag, held.product_id

),

pairs as (

    select
        knowledge_tag,
        product_id
    from group_holders

    union

    select
        recommended.knowledge_tag,
        recommended.product_id
    from recommended
    inner join group_sizes
        on recommended.knowledge_tag = group_sizes.knowledge_tag

),

final as (

    select
        pairs.knowledge_tag,
        pairs.product_id,
        products.product_name,
        products.is_niche as is_niche_product,
        recommended.product_id is not null as is_recommended_by_rule,
        group_sizes.group_customer_count,
        coalesce(group_holders.holder_count, 0) as holder_count,
        coalesce(group_holders.holder_count, 0) * 1.0 / group_sizes.group_customer_count as penetration_share,
        coalesce(base_holders.base_holder_count, 0) * 1.0 / base_size.base_customer_count as base_penetration_share,
        coalesce(group_holders.holder_count, 0) * 1.0 / group_sizes.group_customer_count
        / nullif(base_holders.base_holder_count * 1.0 / base_size.base_customer_count, 0) as penetration_lift
    from pairs
    cross join base_size
    inner join group_sizes
        on pairs.knowledge_tag = group_sizes.knowledge_tag
    left join group_holders
        on
            pairs.knowledge_tag = group_holders.knowledge_tag
            and pairs.product_id = group_holders.product_id
    left join base_holders
        on pairs.product_id = base_holders.product_id
    left join recommended
        on
            pairs.knowledge_tag = recommended.knowledge_tag
            and pairs.product_id = recommended.product_id
    left join products
        on pairs.product_id = products.product_id

)

select * from final
