{#- kpi_observations(grain): one row per KPI and period ('day' or 'month') over the KPI
    observation window, generated from the metric definitions (kpi_semantic_layer.sql):

      spine          the time spine (dim_time_spine_day)
      window_bounds  first to last day any event feed (semantic models with meta kpi_window) has data
      periods        the window's days or months; a month is complete when the window covers it
      <model>__<time dimension>
                     one CTE per semantic model and time dimension: every simple metric needed,
                     aggregated per period (filters become `case when` inside the aggregate)
      wide           periods left-joined to those CTEs; fill_nulls_with applied
      observations   one select per KPI: its value (simple, ratio or derived formula over `wide`),
                     its volume (the count behind it), its band settings, and whether it adds up
                     day by day (a count or sum dated by day: a month of it scales with its days)

    At parse time (and for the linter) there is no graph: the macro returns the columns without
    rows. The calling model lists the semantic models' dbt models with `-- depends_on:` comments;
    dbt fails the run if a definition reads a model the comments leave out. -#}

{#- Double-precision float: `double` on DuckDB and Spark, `double precision` on the others
    (dbt.type_float() is a 4-byte float on DuckDB). -#}
{% macro type_double() -%}
    {{ 'double precision' if target.type in ['postgres', 'redshift', 'snowflake'] else 'double' }}
{%- endmacro %}

{% macro kpi_observations(grain) %}
    {%- if grain not in ['day', 'month'] -%}
        {{ exceptions.raise_compiler_error("kpi_observations: grain must be 'day' or 'month', not '" ~ grain ~ "'") }}
    {%- endif -%}
    {%- set kpis = kpi_metrics(grain) if execute else [] -%}
    {%- if not kpis -%}
        {{ kpi_observations_shape() }}
    {%- else -%}
        {%- set names = [] -%}
        {%- for metric in kpis -%}
            {%- for name in kpi_inputs(metric) + [kpi_settings(metric).volume_metric] if name and name not in names -%}
                {%- do names.append(name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set terms = [] -%}
        {%- set ctes = {} -%}
        {%- for name in names -%}
            {%- set term = kpi_simple_term(name) -%}
            {%- if grain == 'day' and term.time_granularity != 'day' -%}
                {{ exceptions.raise_compiler_error("KPI definitions: '" ~ name ~ "' is dated by "
                    ~ term.time_granularity ~ ", so no KPI using it can have the grain day") }}
            {%- endif -%}
            {%- do terms.append(term) -%}
            {%- do ctes.setdefault(term.cte, []).append(term) -%}
        {%- endfor -%}
        {%- set window_models = [] -%}
        {%- for model in graph.semantic_models.values() | sort(attribute='name')
            if (model.config.meta or {}).get('kpi_window') -%}
            {%- set time_dimension = kpi_time_dimension(model, model.defaults.agg_time_dimension) -%}
            {%- do window_models.append((kpi_model_name(model), time_dimension.expr or time_dimension.name)) -%}
        {%- endfor -%}
        {%- set period_end = dbt.last_day('period_start', 'month') if grain == 'month' else 'period_start' %}

with spine as (

    select date_day from {{ ref('dim_time_spine_day') }}

),

activity_bounds as (
    {% for model_name, time_expr in window_models %}
    select
        min({{ time_expr }}) as first_day,
        max({{ time_expr }}) as last_day
    from {{ ref(model_name) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

window_bounds as (

    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from activity_bounds

),

window_periods as (

    select
        cast({{ dbt.date_trunc(grain, 'spine.date_day') }} as date) as period_start,
        min(spine.date_day) as first_day_in_window,
        max(spine.date_day) as last_day_in_window
    from spine
    cross join window_bounds
    where spine.date_day between window_bounds.first_day and window_bounds.last_day
    group by cast({{ dbt.date_trunc(grain, 'spine.date_day') }} as date)

),

periods as (

    select
        period_start,
        {{ period_end }} as period_end,
        first_day_in_window = period_start and last_day_in_window = {{ period_end }} as is_complete_period
    from window_periods

),
{% for cte, cte_terms in ctes.items() %}
{{ cte }} as (

    select
        cast({{ dbt.date_trunc(grain, cte_terms[0].time_expr) }} as date) as period_start,
        {%- for term in cte_terms %}
        {{ term.aggregate_sql }} as {{ term.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(cte_terms[0].model_name) }}
    group by cast({{ dbt.date_trunc(grain, cte_terms[0].time_expr) }} as date)

),
{% endfor %}
wide as (

    select
        periods.period_start,
        periods.period_end,
        periods.is_complete_period,
        {%- for term in terms %}
        {%- if term.fill_nulls_with is not none %}
        coalesce({{ term.cte }}.{{ term.name }}, {{ term.fill_nulls_with }}) as {{ term.name }}
        {%- else %}
        {{ term.cte }}.{{ term.name }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from periods
    {%- for cte in ctes %}
    left join {{ cte }}
        on periods.period_start = {{ cte }}.period_start
    {%- endfor %}

),

observations as (
    {% for metric in kpis %}
    {%- set settings = kpi_settings(metric) %}
    select
        '{{ metric.name }}' as kpi_name,
        period_start,
        period_end,
        is_complete_period,
        cast({{ kpi_value_sql(metric) }} as {{ type_double() }}) as kpi_value,
        cast({{ settings.volume_metric or 'null' }} as {{ type_double() }}) as kpi_volume,
        '{{ settings.noise_model }}' as noise_model,
        cast({{ settings.min_volume }} as {{ type_double() }}) as min_volume,
        cast({{ settings.min_relative_change }} as {{ type_double() }}) as min_relative_change,
        '{{ settings.seasonality }}' as seasonality,
        {{ 'true' if settings.is_day_additive else 'false' }} as is_day_additive
    from wide
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from observations
    {%- endif -%}
{% endmacro %}

{#- The columns of kpi_observations, without rows (parse time, lint time, no KPI defined). -#}
{% macro kpi_observations_shape() %}
select
    cast(null as {{ dbt.type_string() }}) as kpi_name,
    cast(null as date) as period_start,
    cast(null as date) as period_end,
    cast(null as boolean) as is_complete_period,
    cast(null as {{ type_double() }}) as kpi_value,
    cast(null as {{ type_double() }}) as kpi_volume,
    cast(null as {{ dbt.type_string() }}) as noise_model,
    cast(null as {{ type_double() }}) as min_volume,
    cast(null as {{ type_double() }}) as min_relative_change,
    cast(null as {{ dbt.type_string() }}) as seasonality,
    cast(null as boolean) as is_day_additive
where 1 = 0
{% endmacro %}
