{#- The feature catalogue long: one row per customer and documented feature with a value
    (a missing value has no row, so it never satisfies a condition). Built by a jinja loop over
    the columns of int_customer_features whose YAML carries config.meta.feature_type — portable
    SQL (union all), no engine-specific UNPIVOT. value_number holds numbers and booleans (1/0),
    value_text the text, true/false, or the number rounded to two decimals for evidence. -#}

{%- set features = customer_feature_columns() if execute else [] %}

with features as (

    select * from {{ ref('int_customer_features') }}

),

{%- if features | length == 0 %}

unpivoted as (

    {#- parse time (and the linter): no graph yet, an empty relation of the right shape -#}
    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as feature_type,
        cast(null as double) as value_number,
        cast(null as {{ dbt.type_string() }}) as value_text
    from features
    where 1 = 0

)
{%- else %}

unpivoted as (

    {%- for name, feature_type in features %}
    {%- if feature_type == 'number' %}
        {%- set number_expr = 'cast(' ~ name ~ ' as double)' %}
        {%- set text_expr = dbt.cast('round(cast(' ~ name ~ ' as double), 2)', dbt.type_string()) %}
    {%- elif feature_type == 'boolean' %}
        {%- set number_expr = 'case when ' ~ name ~ ' then 1.0 else 0.0 end' %}
        {%- set text_expr = "case when " ~ name ~ " then 'true' else 'false' end" %}
    {%- else %}
        {%- set number_expr = 'cast(null as double)' %}
        {%- set text_expr = dbt.cast(name, dbt.type_string()) %}
    {%- endif %}
    select
        customer_id,
        '{{ name }}' as feature_name,
        '{{ feature_type }}' as feature_type,
        {{ number_expr }} as value_number,
        {{ text_expr }} as value_text
    from features
    where {{ name }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)
{%- endif %}

select * from unpivoted
