with source as (

    select * from {{ source('usage', 'cell_sightings') }}

),

renamed as (

    select
        -- ids
        customer_id,
        cell_id,
        -- attributes
        time_band,
        -- dates
        sighting_date,
        -- measures
        events as event_count,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
