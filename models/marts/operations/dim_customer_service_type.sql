{#- Customer service types (客户服务分类) for hotline routing: one row per current customer (not
    closed), typed from the last `service_routing.lookback_days` of hotline calls and bills:
      value      the customer's average monthly bill as a percentile of all current customers
                 (diamond and gold members count as high value whatever the bill)
      frequency  hotline calls per month; frequent from `frequent_calls_per_month`
      enquiries  share of calls that were enquiries (bill, balance, plan, roaming questions,
                 or served by the IVR alone)
    Types, first match wins: high_value_frequent, high_value_low_frequency (high value, not
    frequent), frequent_enquirer (frequent, mostly enquiries), high_frequency_low_value
    (frequent, low value), standard. The treatment comes from the service_routing_rules seed. -#}

{%- set settings = var('service_routing') %}

with customers as (

    select * from {{ ref('dim_customer') }}
    where not is_closed

),

calls as (

    select * from {{ ref('fct_ivr_sessions') }}

),

bills as (

    select * from {{ ref('fct_billing_monthly') }}

),

rules as (

    select * from {{ ref('service_routing_rules') }}

),

profile_window as (

    select
        cast({{ dbt.dateadd('day', '1 - ' ~ settings['lookback_days'], 'max(call_date)') }} as date)
            as window_start_date,
        max(call_date) as window_end_date
    from calls

),

recent_calls as (

    select
        calls.customer_id,
        count(*) as hotline_call_count,
        sum(
            case
                when
                    calls.call_purpose in ('bill_enquiry', 'balance_enquiry', 'plan_enquiry', 'roaming_enquiry')
                    or calls.exit_point = 'ivr_self_service'
                    then 1
                else 0
            end
        ) as enquiry_call_count,
        sum(case when calls.exit_point = 'agent' then 1 else 0 end) as agent_call_count
    from calls
    cross join profile_window
    where
        calls.customer_id is not null
        and calls.call_date between profile_window.window_start_date and profile_window.window_end_date
    group by calls.customer_id

),

monthly_bills as (

    select
        bills.customer_id,
        bills.bill_month,
        sum(bills.amount_yuan) as bill_yuan
    from bills
    cross join profile_window
    where
        bills.bill_month >= {{ dbt.date_trunc('month', 'profile_window.window_start_date') }}
        and bills.bill_month <= profile_window.window_end_date
    group by bills.customer_id, bills.bill_month

),

recent_bills as (

    select
        customer_id,
        avg(bill_yuan) as avg_monthly_bill_yuan
    from monthly_bills
    group by customer_id

),

profiled as (

    select
        customers.customer_id,
        customers.member_tier,
        coalesce(recent_bills.avg_monthly_bill_yuan, 0) as avg_monthly_bill_yuan,
        percent_rank() over (order by coalesce(recent_bills.avg_monthly_bill_yuan, 0)) as bill_percentile,
        coalesce(recent_calls.hotline_call_count, 0) as hotline_call_count,
        coalesce(recent_calls.enquiry_call_count, 0) as enquiry_call_count,
        coalesce(recent_calls.agent_call_count, 0) as agent_call_count,
        coalesce(recent_calls.hotline_call_count, 0) * 30.4 / {{ settings['lookback_days'] }} as calls_per_month,
        profile_window.window_start_date,
        profile_window.window_end_date
    from customers
    cross join profile_window
    left join recent_calls
        on customers.customer_id = recent_calls.customer_id
    left join recent_bills
        on customers.customer_id = recent_bills.customer_id

),

classified as (

    select
        *,
        case
            when bill_percentile >= {{ settings['high_value_percentile'] }} or member_tier in ('diamond', 'gold')
                then 'high'
            when bill_percentile < {{ settings['low_value_percentile'] }} then 'low'
            else 'medium'
        end as value_band,
        calls_per_month >= {{ settings['frequent_calls_per_month'] }} as is_frequent_caller,
        enquiry_call_count * 1.0 / nullif(hotline_call_count, 0) as enquiry_share
    from profiled

),

typed as (

    select
        *,
        case
            when value_band = 'high' and is_frequent_caller then 'high_value_frequent'
            when value_band = 'high' then 'high_value_low_frequency'
            when is_frequent_caller and enquiry_share >= {{ settings['enquiry_share'] }} then 'frequent_enquirer'
            when is_frequent_caller and value_band = 'low' then 'high_frequency_low_value'
            else 'standard'
        end as customer_service_type
    from classified

),

final as (

    select
        -- ids
        typed.customer_id,
        -- type and treatment
        typed.customer_service_type,
        rules.service_type_name_zh,
        rules.routing_treatment,
        rules.queue_priority,
        rules.push_channel_code,
        -- what the type was read from
        typed.member_tier,
        typed.value_band,
        typed.avg_monthly_bill_yuan,
        typed.bill_percentile,
        typed.hotline_call_count,
        typed.calls_per_month,
        typed.enquiry_call_count,
        typed.enquiry_share,
        typed.agent_call_count,
        -- flags
        typed.is_frequent_caller,
        -- window
        typed.window_start_date,
        typed.window_end_date
    from typed
    left join rules
        on typed.customer_service_type = rules.customer_service_type

)

select * from final
