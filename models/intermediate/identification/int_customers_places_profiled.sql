{#- Where each customer's handset is seen over the feature window (cell sightings): rest days on
    golf courses (golfers), days at transport hubs (business travellers), nights on campus
    (students), rest days at scenic spots, working days in business districts or industrial
    parks, and the usual home and work area types. Rest days are weekends and public holidays,
    except the weekend days worked to bridge a holiday (调休). One row per customer seen. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

cells as (

    select * from {{ ref('stg_network__cells') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

sightings as (

    select
        sightings.customer_id,
        sightings.sighting_date,
        sightings.time_band,
        cells.area_type,
        coalesce(holidays.day_kind = 'holiday', false)
        or (
            {{ iso_weekday('sightings.sighting_date') }} >= 6
            and coalesce(holidays.day_kind != 'makeup_workday', true)
        ) as is_rest_day,
        sightings.cell_id,
        sightings.event_count
    from {{ ref('stg_usage__cell_sightings') }} as sightings
    inner join feature_window
        on sightings.sighting_date between feature_window.window_start_date and feature_window.as_of_date
    left join cells
        on sightings.cell_id = cells.cell_id
    left join holidays
        on sightings.sighting_date = holidays.calendar_date

),

area_presence as (

    {#- usual home (night) and work (working hours of working days) area, by days seen there -#}
    select
        customer_id,
        case when time_band = 'night' then 'home' else 'work' end as place_role,
        area_type,
        row_number() over (
            partition by customer_id, case when time_band = 'night' then 'home' else 'work' end
            order by count(distinct sighting_date) desc, area_type asc
        ) as area_rank
    from sightings
    where time_band = 'night' or (time_band = 'work_hours' and not is_rest_day)
    group by customer_id, case when time_band = 'night' then 'home' else 'work' end, area_type

),

usual_areas as (

    select
        customer_id,
        max(case when place_role = 'home' then area_type end) as home_area_type,
        max(case when place_role = 'work' then area_type end) as work_area_type
    from area_presence
    where area_rank = 1
    group by customer_id

),

sighting_days as (

    {#- one row per customer and day seen, with what the day held: the day counts below are
        counts of these rows (a count(distinct) per measure was most of this model's time) -#}
    select
        customer_id,
        sighting_date,
        {{ dbt.bool_or("area_type = 'golf_course' and is_rest_day") }} as is_golf_course_rest_day,
        {{ dbt.bool_or("area_type = 'transport_hub'") }} as is_transport_hub_day,
        {{ dbt.bool_or("area_type = 'campus' and time_band = 'night'") }} as is_campus_night,
        {{ dbt.bool_or("area_type = 'scenic_area' and is_rest_day") }} as is_scenic_area_rest_day,
        {{ dbt.bool_or(
            "area_type = 'business_district' and time_band = 'work_hours' and not is_rest_day"
        ) }} as is_business_district_workday,
        {{ dbt.bool_or(
            "area_type = 'industrial_park' and time_band = 'work_hours' and not is_rest_day"
        ) }} as is_industrial_park_workday
    from sightings
    group by customer_id, sighting_date

),

day_counts as (

    select
        customer_id,
        count(sighting_date) as sighting_day_count,
        count(case when is_golf_course_rest_day then 1 end) as golf_course_rest_day_count,
        count(case when is_transport_hub_day then 1 end) as transport_hub_day_count,
        count(case when is_campus_night then 1 end) as campus_night_count,
        count(case when is_scenic_area_rest_day then 1 end) as scenic_area_rest_day_count,
        count(case when is_business_district_workday then 1 end) as business_district_workday_count,
        count(case when is_industrial_park_workday then 1 end) as industrial_park_workday_count
    from sighting_days
    group by customer_id

),

cell_counts as (

    select
        customer_id,
        count(distinct cell_id) as distinct_cell_count
    from sightings
    group by customer_id

),

presence_counts as (

    select
        day_counts.customer_id,
        day_counts.sighting_day_count,
        cell_counts.distinct_cell_count,
        day_counts.golf_course_rest_day_count,
        day_counts.transport_hub_day_count,
        day_counts.campus_night_count,
        day_counts.scenic_area_rest_day_count,
        day_counts.business_district_workday_count,
        day_counts.industrial_park_workday_count
    from day_counts
    inner join cell_counts
        on day_counts.customer_id = cell_counts.customer_id

),

profiled as (

    select
        presence_counts.*,
        usual_areas.home_area_type,
        usual_areas.work_area_type
    from presence_counts
    left join usual_areas
        on presence_counts.customer_id = usual_areas.customer_id

)

select * from profiled
