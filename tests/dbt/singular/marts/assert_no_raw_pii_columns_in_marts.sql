{#- Privacy guard: no mart or snapshot exposes a column that holds raw personal data (names,
    phone numbers, ID card numbers, birth dates, free text). Masked (`_masked`) and keyed-hash
    (`_hash`) columns are the allowed forms. -#}
-- depends_on: {{ ref('dim_customer') }}
-- depends_on: {{ ref('dim_customer_history') }}
-- depends_on: {{ ref('dim_agent') }}
-- depends_on: {{ ref('fct_calls') }}
-- depends_on: {{ ref('fct_contacts') }}
-- depends_on: {{ ref('fct_ivr_sessions') }}
-- depends_on: {{ ref('fct_complaints') }}
-- depends_on: {{ ref('snap_customers') }}

{%- set raw_pii_columns = [
    'full_name', 'phone_no', 'id_card_no', 'birth_date', 'callee_number', 'agent_name',
    'purpose_note', 'complaint_text', 'description',
] %}
{%- set offenders = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type in ['model', 'snapshot']
        and (node.fqn[1] == 'marts' or node.resource_type == 'snapshot') %}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias
        ) %}
        {%- if relation is not none %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- if column.name | lower in raw_pii_columns %}
                    {%- do offenders.append(node.name ~ '.' ~ column.name) %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

{% if offenders %}
{%- for offender in offenders %}
select '{{ offender }}' as offending_column
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% else %}
select cast(null as {{ dbt.type_string() }}) as offending_column
where 1 = 0
{% endif %}
