with source as (

    select * from {{ source('halls', 'hall_visits') }}

),

renamed as (

    select
        -- ids
        visit_id as hall_visit_id,
        customer_id,
        hall_id,
        -- attributes
        business_type,
        -- timestamps
        visited_at,
        cast(visited_at as date) as visit_date,
        -- measures
        wait_minutes,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
