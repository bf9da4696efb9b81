with source as (

    select * from {{ source('billing', 'payments') }}

),

renamed as (

    select
        -- ids
        payment_id,
        customer_id,
        -- attributes
        payment_method,
        -- timestamps
        paid_at,
        cast(paid_at as date) as paid_date,
        -- measures
        amount_yuan,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
