{#- The reference window every customer feature, tag and segment is computed over (one row).
    as_of_date is var('as_of_date') when set, else the last day with usage data; the window is the
    var('feature_window_months') calendar months ending with the as-of month. Rates "per month"
    are normalised to 30 active days with at least var('feature_min_active_days') in the
    denominator, so a customer seen only a few days is not extrapolated wildly. -#}

{%- set window_months = var('feature_window_months', 3) %}
{%- set as_of_override = var('as_of_date', none) %}

with usage_days as (

    select max(usage_date) as last_usage_date
    from {{ ref('stg_usage__daily_usage') }}

),

as_of as (

    select
        {{ "cast('" ~ as_of_override ~ "' as date)" if as_of_override else 'last_usage_date' }} as as_of_date
    from usage_days

),

final as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month,
        cast(
            {{ dbt.dateadd('month', '1 - ' ~ window_months, dbt.date_trunc('month', 'as_of_date')) }} as date
        ) as window_start_date,
        {{ window_months }} as window_month_count,
        {{ var('feature_min_active_days', 10) }} as min_active_days
    from as_of

)

select * from final
