with source as (

    select * from {{ source('knowledge', 'rule_definitions') }}

),

renamed as (

    select
        -- ids
        rule_id,
        knowledge_tag,
        suggested_channel as suggested_channel_code,
        -- attributes
        rule_name,
        description as rule_description,
        script_hint,
        owner as rule_owner,
        rule_status,
        refresh_cadence,
        rule_text,
        source_file,
        -- flags
        rule_status = 'approved' as is_approved,
        -- lineage
        compiled_at
    from source

)

select * from renamed
