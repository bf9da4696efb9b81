with source as (

    select * from {{ source('mining', 'churn_drivers') }}

),

renamed as (

    select
        customer_id,
        driver_rank,
        feature,
        feature_value,
        contribution_log_odds,
        scored_at
    from source

)

select * from renamed
