{#- The tag library as a dimension: one row per tag — library tags (knowledge/tags) and the
    knowledge tags rules yield (knowledge/rules) — with its place in the tag tree (level-1 and
    level-2 nodes with their Chinese and English names), kind, rule, owner, refresh cadence,
    status and expected coverage. Retired tags stay, for the record, with status retired. -#}

with tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}

),

tree as (

    select * from {{ ref('stg_knowledge__tag_tree') }}

),

final as (

    select
        -- ids
        tags.tag_id,
        -- names
        tags.tag_name_zh,
        tags.tag_name_en,
        -- place in the tree
        tags.category_path,
        tags.category_level_1,
        level_1.node_name_zh as category_level_1_name_zh,
        level_1.node_name_en as category_level_1_name_en,
        tags.category_level_2,
        level_2.node_name_zh as category_level_2_name_zh,
        level_2.node_name_en as category_level_2_name_en,
        -- definition
        tags.tag_kind,
        tags.value_type,
        tags.value_feature,
        tags.rule_text,
        tags.tag_description,
        tags.tag_source,
        tags.source_rule_ids,
        tags.source_file,
        -- governance
        tags.tag_owner,
        tags.refresh_cadence,
        tags.tag_status,
        tags.is_approved,
        tags.expected_coverage_min,
        tags.expected_coverage_max,
        tags.compiled_at
    from tags
    left join tree as level_1
        on tags.category_level_1 = level_1.category_path
    left join tree as level_2
        on tags.category_path = level_2.category_path and level_2.node_level = 2

)

select * from final
