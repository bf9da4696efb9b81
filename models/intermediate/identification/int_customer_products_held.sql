{#- The products each customer holds on the as-of date: subscriptions from the newest monthly
    extract delivered by then, started on or before the as-of date and not ended before it.
    One row per customer and product (two subscriptions to one product count once). The base
    of product penetration, product portraits and look-alike lists. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

subscriptions as (

    select * from {{ ref('stg_crm__subscriptions') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

newest_extract as (

    select max(subscriptions.extract_month) as extract_month
    from subscriptions
    cross join feature_window
    where subscriptions.extract_month <= feature_window.as_of_month

),

running as (

    select
        subscriptions.customer_id,
        subscriptions.product_id,
        min(subscriptions.start_date) as first_start_date,
        count(*) as subscription_count
    from subscriptions
    inner join newest_extract
        on subscriptions.extract_month = newest_extract.extract_month
    cross join feature_window
    where
        subscriptions.start_date <= feature_window.as_of_date
        and (subscriptions.end_date is null or subscriptions.end_date >= feature_window.as_of_date)
    group by subscriptions.customer_id, subscriptions.product_id

),

final as (

    select
        running.customer_id,
        running.product_id,
        products.product_type,
        products.product_category,
        products.is_niche,
        products.monthly_fee_yuan,
        running.first_start_date,
        running.subscription_count
    from running
    left join products
        on running.product_id = products.product_id

)

select * from final
