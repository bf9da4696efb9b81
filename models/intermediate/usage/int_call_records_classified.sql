{#- One row per call detail record, with the called number resolved and classified:
      own_customer        the callee is one of our customers (callee_customer_id set)
      service_number      a listed service number (broker, bank, golf club, ...; service_category set)
      competitor          an 11-digit mobile number of another operator (callee_operator set)
      other_own_operator  one of our operator's prefixes, but not a customer in our CRM base
      other               landlines, short codes and anything else
    callee_key joins the call graph: customer id, service number, or a keyed hash of the number.
    The raw number does not leave this model (only its keyed hash).
    A view: the joins cost a few seconds per reader, writing ~57M rows at 100k customers cost ~50 s
    (bench/RESULTS.md); its two readers, fct_calls and int_customers_calls_profiled, aggregate it. -#}

{{ config(materialized='view') }}

with calls as (

    select * from {{ ref('stg_usage__call_records') }}

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
        calls.call_id,
        calls.caller_customer_id,
        current_holders.customer_id as callee_customer_id,
        service_numbers.service_number,
        service_numbers.service_category,
        number_prefixes.operator as prefix_operator,
        number_prefixes.is_own_operator as is_own_operator_prefix,
        calls.callee_number,
        calls.is_three_way,
        calls.started_at,
        calls.call_date,
        calls.duration_seconds,
        calls.duration_minutes
    from calls
    left join current_holders
        on calls.callee_number = current_holders.phone_no
    left join service_numbers
        on calls.callee_number = service_numbers.service_number
    left join number_prefixes
        on
            {{ dbt.length('calls.callee_number') }} = 11
            and substring(calls.callee_number, 1, 3) = number_prefixes.number_prefix

),

classified as (

    select
        -- ids
        call_id,
        caller_customer_id,
        callee_customer_id,
        case
            when callee_customer_id is not null then callee_customer_id
            when service_number is not null then service_number
            {#- hashed only here: for most calls the callee is a customer or a service number #}
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
        service_category,
        -- flags
        is_three_way,
        coalesce(caller_customer_id = callee_customer_id, false) as is_self_call,
        -- timestamps
        started_at,
        call_date,
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as call_month,
        -- measures
        duration_seconds,
        duration_minutes
    from joined

)

select * from classified
