{#- Masking and keyed hashing of personal data. Marts carry only these forms, never the raw value.

    hash_pii: sha256 over a secret key concatenated with the value (a keyed hash), so a phone
    number can be joined on but not looked up from a dictionary of hashes of the phone-number
    space (which is small: ~10^10 numbers, enumerable in minutes for an unkeyed hash). The key
    comes from TOUCHPOINT_PII_SALT; the default is for demos only. Note the salt is
    rendered into compiled SQL under target/: keep target/ out of shared places in production.
-#}

{% macro pii_salt() -%}
    {{- env_var('TOUCHPOINT_PII_SALT', 'touchpoint-demo-salt') | replace("'", "''") -}}
{%- endmacro %}

{% macro hash_pii(expr) -%}
    case
        when {{ expr }} is not null
            then {{ sha256_hex(dbt.concat(["'" ~ pii_salt() ~ "'", expr])) }}
    end
{%- endmacro %}

{#- Lower-case hex sha256 of a string (dbt.hash is md5). Branches on the adapter rather than
    adapter.dispatch so sqlfluff's database-free jinja templater can render it too. -#}
{% macro sha256_hex(expr) -%}
    {%- if target.type in ['spark', 'databricks'] -%}
        sha2(cast({{ expr }} as {{ dbt.type_string() }}), 256)
    {%- else -%}
        sha256(cast({{ expr }} as {{ dbt.type_string() }}))
    {%- endif -%}
{%- endmacro %}

{#- 13812345678 -> 138****5678 (keeps operator prefix and last four digits, as on a bill). -#}
{% macro mask_phone(expr) -%}
    case
        when {{ expr }} is not null
            then {{ dbt.concat([
                'substring(' ~ expr ~ ', 1, 3)',
                "'****'",
                'substring(' ~ expr ~ ', length(' ~ expr ~ ') - 3, 4)',
            ]) }}
    end
{%- endmacro %}

{#- 张三丰 -> 张** (family name kept; the length of the given name is not revealed). -#}
{% macro mask_name(expr) -%}
    case
        when {{ expr }} is not null
            then {{ dbt.concat(['substring(' ~ expr ~ ', 1, 1)', "'**'"]) }}
    end
{%- endmacro %}
