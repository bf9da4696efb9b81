{#- Geography at the finest grain the network knows: one row per base-station cell, with its city,
    district and the kind of area it covers, and the service halls inside the cell (campaign
    lists go to the halls matched by a customer's usual cell). -#}

with cells as (

    select * from {{ ref('stg_network__cells') }}

),

area_types as (

    select * from {{ ref('area_types') }}

),

halls as (

    select * from {{ ref('stg_halls__service_halls') }}

),

halls_per_cell as (

    select
        cell_id,
        count(*) as service_hall_count,
        {{ dbt.listagg('hall_id', "', '", 'order by hall_id') }} as service_hall_ids
    from halls
    group by cell_id

),

final as (

    select
        cells.cell_id,
        cells.cell_name,
        cells.city,
        cells.district,
        cells.area_type,
        area_types.area_type_name_zh,
        cells.latitude,
        cells.longitude,
        coalesce(halls_per_cell.service_hall_count, 0) as service_hall_count,
        halls_per_cell.service_hall_ids,
        halls_per_cell.cell_id is not null as has_service_hall
    from cells
    left join area_types
        on cells.area_type = area_types.area_type
    left join halls_per_cell
        on cells.cell_id = halls_per_cell.cell_id

)

select * from final
