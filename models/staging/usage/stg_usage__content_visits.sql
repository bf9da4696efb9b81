with source as (

    select * from {{ source('usage', 'content_visits') }}

),

renamed as (

    select
        -- ids
        customer_id,
        -- attributes
        content_category,
        -- dates
        visit_date,
        -- measures
        visits as visit_count,
        data_mb,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
