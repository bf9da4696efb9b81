with source as (

    select * from {{ source('knowledge', 'tag_definitions') }}

),

renamed as (

    select
        -- ids
        tag_id,
        -- attributes
        tag_name_zh,
        tag_name_en,
        category_path,
        {{ dbt.split_part('category_path', "'/'", 1) }} as category_level_1,
        case
            when {{ dbt.position("'/'", 'category_path') }} > 0
                then {{ dbt.split_part('category_path', "'/'", 2) }}
        end as category_level_2,
        tag_kind,
        value_type,
        value_feature,
        rule_text,
        owner as tag_owner,
        description as tag_description,
        refresh_cadence,
        tag_status,
        tag_source,
        source_rule_ids,
        source_file,
        -- flags
        tag_status = 'approved' as is_approved,
        -- measures
        expected_coverage_min,
        expected_coverage_max,
        -- lineage
        compiled_at
    from source

)

select * from renamed
