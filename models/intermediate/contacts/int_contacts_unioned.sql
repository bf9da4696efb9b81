{#- Every touchpoint between the operator and a customer, whatever the channel, in one shape:
    one row per contact event. Inbound contacts are customer-initiated; proactive contacts are
    operator-initiated marketing (only campaign offers to the action group: control-group targets
    were never contacted). A complaint ticket is its own touchpoint even when it was raised during
    a hotline call that also appears here. -#}

with hotline_calls as (

    select * from {{ ref('stg_callcenter__hotline_calls') }}

),

hall_visits as (

    select * from {{ ref('stg_halls__hall_visits') }}

),

app_sessions as (

    select * from {{ ref('stg_digital__app_sessions') }}

),

sms_queries as (

    select * from {{ ref('stg_digital__sms_queries') }}

),

offers as (

    select * from {{ ref('stg_marketing__offers') }}

),

complaints as (

    select * from {{ ref('stg_service__complaints') }}

),

channels as (

    select * from {{ ref('channels') }}

),

hotline_contacts as (

    select
        {{ dbt.concat(["'hotline:'", 'hotline_call_id']) }} as contact_id,
        case
            when is_transferred_to_agent then 'hotline_agent_call'
            else 'hotline_ivr_call'
        end as contact_type,
        hotline_call_id as source_record_id,
        customer_id,
        case when is_transferred_to_agent then 'HOTLINE' else 'IVR' end as channel_code,
        'inbound' as direction,
        false as is_proactive,
        started_at as contact_at,
        case
            when is_abandoned then 'abandoned'
            when not is_transferred_to_agent then 'self_served_in_ivr'
            when is_resolved_first_contact then 'resolved'
            else 'unresolved'
        end as outcome,
        agent_id,
        cast(null as {{ dbt.type_string() }}) as hall_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        ivr_seconds + coalesce(wait_seconds, 0) + coalesce(handle_seconds, 0) as duration_seconds
    from hotline_calls

),

hall_contacts as (

    select
        {{ dbt.concat(["'hall:'", 'hall_visit_id']) }} as contact_id,
        'hall_visit' as contact_type,
        hall_visit_id as source_record_id,
        customer_id,
        'HALL' as channel_code,
        'inbound' as direction,
        false as is_proactive,
        visited_at as contact_at,
        business_type as outcome,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        hall_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_int() }}) as duration_seconds
    from hall_visits

),

app_contacts as (

    select
        {{ dbt.concat(["'app:'", 'app_session_id']) }} as contact_id,
        'app_session' as contact_type,
        app_session_id as source_record_id,
        customer_id,
        channel_code,
        'inbound' as direction,
        false as is_proactive,
        started_at as contact_at,
        session_action as outcome,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        cast(null as {{ dbt.type_string() }}) as hall_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        duration_seconds
    from app_sessions

),

sms_contacts as (

    select
        {{ dbt.concat(["'sms:'", 'sms_query_id']) }} as contact_id,
        'sms_query' as contact_type,
        sms_query_id as source_record_id,
        customer_id,
        'SMS' as channel_code,
        'inbound' as direction,
        false as is_proactive,
        sent_at as contact_at,
        query_type as outcome,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        cast(null as {{ dbt.type_string() }}) as hall_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_int() }}) as duration_seconds
    from sms_queries

),

offer_contacts as (

    {#- an offer made in an inbound channel (hall clerk, hotline agent) is proactive but inbound -#}
    select
        {{ dbt.concat(["'offer:'", 'offers.offer_id']) }} as contact_id,
        'campaign_offer' as contact_type,
        offers.offer_id as source_record_id,
        offers.customer_id,
        offers.channel_code,
        case when channels.direction = 'inbound' then 'inbound' else 'outbound' end as direction,
        true as is_proactive,
        offers.offered_at as contact_at,
        offers.response as outcome,
        offers.agent_id,
        cast(null as {{ dbt.type_string() }}) as hall_id,
        offers.campaign_id,
        cast(null as {{ dbt.type_int() }}) as duration_seconds
    from offers
    left join channels
        on offers.channel_code = channels.channel_code
    where not offers.is_control_group

),

complaint_contacts as (

    select
        {{ dbt.concat(["'complaint:'", 'complaint_id']) }} as contact_id,
        'complaint' as contact_type,
        complaint_id as source_record_id,
        customer_id,
        channel_code,
        'inbound' as direction,
        false as is_proactive,
        opened_at as contact_at,
        case when is_resolved then 'resolved' else 'open' end as outcome,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        cast(null as {{ dbt.type_string() }}) as hall_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_int() }}) as duration_seconds
    from complaints

),

unioned as (

    select * from hotline_contacts
    union all
    select * from hall_contacts
    union all
    select * from app_contacts
    union all
    select * from sms_contacts
    union all
    select * from offer_contacts
    union all
    select * from complaint_contacts

)

select * from unioned
