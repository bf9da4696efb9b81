with source as (

    select * from {{ source('crm', 'enterprises') }}

),

renamed as (

    select
        -- ids
        enterprise_id,
        account_manager_id as account_manager_agent_id,
        -- attributes
        enterprise_name,
        industry,
        size_band as enterprise_size_band,
        city,
        -- dates
        signed_date as contract_signed_date,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
