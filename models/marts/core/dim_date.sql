{#- Calendar, one row per day, over the data's window widened to whole years (a margin for
    subscriptions that started before the window and for forward-looking campaign dates).
    Working days follow the State Council calendar in the holidays seed, including the weekend
    days worked to bridge a holiday (调休). Outside the seed's years a plain Monday-Friday week
    applies (has_official_calendar = false). -#}

{%- set max_days = var('date_spine_max_days', 36600) %}

with activity_bounds as (

    select
        min(usage_date) as min_date,
        max(usage_date) as max_date
    from {{ ref('stg_usage__daily_usage') }}
    union all
    select
        min(call_date) as min_date,
        max(call_date) as max_date
    from {{ ref('stg_usage__call_records') }}
    union all
    select
        min(bill_month) as min_date,
        max(bill_month) as max_date
    from {{ ref('stg_billing__bill_items') }}
    union all
    select
        min(paid_date) as min_date,
        max(paid_date) as max_date
    from {{ ref('stg_billing__payments') }}
    union all
    select
        min(start_date) as min_date,
        max(coalesce(end_date, start_date)) as max_date
    from {{ ref('stg_crm__subscriptions') }}
    union all
    select
        min(extract_month) as min_date,
        max(extract_month) as max_date
    from {{ ref('stg_crm__customers') }}
    union all
    select
        min(start_date) as min_date,
        max(end_date) as max_date
    from {{ ref('stg_marketing__campaigns') }}
    union all
    select
        min(call_date) as min_date,
        max(call_date) as max_date
    from {{ ref('stg_callcenter__hotline_calls') }}
    union all
    select
        min(opened_date) as min_date,
        max(cast(resolved_at as date)) as max_date
    from {{ ref('stg_service__complaints') }}

),

window_bounds as (

    select
        cast({{ dbt.date_trunc('year', 'min(min_date)') }} as date) as first_date,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'max(max_date)'))) }} as date
        ) as last_date
    from activity_bounds

),

day_numbers as (

    {{ dbt.generate_series(max_days) }}

),

spine as (

    select
        cast(
            {{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'window_bounds.first_date') }} as date
        ) as date_day
    from day_numbers
    cross join window_bounds
    where
        day_numbers.generated_number - 1
        <= {{ dbt.datediff('window_bounds.first_date', 'window_bounds.last_date', 'day') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

official_years as (

    select distinct extract(year from calendar_date) as calendar_year
    from holidays

),

calendar as (

    select
        spine.date_day,
        extract(year from spine.date_day) as calendar_year,
        extract(quarter from spine.date_day) as calendar_quarter,
        extract(month from spine.date_day) as calendar_month,
        extract(day from spine.date_day) as day_of_month,
        {{ iso_weekday('spine.date_day') }} as iso_weekday,
        holidays.holiday_name,
        holidays.holiday_name_zh,
        coalesce(holidays.day_kind = 'holiday', false) as is_holiday,
        coalesce(holidays.day_kind = 'makeup_workday', false) as is_makeup_workday,
        official_years.calendar_year is not null as has_official_calendar
    from spine
    left join holidays
        on spine.date_day = holidays.calendar_date
    left join official_years
        on extract(year from spine.date_day) = official_years.calendar_year

),

final as (

    select
        date_day,
        calendar_year,
        calendar_quarter,
        calendar_month,
        {{ dbt.concat([
            dbt.cast('calendar_year', dbt.type_string()),
            "'-'",
            "lpad(" ~ dbt.cast('calendar_month', dbt.type_string()) ~ ", 2, '0')",
        ]) }} as year_month,
        day_of_month,
        iso_weekday,
        case iso_weekday
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as weekday_name,
        case iso_weekday
            when 1 then '星期一'
            when 2 then '星期二'
            when 3 then '星期三'
            when 4 then '星期四'
            when 5 then '星期五'
            when 6 then '星期六'
            when 7 then '星期日'
        end as weekday_name_zh,
        cast({{ dbt.dateadd('day', '1 - iso_weekday', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        {{ dbt.last_day('date_day', 'month') }} as month_end_date,
        holiday_name,
        holiday_name_zh,
        iso_weekday >= 6 as is_weekend,
        is_holiday,
        is_makeup_workday,
        (iso_weekday <= 5 and not is_holiday) or is_makeup_workday as is_workday,
        date_day = {{ dbt.last_day('date_day', 'month') }} as is_month_end,
        has_official_calendar
    from calendar

)

select * from final
