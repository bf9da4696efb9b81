{#- The profile a product portrait compares adopters and the base on: one row per open (not
    closed) customer and attribute — every approved boolean tag the customer holds (library and
    knowledge tags: "car owner", "under 24", "heavy data user", ...) and every approved
    categorical tag value ("value tier = gold", "lifecycle stage = growth"). Tags that describe
    product holdings themselves (the behaviour/vas branch, or conditions on holds_* / VAS
    features) are left out, so a portrait never explains a product by its own adoption. -#}

with tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where is_approved and value_type in ('boolean', 'text')

),

holding_tags as (

    select distinct tag_id
    from {{ ref('stg_knowledge__tag_conditions') }}
    where
        feature_name like 'holds%'
        or feature_name like '%vas%'

),

open_customers as (

    select customer_id
    from {{ ref('int_customer_features') }}
    where customer_status != 'closed'

),

held as (

    select
        library_tags.customer_id,
        library_tags.tag_id,
        library_tags.tag_value
    from {{ ref('int_customer_library_tags') }} as library_tags

    union all

    select distinct
        customer_id,
        knowledge_tag as tag_id,
        'true' as tag_value
    from {{ ref('int_customer_rule_matches') }}
    where rule_status = 'approved'

),

final as (

    select
        held.customer_id,
        case
            when tags.value_type = 'boolean' then tags.tag_id
            else {{ dbt.concat(['tags.tag_id', "'='", 'held.tag_value']) }}
        end as attribute_id,
        case
            when tags.value_type = 'boolean' then tags.tag_name_zh
            else {{ dbt.concat(['tags.tag_name_zh', "'='", 'held.tag_value']) }}
        end as attribute_name,
        tags.tag_id,
        tags.category_path,
        tags.tag_source
    from held
    inner join open_customers
        on held.customer_id = open_customers.customer_id
    inner join tags
        on held.tag_id = tags.tag_id
    left join holding_tags
        on tags.tag_id = holding_tags.tag_id
    where
        holding_tags.tag_id is null
        and tags.category_path != 'behaviour/vas'

)

select * from final
