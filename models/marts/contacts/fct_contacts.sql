{#- Every touchpoint, any channel, inbound or outbound: hotline calls (IVR-only or with an agent),
    hall visits, app/web sessions, SMS self-service queries, campaign offers to the action group,
    complaints. One row per contact. The basis of contact-frequency caps (proactive contacts per
    customer and month), channel preference and timing control. -#}

with contacts as (

    select * from {{ ref('int_contacts_unioned') }}

),

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        -- ids
        contacts.contact_id,
        contacts.source_record_id,
        contacts.customer_id,
        contacts.agent_id,
        contacts.hall_id,
        contacts.campaign_id,
        -- attributes
        contacts.contact_type,
        contacts.channel_code,
        channels.channel_group,
        contacts.direction,
        contacts.outcome,
        -- flags
        contacts.is_proactive,
        coalesce(channels.is_electronic, false) as is_electronic_channel,
        contacts.customer_id is not null as is_customer_identified,
        (
            extract(hour from contacts.contact_at) < 8
            or extract(hour from contacts.contact_at) >= 21
        ) as is_outside_contact_hours,
        -- timestamps
        contacts.contact_at,
        cast(contacts.contact_at as date) as contact_date,
        cast({{ dbt.date_trunc('month', 'contacts.contact_at') }} as date) as contact_month,
        extract(hour from contacts.contact_at) as contact_hour,
        -- measures
        contacts.duration_seconds
    from contacts
    left join channels
        on contacts.channel_code = channels.channel_code

)

select * from final
