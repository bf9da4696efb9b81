{#- Segment sizes month over month, explained: for every month, segmentation (value_tier,
    lifecycle_stage, member_tier, age_band) and segment, the size, last month's size, how many
    stayed, came in from other segments and left for other segments, so that
    size = previous_size + entered - left (customers appear in every monthly extract, closed ones
    included). The first month has no previous month: everyone counts as entered. -#}

with migration as (

    select * from {{ ref('rpt_segment_migration') }}

),

monthly as (

    select * from {{ ref('fct_customer_segments_monthly') }}

),

first_extract as (

    select min(extract_month) as extract_month from monthly

),

first_month as (

    {#- the first extract month: sizes only, everyone "entered" -#}
    {%- for dimension in ['value_tier', 'lifecycle_stage', 'member_tier', 'age_band'] %}
    select
        monthly.extract_month,
        '{{ dimension }}' as segment_dimension,
        monthly.{{ dimension }} as segment,
        count(*) as segment_size
    from monthly
    inner join first_extract
        on monthly.extract_month = first_extract.extract_month
    group by monthly.extract_month, monthly.{{ dimension }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

inflow as (

    select
        extract_month,
        segment_dimension,
        to_segment as segment,
        sum(customer_count) as segment_size,
        sum(case when is_unchanged then customer_count else 0 end) as stayed_count,
        sum(case when not is_unchanged then customer_count else 0 end) as entered_count
    from migration
    group by extract_month, segment_dimension, to_segment

),

outflow as (

    select
        extract_month,
        segment_dimension,
        from_segment as segment,
        sum(customer_count) as previous_size,
        sum(case when not is_unchanged then customer_count else 0 end) as left_count
    from migration
    group by extract_month, segment_dimension, from_segment

),

later_months as (

    select
        coalesce(inflow.extract_month, outflow.extract_month) as extract_month,
        coalesce(inflow.segment_dimension, outflow.segment_dimension) as segment_dimension,
        coalesce(inflow.segment, outflow.segment) as segment,
        coalesce(inflow.segment_size, 0) as segment_size,
        coalesce(outflow.previous_size, 0) as previous_size,
        coalesce(inflow.stayed_count, 0) as stayed_count,
        coalesce(inflow.entered_count, 0) as entered_count,
        coalesce(outflow.left_count, 0) as left_count
    from inflow
    full outer join outflow
        on
            inflow.extract_month = outflow.extract_month
            and inflow.segment_dimension = outflow.segment_dimension
            and inflow.segment = outflow.segment

),

final as (

    select
        extract_month,
        segment_dimension,
        segment,
        segment_size,
        cast(null as {{ dbt.type_bigint() }}) as previous_size,
        0 as stayed_count,
        segment_size as entered_count,
        0 as left_count,
        cast(null as {{ dbt.type_bigint() }}) as net_change
    from first_month

    union all

    select
        extract_month,
        segment_dimension,
        segment,
        segment_size,
        previous_size,
        stayed_count,
        entered_count,
        left_count,
        segment_size - previous_size as net_change
    from later_months

)

select * from final
