with source as (

    select * from {{ source('marketing', 'campaigns') }}

),

renamed as (

    select
        -- ids
        campaign_id,
        product_id,
        -- attributes
        campaign_name,
        channel_code,
        target_description,
        -- dates
        start_date,
        end_date,
        -- measures
        control_share,
        cost_yuan as budget_yuan,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
