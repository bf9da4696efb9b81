with source as (

    select * from {{ source('mining', 'churn_scores') }}

),

renamed as (

    select
        customer_id,
        as_of_month,
        churn_probability,
        churn_rank,
        top_drivers,
        scored_at
    from source

)

select * from renamed
