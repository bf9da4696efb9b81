{#- One row per customer ever seen in a CRM extract: the state in the customer's latest extract
    (closed customers included), flagged when that extract is not the newest one delivered.
    Feeds dim_customer and the snap_customers snapshot; carries no unmasked personal data. -#}

with monthly_states as (

    select * from {{ ref('int_customers_monthly_states') }}

),

newest_extract as (

    select max(extract_month) as newest_extract_month
    from monthly_states

),

first_seen as (

    select
        customer_id,
        min(extract_month) as first_extract_month,
        count(*) as extract_count
    from monthly_states
    group by customer_id

),

current_states as (

    select
        monthly_states.customer_id,
        monthly_states.enterprise_id,
        monthly_states.plan_id,
        monthly_states.full_name_masked,
        monthly_states.phone_no_masked,
        monthly_states.phone_hash,
        monthly_states.customer_type,
        monthly_states.gender,
        monthly_states.city,
        monthly_states.district,
        monthly_states.brand,
        monthly_states.member_tier,
        monthly_states.member_tier_rank,
        monthly_states.customer_status,
        monthly_states.age_years,
        monthly_states.age_band,
        monthly_states.tenure_months,
        monthly_states.member_tier_movement as last_member_tier_movement,
        monthly_states.is_enterprise_customer,
        monthly_states.is_opted_out_marketing,
        monthly_states.is_do_not_disturb,
        monthly_states.extract_month = newest_extract.newest_extract_month as is_in_newest_extract,
        monthly_states.join_date,
        monthly_states.status_changed_date,
        monthly_states.contract_end_date,
        first_seen.first_extract_month,
        monthly_states.extract_month as last_extract_month,
        first_seen.extract_count
    from monthly_states
    inner join first_seen
        on monthly_states.customer_id = first_seen.customer_id
    cross join newest_extract
    where monthly_states.is_latest_extract_of_customer

)

select * from current_states
