{#- The daily KPI dashboard: one row per KPI and day of the observation window, the value with
    its normal fluctuation band learned from the KPI's own past (same day type, robust median
    and MAD, no look-ahead) and the anomaly flag with its direction and size. The band logic is
    the kpi_bands macro (shared with fct_kpi_monthly); settings in var kpi_bands. -#}

with observations as (

    select * from {{ ref('int_kpis_measured_daily') }}

),

banded as (

    {{ kpi_bands('observations', 'date_day', 'day') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(['kpi_name', "'|'", dbt.cast('date_day', dbt.type_string())])) }} as kpi_day_key,
        *
    from banded

)

select * from final
