with source as (

    select * from {{ source('mining', 'best_fit_tariff') }}

),

renamed as (

    select
        customer_id,
        current_plan_id,
        months_rated,
        current_plan_cost_yuan,
        recommended_plan_id,
        recommended_plan_cost_yuan,
        saving_yuan,
        saving_yuan_per_month,
        advice,
        recommendation_text,
        scored_at
    from source

)

select * from renamed
