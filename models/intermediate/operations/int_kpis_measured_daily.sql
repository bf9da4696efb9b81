{#- Every daily KPI measured per day of the KPI observation window, one row per KPI and day,
    generated from the metric definitions (macro kpi_observations over graph.metrics), with the
    day's type from dim_date for the fluctuation bands:
      day_type    workday or rest_day (weekends and public holidays; weekend days worked to
                  bridge a holiday, 调休, are workdays)
      season_key  the history a day is compared with: holiday or month_end when the KPI declares
                  that seasonality and the day is one, otherwise its day_type -#}

-- The time spine and the models the metric definitions read (dbt fails the run if one is missing here):
-- depends_on: {{ ref('dim_time_spine_day') }}
-- depends_on: {{ ref('fct_contacts') }}
-- depends_on: {{ ref('fct_ivr_sessions') }}
-- depends_on: {{ ref('fct_complaints') }}
-- depends_on: {{ ref('fct_usage_daily') }}
-- depends_on: {{ ref('fct_billing_monthly') }}
-- depends_on: {{ ref('fct_campaign_offers') }}
-- depends_on: {{ ref('dim_customer') }}

with measured as (

    {{ kpi_observations('day') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

final as (

    select
        measured.kpi_name,
        measured.period_start as date_day,
        measured.kpi_value,
        measured.kpi_volume,
        measured.is_complete_period,
        1 as exposure_days,
        case when calendar.is_workday then 'workday' else 'rest_day' end as day_type,
        case
            when measured.seasonality like '%holiday%' and calendar.is_holiday then 'holiday'
            when measured.seasonality like '%month_end%' and calendar.is_month_end then 'month_end'
            when calendar.is_workday then 'workday'
            else 'rest_day'
        end as season_key,
        measured.noise_model,
        measured.min_volume,
        measured.min_relative_change
    from measured
    inner join calendar
        on measured.period_start = calendar.date_day

)

select * from final
