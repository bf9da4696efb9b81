with source as (

    select * from {{ source('marketing', 'offers') }}

),

renamed as (

    select
        -- ids
        offer_id,
        campaign_id,
        customer_id,
        agent_id,
        -- attributes
        offer_group,
        channel_code,
        response,
        -- flags
        offer_group = 'control' as is_control_group,
        response = 'accepted' as is_accepted,
        -- timestamps
        offered_at,
        cast(offered_at as date) as offered_date,
        responded_at,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
