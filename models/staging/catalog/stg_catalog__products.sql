with source as (

    select * from {{ source('catalog', 'products') }}

),

renamed as (

    select
        -- ids
        product_id,
        -- attributes
        product_name,
        product_name_en,
        product_type,
        category as product_category,
        -- flags
        product_type = 'tariff_plan' as is_tariff_plan,
        is_niche,
        -- dates
        launch_date,
        -- measures
        monthly_fee_yuan,
        included_voice_minutes,
        included_sms as included_sms_count,
        included_data_mb,
        overage_voice_yuan_per_minute,
        overage_sms_yuan as overage_sms_yuan_per_message,
        overage_data_yuan_per_mb,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
