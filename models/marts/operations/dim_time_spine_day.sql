{#- The MetricFlow time spine (day grain) the semantic layer and the KPI marts join to: one row
    per calendar day of dim_date. Day types (workday, rest day, holiday, month end) stay in
    dim_date; the spine only carries the day. -#}

with calendar as (

    select * from {{ ref('dim_date') }}

),

final as (

    select date_day
    from calendar

)

select * from final
