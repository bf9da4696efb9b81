{#- Scale-out path (README "Scaling out"): on the Spark target the dbt sources are Parquet folders
    written by `touchpoint export-raw --format parquet --out DIR` (orchestration/landing/export_parquet.py),
    one per table: DIR/<schema>/<identifier>/. This macro (on-run-start, Spark only) registers every
    source as an external table over its folder, with the columns and types of the source's YAML
    (the landing contract), so `source()` resolves exactly as on DuckDB. A folder that does not
    exist (e.g. mining results before the mining assets ran) gives an empty table, as
    create_source_tables_if_missing does on DuckDB. Dropping an external table never deletes
    its files. The folder is env TOUCHPOINT_PARQUET_DIR (default data/parquet); give an absolute
    path or a URI the cluster can read (hdfs://, s3a://, abfss://, dbfs:/). -#}
{% macro register_parquet_sources() %}
    {%- if execute and target.type == 'spark' -%}
        {%- set root = env_var('TOUCHPOINT_PARQUET_DIR', 'data/parquet') | trim | replace('\\', '/') -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ touchpoint.spark_type(column.data_type)) -%}
            {%- endfor -%}
            {%- set table = node.schema ~ '.' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query('create table ' ~ table ~ ' (' ~ columns | join(', ') ~ ') using parquet'
                             ~ " location '" ~ root.rstrip('/') ~ '/' ~ node.schema ~ '/' ~ node.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}

{#- The Spark name of a type written the DuckDB way in the YAML (varchar has no length on DuckDB). -#}
{% macro spark_type(data_type) %}
    {%- set t = data_type | lower | trim -%}
    {{- 'string' if t in ['varchar', 'text', 'string'] else t -}}
{% endmacro %}
