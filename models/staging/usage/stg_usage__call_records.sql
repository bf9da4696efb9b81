with source as (

    select * from {{ source('usage', 'call_records') }}

),

renamed as (

    select
        -- ids
        call_id,
        caller_customer_id,
        -- attributes
        callee_number,
        -- flags
        is_three_way,
        -- timestamps
        started_at,
        cast(started_at as date) as call_date,
        -- measures
        duration_seconds,
        cast(duration_seconds as {{ type_double() }}) / 60 as duration_minutes,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
