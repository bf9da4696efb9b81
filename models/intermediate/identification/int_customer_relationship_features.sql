{#- Relationship features per customer: touchpoints and channel preference, bills and
    payments, product holdings, the current value tier and lifecycle stage, RFM and ABC class.
    Contact counts are rates per month like the behaviour features. One row per customer ever
    seen in a CRM extract. Feeds int_customer_features. -#}

{%- set held_products = [
    'ringback_tone', 'music_club', 'news_general', 'news_sports', 'news_finance', 'car_service', 'mobile_securities',
    'secretary_service', 'golf_info', 'mobile_games', 'mobile_video', 'mobile_reading', 'hk_macau_roaming_pack',
    'domestic_roaming_pack', 'data_addon', 'group_network',
] %}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

customers as (

    {#- contact counts become rates per month with the normaliser of the behaviour features -#}
    select
        current_states.customer_id,
        30.0 / greatest(coalesce(usage.active_day_count, 0), feature_window.min_active_days) as per_month
    from {{ ref('int_customers_current_states') }} as current_states
    cross join feature_window
    left join {{ ref('int_customers_usage_profiled') }} as usage
        on current_states.customer_id = usage.customer_id

),

contacts as (

    select * from {{ ref('int_customers_contacts_profiled') }}

),

billing as (

    select * from {{ ref('int_customers_billing_profiled') }}

),

holdings as (

    select * from {{ ref('int_customers_holdings_profiled') }}

),

segments as (

    select * from {{ ref('int_customer_months_segmented') }}
    where is_latest_month

),

rfm as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

features as (

    select
        customers.customer_id,
        -- contacts and channels
        round(coalesce(contacts.hotline_call_count, 0) * customers.per_month, 2) as hotline_calls_per_month,
        round(contacts.ivr_self_served_count * 1.0 / nullif(contacts.hotline_call_count, 0), 4)
            as ivr_self_service_share,
        round(coalesce(contacts.app_session_count, 0) * customers.per_month, 2) as app_sessions_per_month,
        round(coalesce(contacts.sms_query_count, 0) * customers.per_month, 2) as sms_queries_per_month,
        round(coalesce(contacts.balance_query_count, 0) * customers.per_month, 2) as balance_queries_per_month,
        round(coalesce(contacts.hall_visit_count, 0) * customers.per_month, 2) as hall_visits_per_month,
        coalesce(contacts.complaint_count, 0) as complaint_count,
        coalesce(contacts.offer_count, 0) as offer_count,
        coalesce(contacts.offer_accepted_count, 0) as offer_accepted_count,
        coalesce(contacts.offer_refused_count, 0) as offer_refused_count,
        round(contacts.offer_accepted_count * 1.0 / nullif(contacts.offer_reached_count, 0), 4) as offer_response_rate,
        contacts.preferred_channel_code,
        contacts.preferred_contact_hour_band,
        round(contacts.own_electronic_contact_count * 1.0 / nullif(contacts.own_contact_count, 0), 4)
            as electronic_channel_share,
        {{ dbt.datediff('contacts.last_contact_date', 'feature_window.as_of_date', 'day') }}
            as days_since_last_contact,
        -- bills and payments (decimal sums divided and rounded as doubles, as DuckDB does: Spark's
        -- decimal division and round() would round the half-fen cases the other way)
        {{ round_ratio('billing.bill_total_yuan', 'billing.billed_month_count', 2) }} as arpu_yuan,
        {{ round_ratio('billing.vas_bill_yuan', 'billing.billed_month_count', 2) }} as vas_spend_yuan_per_month,
        {{ round_ratio('billing.roaming_bill_yuan', 'billing.billed_month_count', 2) }} as roaming_spend_yuan_per_month,
        {{ round_ratio('billing.data_overage_bill_yuan', 'billing.billed_month_count', 2) }}
            as data_overage_yuan_per_month,
        {{ round_ratio('billing.voice_overage_bill_yuan', 'billing.billed_month_count', 2) }}
            as voice_overage_yuan_per_month,
        coalesce(billing.payment_count, 0) as payment_count,
        billing.main_payment_method,
        round(billing.bank_linked_payment_count * 1.0 / nullif(billing.payment_count, 0), 4)
            as bank_linked_payment_share,
        coalesce(billing.arrears_yuan, 0) as arrears_yuan,
        coalesce(billing.days_overdue, 0) as days_overdue,
        {{ dbt.datediff('billing.last_payment_date', 'feature_window.as_of_date', 'day') }}
            as days_since_last_payment,
        -- product holdings
        coalesce(holdings.vas_count, 0) as vas_count,
        coalesce(holdings.niche_vas_count, 0) as niche_vas_count,
        coalesce(holdings.vas_monthly_fee_yuan, 0) as vas_monthly_fee_yuan,
        holdings.plan_monthly_fee_yuan,
        {%- for product in held_products %}
        coalesce(holdings.holds_{{ product }}, false) as holds_{{ product }},
        {%- endfor %}
        coalesce(holdings.has_handset_on_contract, false) as has_handset_on_contract,
        -- segments
        segments.value_tier,
        segments.value_tier_rank,
        segments.lifecycle_stage,
        round(segments.bill_change_ratio, 4) as bill_change_ratio,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_score,
        rfm.rfm_segment,
        rfm.abc_class
    from customers
    cross join feature_window
    left join contacts
        on customers.customer_id = contacts.customer_id
    left join billing
        on customers.customer_id = billing.customer_id
    left join holdings
        on customers.customer_id = holdings.customer_id
    left join segments
        on customers.customer_id = segments.customer_id
    left join rfm
        on customers.customer_id = rfm.customer_id

)

select * from features
