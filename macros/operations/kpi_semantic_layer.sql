{#- The KPI marts read the metric definitions (指标口径) from the semantic layer at run time:
    graph.metrics and graph.semantic_models (models/marts/operations/_operations__*.yml). A
    metric with config.meta.kpi is a KPI; these macros resolve it down to measures (aggregation,
    expression, filter, time dimension, model) and generate the SQL, so every formula is written
    once, in the metric YAML.

    Supported: simple metrics (filters on categorical dimensions), ratio metrics of two simple
    metrics, derived metrics whose expression combines simple metrics by name. Anything else
    fails the run with a message naming the metric. -#}

{#- KPI metrics computed at `grain` ('day' or 'month'), sorted by name; all KPIs when grain is none. -#}
{% macro kpi_metrics(grain=none) %}
    {%- set kpis = [] -%}
    {%- for metric in graph.metrics.values() | sort(attribute='name') -%}
        {%- set kpi = (metric.config.meta or {}).get('kpi') -%}
        {%- if kpi and (grain is none or grain in kpi.get('grains', [])) -%}
            {%- do kpis.append(metric) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(kpis) }}
{% endmacro %}

{% macro kpi_metric(name) %}
    {%- for metric in graph.metrics.values() if metric.name == name -%}
        {{ return(metric) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("KPI definitions: no metric named '" ~ name ~ "'") }}
{% endmacro %}

{#- The semantic model holding measure `measure_name`. -#}
{% macro kpi_semantic_model_of(measure_name) %}
    {%- for model in graph.semantic_models.values() -%}
        {%- for measure in model.measures if measure.name == measure_name -%}
            {{ return(model) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("KPI definitions: no semantic model has measure '" ~ measure_name ~ "'") }}
{% endmacro %}

{#- Name of the dbt model a semantic model is built on. -#}
{% macro kpi_model_name(semantic_model) %}
    {{ return(graph.nodes[semantic_model.depends_on.nodes[0]].name) }}
{% endmacro %}

{#- A semantic model's time dimension (dict) by name. -#}
{% macro kpi_time_dimension(semantic_model, name) %}
    {%- for dimension in semantic_model.dimensions if dimension.name == name and dimension.type == 'time' -%}
        {{ return(dimension) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("KPI definitions: semantic model '" ~ semantic_model.name
        ~ "' has no time dimension '" ~ name ~ "'") }}
{% endmacro %}

{#- A metric's where filters as SQL over the semantic model's columns: each Dimension('<entity>__<name>')
    template becomes the dimension's expression (its column unless it declares an expr). -#}
{% macro kpi_filter_sql(metric, semantic_model) %}
    {%- set token = "\\{\\{\\s*Dimension\\(\\s*'([a-z0-9_]+)__([a-z0-9_]+)'\\s*\\)\\s*\\}\\}" -%}
    {%- set entities = semantic_model.entities | map(attribute='name') | list -%}
    {%- set parts = [] -%}
    {%- for where in ((metric.filter or {}).get('where_filters') or []) -%}
        {%- set ns = namespace(sql=where.where_sql_template) -%}
        {%- for entity, name in modules.re.findall(token, where.where_sql_template) -%}
            {%- set found = semantic_model.dimensions | selectattr('name', 'equalto', name) | list -%}
            {%- if entity not in entities or not found -%}
                {{ exceptions.raise_compiler_error("KPI definitions: metric '" ~ metric.name ~ "' filters on "
                    ~ entity ~ "__" ~ name ~ ", which semantic model '" ~ semantic_model.name ~ "' does not have") }}
            {%- endif -%}
            {%- set pattern = "\\{\\{\\s*Dimension\\(\\s*'" ~ entity ~ "__" ~ name ~ "'\\s*\\)\\s*\\}\\}" -%}
            {%- set ns.sql = modules.re.sub(pattern, found[0].expr or name, ns.sql) -%}
        {%- endfor -%}
        {%- do parts.append('(' ~ ns.sql ~ ')') -%}
    {%- endfor -%}
    {{ return(parts | join(' and ')) }}
{% endmacro %}

{#- A simple metric resolved to what is needed to aggregate it. -#}
{% macro kpi_simple_term(metric_name) %}
    {%- set metric = kpi_metric(metric_name) -%}
    {%- if metric.type != 'simple' -%}
        {{ exceptions.raise_compiler_error("KPI definitions: '" ~ metric_name ~ "' is used as an input, so it must be "
            ~ "a simple metric (it is " ~ metric.type ~ ")") }}
    {%- endif -%}
    {%- set measure_input = metric.type_params.measure -%}
    {%- set semantic_model = kpi_semantic_model_of(measure_input.name) -%}
    {%- set measure = (semantic_model.measures | selectattr('name', 'equalto', measure_input.name) | list)[0] -%}
    {%- set time_name = measure.agg_time_dimension or semantic_model.defaults.agg_time_dimension -%}
    {%- set time_dimension = kpi_time_dimension(semantic_model, time_name) -%}
    {%- set expr = measure.expr or measure.name -%}
    {%- set filter_sql = kpi_filter_sql(metric, semantic_model) -%}
    {%- set inner = ('case when ' ~ filter_sql ~ ' then ' ~ expr ~ ' end') if filter_sql else expr -%}
    {%- set aggregations = {
        'sum': 'sum(' ~ inner ~ ')', 'count': 'count(' ~ inner ~ ')',
        'count_distinct': 'count(distinct ' ~ inner ~ ')', 'average': 'avg(' ~ inner ~ ')',
        'min': 'min(' ~ inner ~ ')', 'max': 'max(' ~ inner ~ ')',
    } -%}
    {%- if measure.agg not in aggregations -%}
        {{ exceptions.raise_compiler_error("KPI definitions: measure '" ~ measure.name ~ "' aggregates with "
            ~ measure.agg ~ ", which the KPI marts do not support") }}
    {%- endif -%}
    {{ return({
        'name': metric_name,
        'semantic_model': semantic_model,
        'model_name': kpi_model_name(semantic_model),
        'time_expr': time_dimension.expr or time_dimension.name,
        'time_granularity': time_dimension.type_params.time_granularity,
        'cte': semantic_model.name ~ '__' ~ time_name,
        'agg': measure.agg,
        'aggregate_sql': aggregations[measure.agg],
        'fill_nulls_with': measure_input.fill_nulls_with,
        'formula': measure.agg ~ '(' ~ expr ~ ')' ~ ((' where ' ~ filter_sql) if filter_sql else '')
            ~ ' over ' ~ kpi_model_name(semantic_model) ~ ' by ' ~ (time_dimension.expr or time_dimension.name),
    }) }}
{% endmacro %}

{#- The simple metrics a KPI's value is computed from. -#}
{% macro kpi_inputs(metric) %}
    {%- if metric.type == 'simple' -%}
        {{ return([metric.name]) }}
    {%- elif metric.type == 'ratio' -%}
        {%- for side in [metric.type_params.numerator, metric.type_params.denominator] if side.filter or side.alias -%}
            {{ exceptions.raise_compiler_error("KPI definitions: ratio metric '" ~ metric.name ~ "': put filters "
                ~ "and aliases on the input metrics themselves") }}
        {%- endfor -%}
        {{ return([metric.type_params.numerator.name, metric.type_params.denominator.name]) }}
    {%- elif metric.type == 'derived' -%}
        {%- for input in metric.type_params.metrics if input.filter or input.alias or input.offset_window -%}
            {{ exceptions.raise_compiler_error("KPI definitions: derived metric '" ~ metric.name ~ "': inputs "
                ~ "with filters, aliases or offsets are not supported") }}
        {%- endfor -%}
        {{ return(metric.type_params.metrics | map(attribute='name') | list) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("KPI definitions: metric '" ~ metric.name ~ "' is of type " ~ metric.type
        ~ "; the KPI marts support simple, ratio and derived metrics") }}
{% endmacro %}

{#- The KPI's value as SQL over the columns of kpi_observations' `wide` CTE (one per simple metric). -#}
{% macro kpi_value_sql(metric) %}
    {%- if metric.type == 'simple' -%}
        {{ return(metric.name) }}
    {%- elif metric.type == 'ratio' -%}
        {{ return(metric.type_params.numerator.name ~ ' * 1.0 / nullif(' ~ metric.type_params.denominator.name ~ ', 0)') }}
    {%- else -%}
        {{ return('(' ~ metric.type_params.expr ~ ')') }}
    {%- endif -%}
{% endmacro %}

{#- A KPI's settings from meta.kpi with the defaults filled in (see _operations__metrics.yml). -#}
{% macro kpi_settings(metric) %}
    {%- set kpi = metric.config.meta.kpi -%}
    {%- set volume_metric = kpi.get('volume_metric') or (metric.name if metric.type == 'simple' else none) -%}
    {%- set noise = kpi.get('noise', 'none') -%}
    {%- if noise not in ['poisson', 'none'] or (noise == 'poisson' and volume_metric is none) -%}
        {{ exceptions.raise_compiler_error("KPI definitions: metric '" ~ metric.name ~ "' has noise '" ~ noise
            ~ "'; use poisson (with a volume_metric unless simple) or none") }}
    {%- endif -%}
    {%- set noise_model = 'none' if noise == 'none' else ('poisson_count' if volume_metric == metric.name
        else 'poisson_rate') -%}
    {%- set seasonality = kpi.get('seasonality', ['day_type']) -%}
    {%- for s in seasonality if s not in ['day_type', 'holiday', 'month_end'] -%}
        {{ exceptions.raise_compiler_error("KPI definitions: metric '" ~ metric.name ~ "' has seasonality '" ~ s
            ~ "'; use day_type, holiday, month_end") }}
    {%- endfor -%}
    {%- set is_day_additive = kpi.get('compare_per_day', metric.type == 'simple'
        and kpi_simple_term(metric.name).time_granularity == 'day'
        and kpi_simple_term(metric.name).agg in ['sum', 'count']) -%}
    {{ return({
        'volume_metric': volume_metric,
        'is_day_additive': is_day_additive,
        'noise_model': noise_model,
        'min_volume': kpi.get('min_volume', 0),
        'min_relative_change': kpi.get('min_relative_change', var('kpi_bands')['min_relative_change']),
        'seasonality': seasonality | join(','),
    }) }}
{% endmacro %}
