with source as (

    select * from {{ source('billing', 'arrears') }}

),

renamed as (

    select
        -- ids
        customer_id,
        -- dates
        as_of_month,
        -- measures
        arrears_yuan,
        days_overdue,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
