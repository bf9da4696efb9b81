{#- Value tier and lifecycle stage per customer and month (definitions in the model's YAML and
    the README; thresholds are vars in dbt_project.yml):

    value tier     on the average monthly bill of the month and the two before it (ARPU):
                   diamond >= value_tier_min_arpu_yuan.diamond, gold >= .gold, silver >= .silver,
                   standard below.
    lifecycle      first match wins:
                   exit         the line is closed;
                   acquisition  tenure under lifecycle_acquisition_months;
                   decline      suspended for arrears, or the bill fell below lifecycle_decline_ratio
                                of the previous months' average, or voice and data both fell below
                                lifecycle_usage_decline_ratio of theirs;
                   growth       tenure under lifecycle_growth_months, or the bill rose to at least
                                lifecycle_growth_ratio of the previous months' average;
                   maturity     everyone else. -#}

{%- set tier = var('value_tier_min_arpu_yuan', {'diamond': 450, 'gold': 300, 'silver': 180}) %}

with months as (

    select * from {{ ref('int_customer_months_summarised') }}

),

with_history as (

    select
        *,
        avg(bill_amount_yuan) over (
            partition by customer_id order by extract_month rows between 2 preceding and current row
        ) as value_basis_yuan,
        avg(bill_amount_yuan) over (
            partition by customer_id order by extract_month rows between 2 preceding and 1 preceding
        ) as previous_bill_average_yuan,
        avg(voice_out_minutes) over (
            partition by customer_id order by extract_month rows between 2 preceding and 1 preceding
        ) as previous_voice_out_average_minutes,
        avg(data_mb) over (
            partition by customer_id order by extract_month rows between 2 preceding and 1 preceding
        ) as previous_data_average_mb
    from months

),

ratios as (

    select
        *,
        case
            when previous_bill_average_yuan > 0 then bill_amount_yuan / previous_bill_average_yuan
        end as bill_change_ratio,
        case
            when previous_voice_out_average_minutes > 0 then voice_out_minutes / previous_voice_out_average_minutes
        end as voice_change_ratio,
        case
            when previous_data_average_mb > 0 then data_mb / previous_data_average_mb
        end as data_change_ratio
    from with_history

),

segmented as (

    select
        customer_id,
        extract_month,
        customer_type,
        age_band,
        member_tier,
        customer_status,
        tenure_months,
        bill_amount_yuan,
        value_basis_yuan,
        bill_change_ratio,
        voice_change_ratio,
        data_change_ratio,
        case
            when value_basis_yuan >= {{ tier['diamond'] }} then 'diamond'
            when value_basis_yuan >= {{ tier['gold'] }} then 'gold'
            when value_basis_yuan >= {{ tier['silver'] }} then 'silver'
            else 'standard'
        end as value_tier,
        case
            when customer_status = 'closed' then 'exit'
            when tenure_months < {{ var('lifecycle_acquisition_months', 6) }} then 'acquisition'
            when
                customer_status = 'suspended'
                or bill_change_ratio < {{ var('lifecycle_decline_ratio', 0.7) }}
                or (
                    voice_change_ratio < {{ var('lifecycle_usage_decline_ratio', 0.6) }}
                    and data_change_ratio < {{ var('lifecycle_usage_decline_ratio', 0.6) }}
                )
                then 'decline'
            when
                tenure_months < {{ var('lifecycle_growth_months', 24) }}
                or bill_change_ratio >= {{ var('lifecycle_growth_ratio', 1.2) }}
                then 'growth'
            else 'maturity'
        end as lifecycle_stage
    from ratios

),

final as (

    select
        *,
        case value_tier when 'diamond' then 4 when 'gold' then 3 when 'silver' then 2 else 1 end as value_tier_rank,
        lag(value_tier) over (partition by customer_id order by extract_month) as previous_value_tier,
        lag(lifecycle_stage) over (partition by customer_id order by extract_month) as previous_lifecycle_stage,
        row_number() over (partition by customer_id order by extract_month desc) = 1 as is_latest_month
    from segmented

)

select * from final
