with source as (

    select * from {{ source('halls', 'service_halls') }}

),

renamed as (

    select
        -- ids
        hall_id,
        cell_id,
        -- attributes
        hall_name,
        city,
        district,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
