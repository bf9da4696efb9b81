{#- Marketing campaigns: one row per campaign, with the product offered and the channel used. -#}

with campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.product_id,
        products.product_name,
        products.product_type,
        products.is_niche as is_niche_product,
        campaigns.channel_code,
        campaigns.target_description,
        campaigns.start_date,
        campaigns.end_date,
        {{ dbt.datediff('campaigns.start_date', 'campaigns.end_date', 'day') }} + 1 as duration_days,
        campaigns.control_share,
        campaigns.control_share > 0 as has_control_group,
        campaigns.budget_yuan
    from campaigns
    left join products
        on campaigns.product_id = products.product_id

)

select * from final
