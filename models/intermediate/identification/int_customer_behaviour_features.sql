{#- Behaviour features per customer (usage, calls, places, content) over the feature window,
    as rates per month: totals × 30 / active days, with at least min_active_days in the
    denominator (int_feature_window). One row per customer ever seen in a CRM extract; a customer
    without usage in the window has zero rates. Feeds int_customer_features. -#}

{%- set service_categories = [
    'traffic_radio', 'stock_broker', 'golf_club', 'entertainment_voting', 'airline', 'bank', 'hotel', 'taxi',
    'information',
] %}
{%- set content_categories = [
    'news', 'sports', 'entertainment', 'finance', 'travel', 'music', 'games', 'video', 'auto', 'reading',
    'lifestyle', 'education',
] %}

with customers as (

    select customer_id from {{ ref('int_customers_current_states') }}

),

feature_window as (

    select * from {{ ref('int_feature_window') }}

),

usage as (

    select * from {{ ref('int_customers_usage_profiled') }}

),

calls as (

    select * from {{ ref('int_customers_calls_profiled') }}

),

places as (

    select * from {{ ref('int_customers_places_profiled') }}

),

content as (

    select * from {{ ref('int_customers_content_profiled') }}

),

joined as (

    select
        customers.customer_id,
        coalesce(usage.active_day_count, 0) as active_day_count,
        30.0 / (
            case
                when coalesce(usage.active_day_count, 0) > feature_window.min_active_days then usage.active_day_count
                else feature_window.min_active_days
            end
        ) as per_month,
        {{ dbt.datediff('usage.last_usage_date', 'feature_window.as_of_date', 'day') }} as days_since_last_usage,
        usage.voice_out_minutes,
        usage.voice_in_minutes,
        usage.local_voice_minutes,
        usage.long_distance_minutes,
        usage.sms_out_count,
        usage.data_mb,
        usage.roaming_minutes,
        usage.domestic_roaming_day_count,
        usage.hk_macau_roaming_day_count,
        usage.abroad_roaming_day_count,
        usage.hk_macau_roaming_month_count * 1.0 / nullif(usage.active_month_count, 0) as hk_macau_roaming_month_share,
        usage.recent_voice_out_minutes / nullif(usage.recent_active_day_count, 0) as recent_voice_per_day,
        usage.earlier_voice_out_minutes / nullif(usage.earlier_active_day_count, 0) as earlier_voice_per_day,
        usage.recent_data_mb / nullif(usage.recent_active_day_count, 0) as recent_data_per_day,
        usage.earlier_data_mb / nullif(usage.earlier_active_day_count, 0) as earlier_data_per_day,
        calls.call_count,
        calls.three_way_call_count,
        {%- for category in service_categories %}
        calls.{{ category }}_call_count,
        {%- endfor %}
        calls.person_call_count,
        calls.competitor_call_count,
        calls.recent_person_call_count,
        calls.recent_competitor_call_count,
        calls.distinct_contact_count,
        calls.distinct_customer_contact_count,
        calls.inbound_customer_caller_count,
        places.golf_course_rest_day_count,
        places.transport_hub_day_count,
        places.campus_night_count,
        places.scenic_area_rest_day_count,
        places.business_district_workday_count,
        places.industrial_park_workday_count,
        places.distinct_cell_count,
        places.home_area_type,
        places.work_area_type,
        content.content_visit_count,
        {%- for category in content_categories %}
        content.{{ category }}_content_visit_count,
        {%- endfor %}
        content.top_content_category,
        content.content_category_count
    from customers
    cross join feature_window
    left join usage
        on customers.customer_id = usage.customer_id
    left join calls
        on customers.customer_id = calls.customer_id
    left join places
        on customers.customer_id = places.customer_id
    left join content
        on customers.customer_id = content.customer_id

),

features as (

    select
        customer_id,
        -- usage
        active_day_count,
        days_since_last_usage,
        round(coalesce(voice_out_minutes, 0) * per_month, 2) as voice_out_minutes_per_month,
        round(coalesce(voice_in_minutes, 0) * per_month, 2) as voice_in_minutes_per_month,
        round(coalesce(long_distance_minutes, 0) * per_month, 2) as long_distance_minutes_per_month,
        round(local_voice_minutes / nullif(voice_out_minutes, 0), 4) as local_voice_share,
        round(coalesce(sms_out_count, 0) * per_month, 2) as sms_out_per_month,
        round(coalesce(data_mb, 0) * per_month, 2) as data_mb_per_month,
        round(coalesce(roaming_minutes, 0) * per_month, 2) as roaming_minutes_per_month,
        round(coalesce(domestic_roaming_day_count, 0) * per_month, 2) as domestic_roaming_days_per_month,
        round(coalesce(hk_macau_roaming_day_count, 0) * per_month, 2) as hk_macau_roaming_days_per_month,
        round(coalesce(abroad_roaming_day_count, 0) * per_month, 2) as abroad_roaming_days_per_month,
        round(coalesce(hk_macau_roaming_month_share, 0), 4) as hk_macau_roaming_month_share,
        round(recent_voice_per_day / nullif(earlier_voice_per_day, 0), 4) as voice_out_trend_ratio,
        round(recent_data_per_day / nullif(earlier_data_per_day, 0), 4) as data_trend_ratio,
        -- calls
        round(coalesce(call_count, 0) * per_month, 2) as calls_per_month,
        round(coalesce(three_way_call_count, 0) * per_month, 2) as three_way_calls_per_month,
        {%- for category in service_categories %}
        round(coalesce({{ category }}_call_count, 0) * per_month, 2) as calls_to_{{ category }}_per_month,
        {%- endfor %}
        round(competitor_call_count * 1.0 / nullif(person_call_count, 0), 4) as competitor_call_share,
        round(
            recent_competitor_call_count * 1.0 / nullif(recent_person_call_count, 0)
            - (competitor_call_count - recent_competitor_call_count) * 1.0
            / nullif(person_call_count - recent_person_call_count, 0),
            4
        ) as competitor_call_share_change,
        coalesce(distinct_contact_count, 0) as distinct_contact_count,
        coalesce(distinct_customer_contact_count, 0) as distinct_customer_contact_count,
        coalesce(inbound_customer_caller_count, 0) as inbound_customer_caller_count,
        -- places
        round(coalesce(golf_course_rest_day_count, 0) * per_month, 2) as golf_course_rest_days_per_month,
        round(coalesce(transport_hub_day_count, 0) * per_month, 2) as transport_hub_days_per_month,
        round(coalesce(campus_night_count, 0) * per_month, 2) as campus_nights_per_month,
        round(coalesce(scenic_area_rest_day_count, 0) * per_month, 2) as scenic_area_rest_days_per_month,
        round(coalesce(business_district_workday_count, 0) * per_month, 2) as business_district_workdays_per_month,
        round(coalesce(industrial_park_workday_count, 0) * per_month, 2) as industrial_park_workdays_per_month,
        coalesce(distinct_cell_count, 0) as distinct_cell_count,
        home_area_type,
        work_area_type,
        -- content
        round(coalesce(content_visit_count, 0) * per_month, 2) as content_visits_per_month,
        {%- for category in content_categories %}
        round(coalesce({{ category }}_content_visit_count, 0) * per_month, 2) as {{ category }}_visits_per_month,
        {%- endfor %}
        top_content_category,
        coalesce(content_category_count, 0) as content_category_count
    from joined

)

select * from features
