{#- Content preference per customer over the feature window (content/DPI visits): visits per
    content category, the favourite category and how many categories the customer really uses
    (at least var('content_category_min_visits') visits). Drives which edition of the mobile
    newspaper or which content product suits the customer. One row per customer with visits. -#}

{%- set content_categories = [
    'news', 'sports', 'entertainment', 'finance', 'travel', 'music', 'games', 'video', 'auto', 'reading',
    'lifestyle', 'education',
] %}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

per_category as (

    select
        visits.customer_id,
        visits.content_category,
        sum(visits.visit_count) as visit_count,
        sum(visits.data_mb) as data_mb
    from {{ ref('stg_usage__content_visits') }} as visits
    inner join feature_window
        on visits.visit_date between feature_window.window_start_date and feature_window.as_of_date
    group by visits.customer_id, visits.content_category

),

ranked as (

    select
        *,
        row_number() over (partition by customer_id order by visit_count desc, content_category asc) as category_rank
    from per_category

),

profiled as (

    select
        customer_id,
        sum(visit_count) as content_visit_count,
        {%- for category in content_categories %}
        sum(case when content_category = '{{ category }}' then visit_count else 0 end)
            as {{ category }}_content_visit_count,
        {%- endfor %}
        max(case when category_rank = 1 then content_category end) as top_content_category,
        count(case when visit_count >= {{ var('content_category_min_visits', 6) }} then 1 end)
            as content_category_count
    from ranked
    group by customer_id

)

select * from profiled
