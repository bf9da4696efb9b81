{#- The monthly KPI dashboard: one row per KPI and month of the observation window (revenue,
    ARPU and campaign KPIs are monthly only), the value with its normal fluctuation band learned
    from the months before (robust median and MAD, no look-ahead) and the anomaly flag with its
    direction and size. Band logic: the kpi_bands macro; settings in var kpi_bands. -#}

with observations as (

    select * from {{ ref('int_kpis_measured_monthly') }}

),

banded as (

    {{ kpi_bands('observations', 'month_start_date', 'month') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(['kpi_name', "'|'", dbt.cast('month_start_date', dbt.type_string())])) }}
            as kpi_month_key,
        *
    from banded

)

select * from final
