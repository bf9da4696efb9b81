with source as (

    select * from {{ source('usage', 'daily_usage') }}

),

renamed as (

    select
        -- ids
        customer_id,
        -- attributes
        roaming_region,
        -- flags
        roaming_minutes > 0 or roaming_region is not null as is_roaming,
        -- dates
        usage_date,
        -- measures
        voice_out_minutes,
        voice_in_minutes,
        local_voice_minutes,
        long_distance_minutes,
        roaming_minutes,
        sms_out_count,
        data_mb,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
