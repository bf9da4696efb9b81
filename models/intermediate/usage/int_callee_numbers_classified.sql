{#- One row per number our customers called, resolved and classified once (not once per call):
      own_customer        the callee is one of our customers (callee_customer_id set)
      service_number      a listed service number (broker, bank, golf club, ...; service_category set)
      competitor          an 11-digit mobile number of another operator (callee_operator set)
      other_own_operator  one of our operator's prefixes, but not a customer in our CRM base
      other               landlines, short codes and anything else
    callee_key joins the call graph: customer id, service number, or a keyed hash of the number;
    callee_id is an integer standing for callee_key (one per key: a customer holding two numbers
    is one callee). The raw number stays in this lookup (intermediate, never published):
    int_call_records_resolved joins number → callee_id to the calls, and the readers join
    int_callees_classified (one row per callee_id) after aggregating. At 100k customers, 57M calls
    dial ~600k numbers: the joins and the hash run on those. -#}

with dialled as (

    select distinct callee_number
    from {{ ref('stg_usage__call_records') }}

),

customer_phones as (

    {#- a number may move between customers over time: the latest extract's holder wins -#}
    select
        phone_no,
        customer_id,
        row_number() over (partition by phone_no order by extract_month desc, customer_id asc) as holder_rank
    from {{ ref('stg_crm__customers') }}

),

current_holders as (

    select
        phone_no,
        customer_id
    from customer_phones
    where holder_rank = 1

),

service_numbers as (

    select * from {{ ref('service_numbers') }}

),

number_prefixes as (

    select * from {{ ref('number_prefixes') }}

),

joined as (

    select
        dialled.callee_number,
        current_holders.customer_id as callee_customer_id,
        service_numbers.service_number,
        service_numbers.service_category,
        number_prefixes.operator as prefix_operator,
        number_prefixes.is_own_operator as is_own_operator_prefix
    from dialled
    left join current_holders
        on dialled.callee_number = current_holders.phone_no
    left join service_numbers
        on dialled.callee_number = service_numbers.service_number
    left join number_prefixes
        on
            {{ dbt.length('dialled.callee_number') }} = 11
            and substring(dialled.callee_number, 1, 3) = number_prefixes.number_prefix

),

classified as (

    select
        -- ids
        callee_number,
        callee_customer_id,
        case
            when callee_customer_id is not null then callee_customer_id
            when service_number is not null then service_number
            {#- hashed only here: for most numbers the callee is a customer or a service number #}
            else {{ hash_pii('callee_number') }}
        end as callee_key,
        -- classification
        case
            when callee_customer_id is not null then 'own_customer'
            when service_number is not null then 'service_number'
            when is_own_operator_prefix then 'other_own_operator'
            when prefix_operator is not null then 'competitor'
            else 'other'
        end as callee_class,
        case
            when callee_customer_id is not null or is_own_operator_prefix then 'own'
            else prefix_operator
        end as callee_operator,
        service_number,
        service_category
    from joined

),

keyed as (

    select
        -- ids
        callee_number,
        cast(dense_rank() over (order by callee_key) as {{ dbt.type_int() }}) as callee_id,
        callee_customer_id,
        callee_key,
        -- classification
        callee_class,
        callee_operator,
        service_number,
        service_category
    from classified

)

select * from keyed
