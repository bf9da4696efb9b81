{#- Use the configured schema name as-is (raw, staging, marts, ...), not "<target>_<custom>".
    Models without a custom schema land in the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
