{#- Campaign targets and responses: one row per offer, action and control group alike (the
    control group was not contacted; its `accepted` means it took the product anyway), so
    success is the action group's acceptance rate against the control group's. -#}

with offers as (

    select * from {{ ref('stg_marketing__offers') }}

),

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}

),

final as (

    select
        -- ids
        offers.offer_id,
        offers.campaign_id,
        offers.customer_id,
        campaigns.product_id,
        offers.agent_id,
        -- attributes
        offers.offer_group,
        offers.channel_code,
        offers.response,
        -- flags
        offers.is_control_group,
        offers.is_accepted,
        offers.response != 'no_answer' as is_reached,
        offers.offered_date between campaigns.start_date and campaigns.end_date as is_within_campaign_window,
        -- timestamps
        offers.offered_at,
        offers.offered_date,
        cast({{ dbt.date_trunc('month', 'offers.offered_date') }} as date) as offered_month,
        offers.responded_at,
        -- measures
        {{ dbt.datediff('offers.offered_at', 'offers.responded_at', 'minute') }} as response_minutes
    from offers
    left join campaigns
        on offers.campaign_id = campaigns.campaign_id

)

select * from final
