with source as (

    select * from {{ source('service', 'complaints') }}

),

renamed as (

    select
        -- ids
        complaint_id,
        customer_id,
        -- attributes
        channel_code,
        category as complaint_category,
        severity,
        description as complaint_text,
        -- flags
        resolved_at is not null as is_resolved,
        -- timestamps
        opened_at,
        cast(opened_at as date) as opened_date,
        resolved_at,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
