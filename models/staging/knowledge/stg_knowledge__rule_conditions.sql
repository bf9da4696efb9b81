with source as (

    select * from {{ source('knowledge', 'rule_conditions') }}

),

renamed as (

    select
        -- ids
        rule_id,
        clause_no,
        condition_no,
        -- attributes
        feature_name,
        operator,
        value_kind,
        value_text,
        value_list,
        threshold_text,
        condition_text,
        -- measures
        clause_size,
        value_number,
        value_number_high,
        -- lineage
        compiled_at
    from source

)

select * from renamed
