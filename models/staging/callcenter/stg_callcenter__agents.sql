with source as (

    select * from {{ source('callcenter', 'agents') }}

),

renamed as (

    select
        -- ids
        agent_id,
        -- attributes
        agent_name,
        team,
        skill_group,
        -- dates
        hired_date,
        -- measures
        seniority_years,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
