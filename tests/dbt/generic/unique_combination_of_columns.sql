{#- Grain test for compound keys: no two rows share the same values in combination_of_columns.
    (dbt_utils is not installable here, so the project carries its own.) -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with validation as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from validation

{% endtest %}
