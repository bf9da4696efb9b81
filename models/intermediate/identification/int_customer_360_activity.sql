{#- Contact history for the unified customer view, one row per customer with any contact: the
    last contact (when, channel, type, outcome), the last few contacts as one line, and the last
    proactive offer with its campaign, product and outcome — so a hall clerk sees what 10086
    already offered and how the customer answered. -#}

with contacts as (

    select
        contacts.*,
        row_number() over (
            partition by contacts.customer_id order by contacts.contact_at desc, contacts.contact_id desc
        ) as recency_rank
    from {{ ref('int_contacts_unioned') }} as contacts
    where contacts.customer_id is not null

),

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}

),

offers as (

    select
        contacts.customer_id,
        contacts.contact_at,
        contacts.campaign_id,
        campaigns.product_id,
        contacts.channel_code,
        contacts.outcome,
        row_number() over (
            partition by contacts.customer_id order by contacts.contact_at desc, contacts.contact_id desc
        ) as offer_rank
    from contacts
    left join campaigns
        on contacts.campaign_id = campaigns.campaign_id
    where contacts.contact_type = 'campaign_offer'

),

contact_summary as (

    select
        customer_id,
        count(*) as contact_count,
        max(case when recency_rank = 1 then contact_at end) as last_contact_at,
        max(case when recency_rank = 1 then channel_code end) as last_contact_channel_code,
        max(case when recency_rank = 1 then contact_type end) as last_contact_type,
        max(case when recency_rank = 1 then outcome end) as last_contact_outcome,
        {{ dbt.listagg(
            "case when recency_rank <= " ~ var('customer_360_recent_contacts', 3) ~ " then "
            ~ dbt.concat([
                dbt.cast('cast(contact_at as date)', dbt.type_string()), "' '", 'channel_code', "' '",
                'contact_type', "': '", "coalesce(outcome, '-')",
            ]) ~ " end",
            "' | '", 'order by recency_rank',
        ) }} as recent_contacts
    from contacts
    group by customer_id

),

offer_summary as (

    select
        customer_id,
        count(*) as offer_count,
        max(case when offer_rank = 1 then contact_at end) as last_offer_at,
        max(case when offer_rank = 1 then campaign_id end) as last_offer_campaign_id,
        max(case when offer_rank = 1 then product_id end) as last_offer_product_id,
        max(case when offer_rank = 1 then channel_code end) as last_offer_channel_code,
        max(case when offer_rank = 1 then outcome end) as last_offer_outcome
    from offers
    group by customer_id

),

final as (

    select
        contact_summary.*,
        coalesce(offer_summary.offer_count, 0) as offer_count,
        offer_summary.last_offer_at,
        offer_summary.last_offer_campaign_id,
        offer_summary.last_offer_product_id,
        offer_summary.last_offer_channel_code,
        offer_summary.last_offer_outcome
    from contact_summary
    left join offer_summary
        on contact_summary.customer_id = offer_summary.customer_id

)

select * from final
