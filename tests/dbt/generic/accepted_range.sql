{#- Values must lie between min_value and max_value (inclusive; either bound optional; nulls pass). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}

with validation as (

    select {{ column_name }} as out_of_range_value
    from {{ model }}
    where
        1 = 0
        {%- if min_value is not none %}
            or {{ column_name }} < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} > {{ max_value }}
        {%- endif %}

)

select * from validation

{% endtest %}
