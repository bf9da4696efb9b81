{#- Macros of the customer-identification layer: the generic
    evaluation of compiled conditions, and the feature catalogue read from the feature model's
    documented columns. -#}

{#- True when the feature value (alias v: value_number, value_text) satisfies the compiled leaf
    (alias c: operator, value_kind, value_number, value_number_high, value_text, value_list).
    A missing value never satisfies a condition. -#}
{% macro knowledge_condition_holds(c, v) -%}
    coalesce(
        case
            when {{ c }}.operator = '>' then {{ v }}.value_number > {{ c }}.value_number
            when {{ c }}.operator = '>=' then {{ v }}.value_number >= {{ c }}.value_number
            when {{ c }}.operator = '<' then {{ v }}.value_number < {{ c }}.value_number
            when {{ c }}.operator = '<=' then {{ v }}.value_number <= {{ c }}.value_number
            when {{ c }}.operator = '=' and {{ c }}.value_kind = 'number' then {{ v }}.value_number = {{ c }}.value_number
            when {{ c }}.operator = '=' then {{ v }}.value_text = {{ c }}.value_text
            when {{ c }}.operator = '!=' and {{ c }}.value_kind = 'number'
                then {{ v }}.value_number != {{ c }}.value_number
            when {{ c }}.operator = '!=' then {{ v }}.value_text != {{ c }}.value_text
            when {{ c }}.operator = 'between'
                then {{ v }}.value_number between {{ c }}.value_number and {{ c }}.value_number_high
            when {{ c }}.operator = 'in'
                then {{ dbt.position(dbt.concat(["'|'", v ~ '.value_text', "'|'"]), c ~ '.value_list') }} > 0
            when {{ c }}.operator = 'not in'
                then {{ dbt.position(dbt.concat(["'|'", v ~ '.value_text', "'|'"]), c ~ '.value_list') }} = 0
        end,
        false
    )
{%- endmacro %}

{#- Customers for whom a compiled condition set holds, with the evidence of the first clause
    that holds (the clause with the lowest clause_no). values_cte: one row per customer and
    feature (customer_id, feature_name, value_number, value_text); conditions_cte: compiled leaves
    keyed by owner_column. Returns (customer_id, <owner_column>, clause_no, evidence). -#}
{% macro knowledge_matches(values_cte, conditions_cte, owner_column) -%}
    select
        customer_id,
        {{ owner_column }},
        clause_no,
        evidence
    from (
        select
            customer_id,
            {{ owner_column }},
            clause_no,
            evidence,
            row_number() over (partition by customer_id, {{ owner_column }} order by clause_no) as clause_rank
        from (
            select
                feature_values.customer_id,
                conditions.{{ owner_column }},
                conditions.clause_no,
                {{ dbt.listagg(
                    dbt.concat([
                        'conditions.feature_name', "'='", 'feature_values.value_text',
                        "' ('", 'conditions.threshold_text', "')'",
                    ]),
                    "'; '",
                    'order by conditions.condition_no',
                ) }} as evidence
            from {{ conditions_cte }} as conditions
            inner join {{ values_cte }} as feature_values
                on conditions.feature_name = feature_values.feature_name
            where {{ knowledge_condition_holds('conditions', 'feature_values') }}
            group by feature_values.customer_id, conditions.{{ owner_column }}, conditions.clause_no
            having count(*) = max(conditions.clause_size)
        ) as true_clauses
    ) as ranked_clauses
    where clause_rank = 1
{%- endmacro %}

{#- The documented feature columns of int_customer_features, as [(name, feature_type)], in YAML
    order. Only columns whose YAML carries config.meta.feature_type are features: the YAML is the
    catalogue tags and rules are validated against. Empty at parse time and under the linter. -#}
{% macro customer_feature_columns() -%}
    {%- set features = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == 'int_customer_features' -%}
            {%- for column in node.columns.values() -%}
                {%- if column.meta.get('feature_type') -%}
                    {%- do features.append((column.name, column.meta['feature_type'])) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(features) -}}
{%- endmacro %}

{#- The documented column names of a model, in YAML order (empty at parse time and under the
    linter). int_customer_features selects the documented columns of its two feature groups,
    so an undocumented column never becomes a feature. -#}
{% macro documented_columns(model_name) -%}
    {%- set names = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == model_name -%}
            {%- for column in node.columns.values() -%}
                {%- do names.append(column.name) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}
