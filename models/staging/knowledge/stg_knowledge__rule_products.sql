with source as (

    select * from {{ source('knowledge', 'rule_products') }}

),

renamed as (

    select
        -- ids
        rule_id,
        product_id,
        -- attributes
        product_rank,
        -- lineage
        compiled_at
    from source

)

select * from renamed
