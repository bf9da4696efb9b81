{#- Every KPI of the catalogue (one per metric with meta.kpi) is measured at each of its grains,
    and the KPI marts hold no KPI the catalogue does not define. -#}

with kpis as (

    select * from {{ ref('dim_kpi') }}

),

daily as (

    select distinct kpi_name from {{ ref('fct_kpi_daily') }}

),

monthly as (

    select distinct kpi_name from {{ ref('fct_kpi_monthly') }}

),

missing_daily as (

    select
        kpis.kpi_name,
        'not in fct_kpi_daily' as problem
    from kpis
    left join daily
        on kpis.kpi_name = daily.kpi_name
    where kpis.is_daily and daily.kpi_name is null

),

missing_monthly as (

    select
        kpis.kpi_name,
        'not in fct_kpi_monthly' as problem
    from kpis
    left join monthly
        on kpis.kpi_name = monthly.kpi_name
    where kpis.is_monthly and monthly.kpi_name is null

),

undefined_daily as (

    select
        daily.kpi_name,
        'in fct_kpi_daily but not a daily KPI' as problem
    from daily
    left join kpis
        on daily.kpi_name = kpis.kpi_name and kpis.is_daily
    where kpis.kpi_name is null

),

final as (

    select * from missing_daily
    union all
    select * from missing_monthly
    union all
    select * from undefined_daily

)

select * from final
