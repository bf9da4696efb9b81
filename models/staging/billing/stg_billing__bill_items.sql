with source as (

    select * from {{ source('billing', 'bill_items') }}

),

renamed as (

    select
        -- ids
        customer_id,
        bill_item_code,
        -- dates
        bill_month,
        -- measures
        amount_yuan,
        quantity as billed_quantity,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
