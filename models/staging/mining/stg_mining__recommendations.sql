with source as (

    select * from {{ source('mining', 'recommendations') }}

),

renamed as (

    select
        customer_id,
        recommendation_rank,
        product_id,
        score,
        collaborative_score,
        profile_score,
        knowledge_score,
        primary_source,
        reason,
        knowledge_rule_id,
        suggested_channel,
        scored_at
    from source

)

select * from renamed
