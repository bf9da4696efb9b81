{#- Every monthly KPI measured per month of the KPI observation window, one row per KPI and
    month, generated from the metric definitions (macro kpi_observations over graph.metrics).
    Months are compared with the months before them (season_key and day_type 'month'), per day
    for KPIs that add up day by day (exposure_days = the month's days, so February's 28 days do
    not read as a drop); a month the window covers only in part is kept but not judged
    (is_complete_period false). -#}

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

    {{ kpi_observations('month') }}

),

final as (

    select
        kpi_name,
        period_start as month_start_date,
        kpi_value,
        kpi_volume,
        is_complete_period,
        case
            when is_day_additive then {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1
            else 1
        end as exposure_days,
        'month' as day_type,
        'month' as season_key,
        noise_model,
        min_volume,
        min_relative_change
    from measured

)

select * from final
