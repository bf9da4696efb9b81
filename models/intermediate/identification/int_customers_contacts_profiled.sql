{#- Touchpoints per customer over the feature window: how often they use each inbound channel,
    complaints, how they answered proactive offers, the inbound channel they use most (channel
    preference), the share of their own contacts made in electronic channels, the part of the day
    they usually get in touch, and when they were last in contact. One row per customer with
    at least one contact. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

channels as (

    select * from {{ ref('channels') }}

),

contacts as (

    select
        contacts.*,
        channels.is_electronic,
        cast(contacts.contact_at as date) as contact_date,
        extract(hour from contacts.contact_at) as contact_hour
    from {{ ref('int_contacts_unioned') }} as contacts
    inner join feature_window
        on cast(contacts.contact_at as date) between feature_window.window_start_date and feature_window.as_of_date
    left join channels
        on contacts.channel_code = channels.channel_code
    where contacts.customer_id is not null

),

inbound_by_channel as (

    {#- the customer's own contacts (no offers, no complaint tickets): where they choose to come -#}
    select
        customer_id,
        channel_code,
        row_number() over (partition by customer_id order by count(*) desc, channel_code asc) as channel_rank
    from contacts
    where not is_proactive and contact_type != 'complaint'
    group by customer_id, channel_code

),

by_hour_band as (

    select
        customer_id,
        hour_band,
        row_number() over (partition by customer_id order by count(*) desc, hour_band asc) as band_rank
    from (
        select
            customer_id,
            case
                when contact_hour < 6 then 'night'
                when contact_hour < 12 then 'morning'
                when contact_hour < 18 then 'afternoon'
                else 'evening'
            end as hour_band
        from contacts
        where not is_proactive
    ) as own_contacts
    group by customer_id, hour_band

),

counted as (

    select
        customer_id,
        count(case when contact_type in ('hotline_agent_call', 'hotline_ivr_call') then 1 end) as hotline_call_count,
        count(case when outcome = 'self_served_in_ivr' then 1 end) as ivr_self_served_count,
        count(case when contact_type = 'app_session' then 1 end) as app_session_count,
        count(case when contact_type = 'app_session' and outcome = 'order' then 1 end) as app_order_count,
        count(case when contact_type = 'sms_query' then 1 end) as sms_query_count,
        count(case when contact_type = 'sms_query' and outcome = 'balance' then 1 end) as balance_query_count,
        count(case when contact_type = 'hall_visit' then 1 end) as hall_visit_count,
        count(case when contact_type = 'complaint' then 1 end) as complaint_count,
        count(case when contact_type = 'campaign_offer' then 1 end) as offer_count,
        count(case when contact_type = 'campaign_offer' and outcome = 'accepted' then 1 end) as offer_accepted_count,
        count(case when contact_type = 'campaign_offer' and outcome = 'refused' then 1 end) as offer_refused_count,
        count(case when contact_type = 'campaign_offer' and outcome != 'no_answer' then 1 end) as offer_reached_count,
        count(case when not is_proactive and contact_type != 'complaint' then 1 end) as own_contact_count,
        count(case when not is_proactive and contact_type != 'complaint' and is_electronic then 1 end)
            as own_electronic_contact_count,
        max(contact_date) as last_contact_date
    from contacts
    group by customer_id

),

profiled as (

    select
        counted.*,
        inbound_by_channel.channel_code as preferred_channel_code,
        by_hour_band.hour_band as preferred_contact_hour_band
    from counted
    left join inbound_by_channel
        on
            counted.customer_id = inbound_by_channel.customer_id
            and inbound_by_channel.channel_rank = 1
    left join by_hour_band
        on
            counted.customer_id = by_hour_band.customer_id
            and by_hour_band.band_rank = 1

)

select * from profiled
