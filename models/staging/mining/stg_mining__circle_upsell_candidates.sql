with source as (

    select * from {{ source('mining', 'circle_upsell') }}

),

renamed as (

    select
        customer_id,
        circle_id,
        product_id,
        circle_member_count,
        circle_adopter_count,
        circle_penetration,
        base_penetration,
        lift,
        adopter_contact_count,
        adopter_call_share,
        score,
        reason,
        scored_at
    from source

)

select * from renamed
