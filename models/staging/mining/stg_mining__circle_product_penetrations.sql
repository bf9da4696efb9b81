with source as (

    select * from {{ source('mining', 'circle_product_penetration') }}

),

renamed as (

    select
        circle_id,
        product_id,
        holder_count,
        member_count,
        penetration,
        base_penetration,
        lift,
        scored_at
    from source

)

select * from renamed
