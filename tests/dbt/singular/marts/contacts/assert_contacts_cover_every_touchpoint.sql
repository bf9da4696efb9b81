{#- fct_contacts holds each hotline call once (as IVR-only or agent call) and each action-group
    offer once; control-group targets, never contacted, are not contacts. -#}

with contact_counts as (

    select
        count(case when contact_type in ('hotline_ivr_call', 'hotline_agent_call') then 1 end) as hotline_contacts,
        count(case when contact_type = 'campaign_offer' then 1 end) as offer_contacts
    from {{ ref('fct_contacts') }}

),

ivr_counts as (

    select count(*) as hotline_calls
    from {{ ref('fct_ivr_sessions') }}

),

offer_counts as (

    select count(case when not is_control_group then 1 end) as action_offers
    from {{ ref('fct_campaign_offers') }}

)

select
    contact_counts.hotline_contacts,
    ivr_counts.hotline_calls,
    contact_counts.offer_contacts,
    offer_counts.action_offers
from contact_counts
cross join ivr_counts
cross join offer_counts
where
    contact_counts.hotline_contacts != ivr_counts.hotline_calls
    or contact_counts.offer_contacts != offer_counts.action_offers
