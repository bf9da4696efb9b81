{#- Every customer-month in the CRM extracts falls in exactly one dim_customer_history run, and
    that run carries the month's state: no gaps, no overlaps. -#}

with monthly_states as (

    select * from {{ ref('int_customers_monthly_states') }}

),

history as (

    select * from {{ ref('dim_customer_history') }}

),

matched as (

    select
        monthly_states.customer_id,
        monthly_states.extract_month,
        count(history.customer_id) as matching_runs,
        count(
            case
                when
                    history.member_tier is not distinct from monthly_states.member_tier
                    and history.plan_id is not distinct from monthly_states.plan_id
                    and history.brand is not distinct from monthly_states.brand
                    and history.customer_status is not distinct from monthly_states.customer_status
                    then 1
            end
        ) as runs_with_same_state
    from monthly_states
    left join history
        on
            monthly_states.customer_id = history.customer_id
            and monthly_states.extract_month >= history.valid_from
            and (history.valid_to is null or monthly_states.extract_month < history.valid_to)
    group by monthly_states.customer_id, monthly_states.extract_month

)

select * from matched
where matching_runs != 1 or runs_with_same_state != 1
