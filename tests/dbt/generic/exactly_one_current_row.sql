{#- SCD2 check: every key has exactly one row flagged current, and the current row is the
    open-ended one (valid_to is null). -#}
{% test exactly_one_current_row(model, column_name, current_flag='is_current', valid_to='valid_to') %}

with per_key as (

    select
        {{ column_name }} as entity_key,
        sum(case when {{ current_flag }} then 1 else 0 end) as current_rows,
        sum(case when {{ valid_to }} is null then 1 else 0 end) as open_rows
    from {{ model }}
    group by {{ column_name }}

),

validation as (

    select *
    from per_key
    where current_rows != 1 or open_rows != 1

)

select * from validation

{% endtest %}
