{#- One row per customer and monthly CRM extract: the month-end state (status, tenure, tiers,
    age band, type) with the month's bill and usage beside it — the inputs of the monthly value
    tier and lifecycle stage (int_customer_months_segmented). -#}

with monthly_states as (

    select * from {{ ref('int_customers_monthly_states') }}

),

monthly_bills as (

    select
        customer_id,
        bill_month,
        sum(amount_yuan) as bill_amount_yuan
    from {{ ref('stg_billing__bill_items') }}
    group by customer_id, bill_month

),

monthly_usage as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        count(*) as active_day_count,
        sum(voice_out_minutes) as voice_out_minutes,
        sum(data_mb) as data_mb
    from {{ ref('stg_usage__daily_usage') }}
    group by customer_id, cast({{ dbt.date_trunc('month', 'usage_date') }} as date)

),

final as (

    select
        monthly_states.customer_id,
        monthly_states.extract_month,
        monthly_states.customer_type,
        monthly_states.age_band,
        monthly_states.member_tier,
        monthly_states.customer_status,
        monthly_states.tenure_months,
        coalesce(monthly_bills.bill_amount_yuan, 0) as bill_amount_yuan,
        coalesce(monthly_usage.active_day_count, 0) as active_day_count,
        coalesce(monthly_usage.voice_out_minutes, 0) as voice_out_minutes,
        coalesce(monthly_usage.data_mb, 0) as data_mb
    from monthly_states
    left join monthly_bills
        on
            monthly_states.customer_id = monthly_bills.customer_id
            and monthly_states.extract_month = monthly_bills.bill_month
    left join monthly_usage
        on
            monthly_states.customer_id = monthly_usage.customer_id
            and monthly_states.extract_month = monthly_usage.usage_month

)

select * from final
