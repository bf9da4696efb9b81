{#- The product catalogue: tariff plans, value-added services, handsets and group products, one
    row per product, with the plan allowances used for best-fit tariff re-rating. -#}

with products as (

    select * from {{ ref('stg_catalog__products') }}

),

final as (

    select
        product_id,
        product_name,
        product_name_en,
        product_type,
        product_category,
        is_tariff_plan,
        is_niche,
        monthly_fee_yuan,
        included_voice_minutes,
        included_sms_count,
        included_data_mb,
        overage_voice_yuan_per_minute,
        overage_sms_yuan_per_message,
        overage_data_yuan_per_mb,
        launch_date
    from products

)

select * from final
