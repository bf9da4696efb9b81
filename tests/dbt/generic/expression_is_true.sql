{#- Fails for every row where the boolean expression is not true (nulls fail too unless the
    expression handles them). Optional `where` config narrows the rows as usual. -#}
{% test expression_is_true(model, expression, column_name=none) %}

with validation as (

    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)

)

select * from validation

{% endtest %}
