{#- One row per customer and monthly CRM extract: the end-of-month state, PII already masked or
    hashed, with the previous month's state beside it so tier migration and plan/brand/status
    changes are visible month over month. The attributes tracked as history (SCD2) are
    brand, plan_id, member_tier and customer_status. -#}

with customers as (

    select * from {{ ref('stg_crm__customers') }}

),

with_previous as (

    select
        *,
        lag(extract_month) over (partition by customer_id order by extract_month) as previous_extract_month,
        lag(brand) over (partition by customer_id order by extract_month) as previous_brand,
        lag(plan_id) over (partition by customer_id order by extract_month) as previous_plan_id,
        lag(member_tier) over (partition by customer_id order by extract_month) as previous_member_tier,
        lag(customer_status) over (partition by customer_id order by extract_month) as previous_customer_status,
        row_number() over (partition by customer_id order by extract_month) as extract_sequence,
        row_number() over (partition by customer_id order by extract_month desc) as extracts_after_count
    from customers

),

tier_ranked as (

    select
        *,
        case member_tier
            when 'diamond' then 4
            when 'gold' then 3
            when 'silver' then 2
            when 'standard' then 1
        end as member_tier_rank,
        case previous_member_tier
            when 'diamond' then 4
            when 'gold' then 3
            when 'silver' then 2
            when 'standard' then 1
        end as previous_member_tier_rank,
        {{ dbt.last_day('extract_month', 'month') }} as extract_month_end_date
    from with_previous

),

states as (

    select
        -- ids
        customer_id,
        enterprise_id,
        plan_id,
        -- masked personal data
        {{ mask_name('full_name') }} as full_name_masked,
        {{ mask_phone('phone_no') }} as phone_no_masked,
        {{ hash_pii('phone_no') }} as phone_hash,
        -- attributes
        customer_type,
        gender,
        city,
        district,
        brand,
        member_tier,
        member_tier_rank,
        customer_status,
        {{ age_in_years('birth_date', 'extract_month_end_date') }} as age_years,
        {{ age_band(age_in_years('birth_date', 'extract_month_end_date')) }} as age_band,
        {{ dbt.datediff('join_date', 'extract_month_end_date', 'month') }} as tenure_months,
        -- previous month's state
        previous_extract_month,
        previous_brand,
        previous_plan_id,
        previous_member_tier,
        previous_customer_status,
        case
            when previous_member_tier_rank is null or member_tier_rank is null then null
            when member_tier_rank > previous_member_tier_rank then 'upgrade'
            when member_tier_rank < previous_member_tier_rank then 'downgrade'
            else 'unchanged'
        end as member_tier_movement,
        -- flags
        is_enterprise_customer,
        is_opted_out_marketing,
        is_do_not_disturb,
        extract_sequence = 1 as is_first_extract,
        extracts_after_count = 1 as is_latest_extract_of_customer,
        (
            extract_sequence = 1
            or brand is distinct from previous_brand
            or plan_id is distinct from previous_plan_id
            or member_tier is distinct from previous_member_tier
            or customer_status is distinct from previous_customer_status
        ) as is_state_changed,
        -- dates
        extract_month,
        extract_month_end_date,
        join_date,
        status_changed_date,
        contract_end_date,
        extract_sequence
    from tier_ranked

)

select * from states
