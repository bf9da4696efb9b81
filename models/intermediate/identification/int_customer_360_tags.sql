{#- What the unified customer view says about a customer's tags and recommendations, one row
    per customer holding any tag: the most telling approved tags (rarest first: a tag few
    customers hold says more), interests (approved tags of the interest & content branch),
    knowledge tags from rules, and the products the rules recommend that the customer does not
    hold yet (rule product order, then rule id). -#}

with library_tags as (

    select
        customer_id,
        tag_id
    from {{ ref('int_customer_library_tags') }}
    where tag_value = 'true'

),

knowledge_tags as (

    select distinct
        customer_id,
        knowledge_tag as tag_id
    from {{ ref('int_customer_rule_matches') }}

),

tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where is_approved

),

held_tags as (

    select
        held.customer_id,
        held.tag_id,
        tags.tag_name_zh,
        tags.tag_source,
        tags.category_level_1,
        count(*) over (partition by held.tag_id) as tag_holder_count
    from (
        select * from library_tags
        union all
        select * from knowledge_tags
    ) as held
    inner join tags
        on held.tag_id = tags.tag_id

),

ranked_tags as (

    select
        *,
        row_number() over (partition by customer_id order by tag_holder_count asc, tag_id asc) as rarity_rank
    from held_tags

),

recommendations as (

    select
        customer_id,
        product_id,
        product_name,
        row_number() over (
            partition by customer_id order by min(product_rank) asc, min(rule_id) asc, product_id asc
        ) as recommendation_rank
    from {{ ref('int_customer_recommendations') }}
    where not is_product_held
    group by customer_id, product_id, product_name

),

tag_summary as (

    select
        customer_id,
        count(*) as approved_tag_count,
        {{ dbt.listagg(
            "case when rarity_rank <= " ~ var('customer_360_top_tags', 5) ~ " then tag_name_zh end",
            "'、'", 'order by rarity_rank',
        ) }} as top_tags,
        {{ dbt.listagg(
            "case when category_level_1 = 'interest_content' then tag_name_zh end", "'、'", 'order by rarity_rank',
        ) }} as interest_tags,
        {{ dbt.listagg(
            "case when tag_source = 'knowledge_rule' then tag_name_zh end", "'、'", 'order by rarity_rank',
        ) }} as knowledge_tags,
        count(case when tag_source = 'knowledge_rule' then 1 end) as knowledge_tag_count
    from ranked_tags
    group by customer_id

),

recommendation_summary as (

    select
        customer_id,
        count(*) as recommended_product_count,
        max(case when recommendation_rank = 1 then product_id end) as next_best_product_id,
        {{ dbt.listagg('product_name', "'、'", 'order by recommendation_rank') }} as recommended_products
    from recommendations
    group by customer_id

),

final as (

    select
        tag_summary.customer_id,
        tag_summary.approved_tag_count,
        tag_summary.top_tags,
        tag_summary.interest_tags,
        tag_summary.knowledge_tags,
        tag_summary.knowledge_tag_count,
        coalesce(recommendation_summary.recommended_product_count, 0) as recommended_product_count,
        recommendation_summary.next_best_product_id,
        recommendation_summary.recommended_products
    from tag_summary
    left join recommendation_summary
        on tag_summary.customer_id = recommendation_summary.customer_id

)

select * from final
