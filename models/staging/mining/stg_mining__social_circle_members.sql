with source as (

    select * from {{ source('mining', 'social_circles') }}

),

renamed as (

    select
        customer_id,
        circle_id,
        circle_size,
        circle_strength,
        circle_reach_share,
        pagerank,
        is_key_person,
        scored_at
    from source

)

select * from renamed
