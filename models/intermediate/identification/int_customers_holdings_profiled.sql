{#- Product holdings per customer on the as-of date: how many value-added services, whether
    the customer holds each of the services knowledge rules recommend, a group (short-number)
    network, a handset on contract, and the current plan's monthly fee. One row per customer
    holding anything. -#}

{%- set flagged_products = {
    'VAS_RBT': 'ringback_tone', 'VAS_MUSIC': 'music_club', 'VAS_NEWS_GENERAL': 'news_general',
    'VAS_NEWS_SPORTS': 'news_sports', 'VAS_NEWS_FINANCE': 'news_finance', 'VAS_CAR': 'car_service',
    'VAS_SECURITIES': 'mobile_securities', 'VAS_SECRETARY': 'secretary_service', 'VAS_GOLF': 'golf_info',
    'VAS_GAMES': 'mobile_games', 'VAS_VIDEO': 'mobile_video', 'VAS_READING': 'mobile_reading',
    'VAS_ROAM_HKMO': 'hk_macau_roaming_pack', 'VAS_ROAM_DOMESTIC': 'domestic_roaming_pack',
    'VAS_DATA_ADDON': 'data_addon', 'GRP_VPMN': 'group_network',
} %}

with held as (

    select * from {{ ref('int_customer_products_held') }}

),

profiled as (

    select
        customer_id,
        count(case when product_type = 'vas' then 1 end) as vas_count,
        sum(case when product_type = 'vas' then monthly_fee_yuan else 0 end) as vas_monthly_fee_yuan,
        count(case when product_type = 'vas' and is_niche then 1 end) as niche_vas_count,
        max(case when product_type = 'tariff_plan' then monthly_fee_yuan end) as plan_monthly_fee_yuan,
        {%- for product_id, name in flagged_products.items() %}
        coalesce(max(case when product_id = '{{ product_id }}' then 1 end), 0) = 1 as holds_{{ name }},
        {%- endfor %}
        coalesce(max(case when product_type = 'handset' then 1 end), 0) = 1 as has_handset_on_contract
    from held
    group by customer_id

)

select * from profiled
