{#- One row per approved knowledge tag: the knowledge group's size and share of the open base,
    how many may be contacted proactively, how many hold no value-added service at all, the
    products the rules recommend with the group's current penetration of each
    ("车主服务 21.0%; 手机证券 15.2%"), and the penetration of every product in the group
    (rpt_knowledge_group_products has it as rows). -#}

with tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where tag_source = 'knowledge_rule' and is_approved

),

members as (

    select distinct
        matches.knowledge_tag,
        matches.customer_id,
        features.is_proactively_contactable,
        features.vas_count
    from {{ ref('int_customer_rule_matches') }} as matches
    inner join {{ ref('int_customer_features') }} as features
        on matches.customer_id = features.customer_id
    where matches.rule_status = 'approved' and features.customer_status != 'closed'

),

base as (

    select count(*) as base_customer_count
    from {{ ref('int_customer_features') }}
    where customer_status != 'closed'

),

penetration as (

    select * from {{ ref('rpt_knowledge_group_products') }}

),

group_summary as (

    select
        knowledge_tag,
        count(*) as group_customer_count,
        count(case when is_proactively_contactable then 1 end) as contactable_customer_count,
        count(case when vas_count = 0 then 1 end) as no_vas_customer_count
    from members
    group by knowledge_tag

),

recommended_summary as (

    select
        knowledge_tag,
        {{ dbt.listagg(
            dbt.concat([
                'product_name', "' '",
                dbt.cast('round(100 * penetration_share, 1)', dbt.type_string()), "'%'",
            ]),
            "'; '", 'order by penetration_share desc',
        ) }} as recommended_product_penetration
    from penetration
    where is_recommended_by_rule
    group by knowledge_tag

),

final as (

    select
        tags.tag_id as knowledge_tag,
        tags.tag_name_zh as knowledge_tag_name_zh,
        tags.tag_name_en as knowledge_tag_name_en,
        tags.source_rule_ids,
        coalesce(group_summary.group_customer_count, 0) as group_customer_count,
        coalesce(group_summary.group_customer_count, 0) * 1.0 / nullif(base.base_customer_count, 0)
            as base_share,
        coalesce(group_summary.contactable_customer_count, 0) as contactable_customer_count,
        coalesce(group_summary.no_vas_customer_count, 0) as no_vas_customer_count,
        group_summary.no_vas_customer_count * 1.0 / nullif(group_summary.group_customer_count, 0)
            as no_vas_share,
        recommended_summary.recommended_product_penetration
    from tags
    cross join base
    left join group_summary
        on tags.tag_id = group_summary.knowledge_tag
    left join recommended_summary
        on tags.tag_id = recommended_summary.knowledge_tag

)

select * from final
