{#- Which customer holds which tag, as of the feature window's as-of date: one row per customer
    and tag held. Library tags (knowledge/tags, approved and draft) come from
    int_customer_library_tags; knowledge tags from the rules that fired for the customer
    (int_customer_rule_matches; several rules may yield one knowledge tag). `evidence` says which
    features (and tags) made it true, with the customer's values. Retired tags are not
    evaluated. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}

),

library_tags as (

    select
        customer_id,
        tag_id,
        tag_value,
        tag_value_number,
        evidence,
        cast(null as {{ dbt.type_string() }}) as rule_ids
    from {{ ref('int_customer_library_tags') }}

),

knowledge_tags as (

    select
        customer_id,
        knowledge_tag as tag_id,
        'true' as tag_value,
        1.0 as tag_value_number,
        {{ dbt.listagg(dbt.concat(['rule_id', "': '", 'evidence']), "' | '", 'order by rule_id') }} as evidence,
        {{ dbt.listagg('rule_id', "','", 'order by rule_id') }} as rule_ids
    from {{ ref('int_customer_rule_matches') }}
    group by customer_id, knowledge_tag

),

unioned as (

    select * from library_tags
    union all
    select * from knowledge_tags

),

final as (

    select
        -- grain
        unioned.customer_id,
        unioned.tag_id,
        -- tag
        tags.tag_name_zh,
        tags.tag_name_en,
        tags.category_path,
        tags.category_level_1,
        tags.tag_kind,
        tags.value_type,
        tags.tag_source,
        tags.tag_status,
        tags.is_approved,
        -- value
        unioned.tag_value,
        unioned.tag_value_number,
        -- why
        unioned.evidence,
        unioned.rule_ids,
        -- when
        feature_window.as_of_date
    from unioned
    inner join tags
        on unioned.tag_id = tags.tag_id
    cross join feature_window

)

select * from final
