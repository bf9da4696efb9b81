{#- One row per callee of the call graph (callee_key, and callee_id, the integer standing for it):
    our customer, a listed service number, or anyone else by a keyed hash of the number, with the
    class, operator, customer id and service number that follow from the key. A customer holding
    two numbers is one callee; max() picks the attributes, which the numbers of one key share. -#}

with callee_numbers as (

    select * from {{ ref('int_callee_numbers_classified') }}

),

callees as (

    select
        -- ids
        callee_id,
        max(callee_key) as callee_key,
        max(callee_customer_id) as callee_customer_id,
        -- classification
        max(callee_class) as callee_class,
        max(callee_operator) as callee_operator,
        max(service_number) as service_number,
        max(service_category) as service_category
    from callee_numbers
    group by callee_id

)

select * from callees
