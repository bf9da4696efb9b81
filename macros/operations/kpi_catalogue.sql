{#- kpi_catalogue(): one row per KPI metric (dim_kpi), generated from graph.metrics: names,
    descriptions, the formula spelled out down to the measures (aggregation, column, filter,
    model, date), grains and band settings, so the dashboard shows the one definition it uses. -#}

{% macro kpi_formula(metric) %}
    {%- set inputs = kpi_inputs(metric) -%}
    {%- if metric.type == 'simple' -%}
        {{ return(kpi_simple_term(metric.name).formula) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for name in inputs -%}
        {%- do parts.append(name ~ ' = ' ~ kpi_simple_term(name).formula) -%}
    {%- endfor -%}
    {{ return(kpi_value_sql(metric) ~ ' | where ' ~ parts | join('; ')) }}
{% endmacro %}

{% macro kpi_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string) | replace("'", "''") | replace('\n', ' ') | trim }}'
    {%- endif -%}
{%- endmacro %}

{% macro kpi_catalogue() %}
    {%- set kpis = kpi_metrics() if execute else [] -%}
    {%- if not kpis %}
select
    cast(null as {{ dbt.type_string() }}) as kpi_name,
    cast(null as {{ dbt.type_string() }}) as kpi_label,
    cast(null as {{ dbt.type_string() }}) as kpi_label_zh,
    cast(null as {{ dbt.type_string() }}) as kpi_description,
    cast(null as {{ dbt.type_string() }}) as kpi_area,
    cast(null as {{ dbt.type_string() }}) as unit,
    cast(null as {{ dbt.type_string() }}) as metric_type,
    cast(null as {{ dbt.type_string() }}) as formula,
    cast(null as {{ dbt.type_string() }}) as grains,
    cast(null as boolean) as is_daily,
    cast(null as boolean) as is_monthly,
    cast(null as {{ dbt.type_string() }}) as good_direction,
    cast(null as {{ dbt.type_string() }}) as seasonality,
    cast(null as {{ dbt.type_string() }}) as noise_model,
    cast(null as {{ dbt.type_string() }}) as volume_metric,
    cast(null as {{ type_double() }}) as min_volume,
    cast(null as {{ type_double() }}) as min_relative_change,
    cast(null as boolean) as compares_per_day
where 1 = 0
    {%- else %}
        {%- for metric in kpis %}
            {%- set kpi = metric.config.meta.kpi %}
            {%- set settings = kpi_settings(metric) %}
select
    {{ kpi_literal(metric.name) }} as kpi_name,
    {{ kpi_literal(metric.label) }} as kpi_label,
    {{ kpi_literal(kpi.get('label_zh')) }} as kpi_label_zh,
    {{ kpi_literal(metric.description) }} as kpi_description,
    {{ kpi_literal(kpi.get('area')) }} as kpi_area,
    {{ kpi_literal(kpi.get('unit')) }} as unit,
    {{ kpi_literal(metric.type) }} as metric_type,
    {{ kpi_literal(kpi_formula(metric)) }} as formula,
    {{ kpi_literal(kpi.grains | join(',')) }} as grains,
    {{ 'true' if 'day' in kpi.grains else 'false' }} as is_daily,
    {{ 'true' if 'month' in kpi.grains else 'false' }} as is_monthly,
    {{ kpi_literal(kpi.get('good_direction', 'neutral')) }} as good_direction,
    {{ kpi_literal(settings.seasonality) }} as seasonality,
    {{ kpi_literal(settings.noise_model) }} as noise_model,
    {{ kpi_literal(settings.volume_metric) }} as volume_metric,
    cast({{ settings.min_volume }} as {{ type_double() }}) as min_volume,
    cast({{ settings.min_relative_change }} as {{ type_double() }}) as min_relative_change,
    {{ 'true' if settings.is_day_additive else 'false' }} as compares_per_day
            {%- if not loop.last %}
union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
