with source as (

    select * from {{ source('crm', 'subscriptions') }}

),

renamed as (

    select
        -- ids
        subscription_id,
        customer_id,
        product_id,
        -- attributes
        order_channel as order_channel_code,
        -- dates
        start_date,
        end_date,
        -- lineage
        {{ dbt.safe_cast(dbt.concat(['_partition', "'-01'"]), 'date') }} as extract_month,
        _loaded_at as loaded_at
    from source

)

select * from renamed
