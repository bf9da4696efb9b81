with source as (

    select * from {{ source('digital', 'app_sessions') }}

),

renamed as (

    select
        -- ids
        session_id as app_session_id,
        customer_id,
        -- attributes
        channel_code,
        action as session_action,
        -- timestamps
        started_at,
        cast(started_at as date) as session_date,
        -- measures
        duration_seconds,
        pages_viewed as pages_viewed_count,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
