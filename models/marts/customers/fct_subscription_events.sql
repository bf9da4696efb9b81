{#- Product subscription events: one row per subscription and event, `subscribe` on the start date
    and `unsubscribe` on the end date (when the subscription has ended). Each subscription is
    taken from the newest monthly extract it appears in (extracts carry the full history). -#}

with subscriptions as (

    select * from {{ ref('stg_crm__subscriptions') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

latest_extract as (

    select
        *,
        row_number() over (partition by subscription_id order by extract_month desc) as extract_rank
    from subscriptions

),

latest as (

    select * from latest_extract
    where extract_rank = 1

),

subscribe_events as (

    select
        subscription_id,
        'subscribe' as event_type,
        customer_id,
        product_id,
        order_channel_code,
        start_date as event_date,
        start_date,
        end_date,
        extract_month
    from latest

),

unsubscribe_events as (

    select
        subscription_id,
        'unsubscribe' as event_type,
        customer_id,
        product_id,
        order_channel_code,
        end_date as event_date,
        start_date,
        end_date,
        extract_month
    from latest
    where end_date is not null

),

events as (

    select * from subscribe_events
    union all
    select * from unsubscribe_events

),

final as (

    select
        {{ dbt.hash(dbt.concat(['events.subscription_id', "'|'", 'events.event_type'])) }}
            as subscription_event_key,
        events.subscription_id,
        events.event_type,
        events.customer_id,
        events.product_id,
        products.product_type,
        events.order_channel_code,
        events.event_date,
        cast({{ dbt.date_trunc('month', 'events.event_date') }} as date) as event_month,
        case when events.event_type = 'subscribe' then 1 else -1 end as subscription_delta,
        {{ dbt.datediff(
            'events.start_date',
            'coalesce(events.end_date, ' ~ dbt.last_day('events.extract_month', 'month') ~ ')',
            'day',
        ) }} as subscription_duration_days,
        events.extract_month as source_extract_month
    from events
    left join products
        on events.product_id = products.product_id

)

select * from final
