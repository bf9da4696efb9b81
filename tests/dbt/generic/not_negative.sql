{#- Measures such as minutes, counts and amounts must never be below zero (nulls pass). -#}
{% test not_negative(model, column_name) %}

with validation as (

    select {{ column_name }} as negative_value
    from {{ model }}
    where {{ column_name }} < 0

)

select * from validation

{% endtest %}
