{#- Segment migration matrix: for every month after the first and every segmentation
    (value_tier, lifecycle_stage, member_tier, age_band), how many customers moved from each
    segment of the previous month to each segment of this month (from = to: stayed). Read a row
    as "in 2026-10, 12 customers went from diamond to gold". -#}

{%- set dimensions = ['value_tier', 'lifecycle_stage', 'member_tier', 'age_band'] %}

with monthly as (

    select
        *,
        lag(extract_month) over (partition by customer_id order by extract_month) as previous_extract_month
    from {{ ref('fct_customer_segments_monthly') }}

),

{%- for dimension in dimensions %}

{{ dimension }}_moves as (

    select
        extract_month,
        '{{ dimension }}' as segment_dimension,
        lag({{ dimension }}) over (partition by customer_id order by extract_month) as from_segment,
        {{ dimension }} as to_segment,
        previous_extract_month
    from monthly

),
{%- endfor %}

moves as (

    {%- for dimension in dimensions %}
    select * from {{ dimension }}_moves
    where previous_extract_month is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        extract_month,
        segment_dimension,
        from_segment,
        to_segment,
        from_segment = to_segment as is_unchanged,
        count(*) as customer_count
    from moves
    group by extract_month, segment_dimension, from_segment, to_segment

)

select * from final
