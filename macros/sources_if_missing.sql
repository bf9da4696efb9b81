{#- Create a source's tables empty when they do not exist yet, so the models built on them always
    compile and build on a fresh database: the `mining` tables (written by the Dagster mining
    assets after the marts) and the `knowledge` tables (compiled from knowledge/*.yml). Columns and
    types come from the source's YAML, the same contract the Python writers follow; a table that
    exists is never touched. Called from on-run-start in dbt_project.yml. -#}
{% macro create_source_tables_if_missing(source_name) %}
    {%- if execute -%}
        {%- for node in graph.sources.values() if node.source_name == source_name -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- set data_type = dbt.type_string() if column.data_type == 'varchar' else column.data_type -%}
                {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ data_type) -%}
            {%- endfor -%}
            {%- do run_query('create schema if not exists ' ~ node.schema) -%}
            {%- do run_query('create table if not exists ' ~ node.schema ~ '.' ~ node.identifier
                             ~ ' (' ~ columns | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}
