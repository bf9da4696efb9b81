with source as (

    select * from {{ source('callcenter', 'hotline_calls') }}

),

renamed as (

    select
        -- ids
        call_id as hotline_call_id,
        customer_id,
        agent_id,
        -- attributes
        ivr_path,
        purpose as call_purpose,
        purpose_note,
        satisfaction_score,
        -- flags
        customer_id is not null as is_customer_identified,
        transferred_to_agent as is_transferred_to_agent,
        abandoned as is_abandoned,
        resolved as is_resolved_first_contact,
        -- timestamps
        started_at,
        cast(started_at as date) as call_date,
        -- measures
        ivr_seconds,
        wait_seconds,
        handle_seconds,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
