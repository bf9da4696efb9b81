{#- Network usage per customer over the feature window: totals (normalised to rates in
    int_customer_behaviour_features), roaming days by region, and the as-of month against the
    months before it (the trend that marks a declining customer). One row per customer with
    usage in the window. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

daily_usage as (

    select daily_usage.*
    from {{ ref('stg_usage__daily_usage') }} as daily_usage
    inner join feature_window
        on daily_usage.usage_date between feature_window.window_start_date and feature_window.as_of_date

),

profiled as (

    select
        daily_usage.customer_id,
        count(*) as active_day_count,
        max(daily_usage.usage_date) as last_usage_date,
        sum(daily_usage.voice_out_minutes) as voice_out_minutes,
        sum(daily_usage.voice_in_minutes) as voice_in_minutes,
        sum(daily_usage.local_voice_minutes) as local_voice_minutes,
        sum(daily_usage.long_distance_minutes) as long_distance_minutes,
        sum(daily_usage.sms_out_count) as sms_out_count,
        sum(daily_usage.data_mb) as data_mb,
        sum(daily_usage.roaming_minutes) as roaming_minutes,
        count(case when daily_usage.roaming_region = 'domestic' then 1 end) as domestic_roaming_day_count,
        count(case when daily_usage.roaming_region = 'hk_macau' then 1 end) as hk_macau_roaming_day_count,
        count(case when daily_usage.roaming_region = 'abroad' then 1 end) as abroad_roaming_day_count,
        count(distinct {{ dbt.date_trunc('month', 'daily_usage.usage_date') }}) as active_month_count,
        count(distinct case
            when daily_usage.roaming_region = 'hk_macau' then {{ dbt.date_trunc('month', 'daily_usage.usage_date') }}
        end) as hk_macau_roaming_month_count,
        -- the as-of month against the earlier months of the window, per active day
        count(case when daily_usage.usage_date >= feature_window.as_of_month then 1 end) as recent_active_day_count,
        count(case when daily_usage.usage_date < feature_window.as_of_month then 1 end) as earlier_active_day_count,
        sum(case when daily_usage.usage_date >= feature_window.as_of_month then daily_usage.voice_out_minutes end)
            as recent_voice_out_minutes,
        sum(case when daily_usage.usage_date < feature_window.as_of_month then daily_usage.voice_out_minutes end)
            as earlier_voice_out_minutes,
        sum(case when daily_usage.usage_date >= feature_window.as_of_month then daily_usage.data_mb end)
            as recent_data_mb,
        sum(case when daily_usage.usage_date < feature_window.as_of_month then daily_usage.data_mb end)
            as earlier_data_mb
    from daily_usage
    cross join feature_window
    group by daily_usage.customer_id

)

select * from profiled
