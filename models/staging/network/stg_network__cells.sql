with source as (

    select * from {{ source('network', 'cells') }}

),

renamed as (

    select
        -- ids
        cell_id,
        -- attributes
        cell_name,
        city,
        district,
        area_type,
        -- measures
        latitude,
        longitude,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
